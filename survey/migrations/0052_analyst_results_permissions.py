from django.db import migrations

from portal.permissions import grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(
        apps,
        group="Auswertung",
        app_label="survey",
        models=[
            "resultspublication",
            "theme",
            "answertheme",
            "quote",
            "textquestion",
            "freetextanswer",
        ],
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name="Auswertung").permissions.add(
        *Permission.objects.filter(
            content_type__app_label="survey",
            codename__in=["view_monitoring", "export_responses"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_staff_groups"),
        ("survey", "0051_merge_0002_analyst_permissions_0050_results"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
