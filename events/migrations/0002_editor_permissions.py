from django.db import migrations

from portal.permissions import grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(
        apps,
        group="Redaktion",
        app_label="events",
        models=["event", "eventdocument", "registration"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_staff_groups"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
