# The footer lists the pages marked "show in footer" (it used to be hard-coded, with
# "Leichte Sprache" and then "Die Kooperation" after the legal pages). The seeded cooperation
# page was not marked: mark it and put it after "Leichte Sprache", so the footer stays as it
# was. A page the Redaktion has changed since keeps its settings.
from django.db import migrations


def mark(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    Page.objects.filter(slug="kooperation", show_in_footer=False, position=1).update(
        show_in_footer=True, position=3
    )


def unmark(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    Page.objects.filter(slug="kooperation", show_in_footer=True, position=3).update(
        show_in_footer=False, position=1
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_cache_version_rate_count")]

    operations = [migrations.RunPython(mark, unmark)]
