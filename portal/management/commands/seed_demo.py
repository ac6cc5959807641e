"""Load demo content. Idempotent: a second run changes nothing.

Every installed app of the project may have a ``demo`` module with a ``seed(stdout)``
function; they run in INSTALLED_APPS order (portal, survey, events), so the portal never
imports the apps that build on it.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

PROJECT_APPS = ("portal", "survey", "events")
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "Oschatz-Demo-2026"


class Command(BaseCommand):
    help = "Load demo content (news, surveys, events); create a demo staff login in demo mode."

    def handle(self, *args, **options):
        for name in PROJECT_APPS:
            config = apps.get_app_config(name)
            if module_has_submodule(config.module, "demo"):
                with transaction.atomic():
                    import_module(f"{config.name}.demo").seed(stdout=self.stdout)
        if settings.DEMO_MODE:
            self._demo_login()

    def _demo_login(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "first_name": "Demo"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                "\nDemo-Zugang für die Verwaltung: http://127.0.0.1:8000/admin/\n"
                f"  Benutzername: {DEMO_USERNAME}\n  Passwort:     {DEMO_PASSWORD}\n"
            )
        )
