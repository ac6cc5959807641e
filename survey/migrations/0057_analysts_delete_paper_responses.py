from django.db import migrations

from portal.permissions import grant_model_permissions


def grant(apps, schema_editor):
    # Analysts enter the paper questionnaires and correct their mistakes by deleting the
    # response and entering the sheet again; the admin limits them to paper responses.
    grant_model_permissions(
        apps, group="Auswertung", app_label="survey", models=["response"], actions=("delete",)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_staff_groups"),
        ("survey", "0056_pooled_response"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
