"""The staff groups Redaktion and Auswertung, and the editors' permissions on portal models.

Other apps add their permissions in their own migrations with
``portal.permissions.grant_model_permissions`` (see that module).
"""

from django.db import migrations

from portal.permissions import ANALYSTS, EDITORS, grant_model_permissions


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=EDITORS)
    Group.objects.get_or_create(name=ANALYSTS)
    grant_model_permissions(
        apps,
        group=EDITORS,
        app_label="portal",
        models=["newsarticle", "page", "idea", "municipality", "topic"],
    )
    grant_model_permissions(apps, group=EDITORS, app_label="redirects", models=["redirect"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_news_ideas_editors"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
