"""Staff groups and how every app adds its permissions to them (from data migrations).

The groups "Redaktion" (editors: news, pages, ideas, municipalities, topics, redirects; the
events app adds events) and "Auswertung" (analysts; the survey app adds its models) are
created by ``portal/migrations/0004_staff_groups``. Another app gives a group its model
permissions in its own data migration, which depends on that migration::

    from portal.permissions import grant_model_permissions

    def grant(apps, schema_editor):
        grant_model_permissions(apps, group="Redaktion", app_label="events",
                                models=["event", "registration"])

    dependencies = [("portal", "0004_staff_groups"), ("events", "0001_initial")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

Permissions are created on the spot (``create_permissions``), because Django's
``post_migrate`` signal, which normally creates them, has not run yet during ``migrate``.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

EDITORS = "Redaktion"
ANALYSTS = "Auswertung"
ALL_ACTIONS = ("add", "change", "delete", "view")


def grant_model_permissions(
    apps, *, group: str, app_label: str, models: list[str], actions=ALL_ACTIONS
) -> None:
    """Give ``group`` (created if missing) the actions on the app's models (lower-case names)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # The installed app's config (the migration state's stub has no models_module);
    # create_permissions then reads the models from the migration state ``apps``.
    create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    codenames = [f"{action}_{model}" for model in models for action in actions]
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    group_obj, _ = Group.objects.get_or_create(name=group)
    group_obj.permissions.add(*permissions)
