from django.db import migrations

from portal.permissions import grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(
        apps,
        group="Auswertung",
        app_label="survey",
        models=["survey", "section", "question", "option", "matrixitem"],
    )
    # Responses and access codes are read-only in the admin; paper entry has its own right.
    grant_model_permissions(
        apps,
        group="Auswertung",
        app_label="survey",
        models=["response", "answer", "accesscode"],
        actions=("view",),
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name="Auswertung").permissions.add(
        Permission.objects.get(content_type__app_label="survey", codename="enter_paper_response")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_staff_groups"),
        ("survey", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
