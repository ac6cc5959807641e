"""Load demo content. Idempotent: a second run changes nothing.

Every installed app of the project may have a ``demo`` module with a ``seed(stdout)``
function; they run in INSTALLED_APPS order (portal, survey, events), so the portal never
imports the apps that build on it.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import module_has_submodule

from portal.models import EditorProfile, Municipality
from portal.permissions import ANALYSTS, EDITORS

PROJECT_APPS = ("portal", "survey", "events")
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "Oschatz-Demo-2026"
# One login per staff role, so anyone trying the demo sees what each role may do
# (README, "Redaktion → Gruppen"): username, description, group, limited to municipality.
DEMO_ROLES = [
    (DEMO_USERNAME, "Administration (alle Rechte)", None, None),
    ("demo-redaktion", "Redaktion (alle Kommunen)", EDITORS, None),
    ("demo-oschatz", "Redaktion, auf Oschatz beschränkt", EDITORS, "oschatz"),
    ("demo-auswertung", "Auswertung (Befragungen)", ANALYSTS, None),
]


class Command(BaseCommand):
    help = "Demo-Inhalte laden (Beiträge, Befragungen, Termine); im Demo-Modus auch Demo-Zugänge."

    def handle(self, *args, **options):
        for name in PROJECT_APPS:
            config = apps.get_app_config(name)
            if module_has_submodule(config.module, "demo"):
                with transaction.atomic():
                    import_module(f"{config.name}.demo").seed(stdout=self.stdout)
        if settings.DEMO_MODE:
            self._demo_logins()

    @transaction.atomic
    def _demo_logins(self):
        User = get_user_model()
        admin_url = settings.SITE_URL + reverse("admin:index")  # where the demo runs
        lines = ["", f"Demo-Zugänge für die Verwaltung: {admin_url}"]
        for username, description, group, municipality_slug in DEMO_ROLES:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": True,
                    "is_superuser": group is None,
                    "first_name": "Demo",
                },
            )
            if created:
                # Only new accounts: a second run changes nothing (nor a changed password).
                user.set_password(DEMO_PASSWORD)
                user.save()
                if group:
                    user.groups.add(Group.objects.get(name=group))
                if municipality_slug:
                    EditorProfile.objects.create(
                        user=user, municipality=Municipality.objects.get(slug=municipality_slug)
                    )
            lines.append(f"  {description}:")
            lines.append(f"    Benutzername: {username}\n    Passwort:     {DEMO_PASSWORD}")
        self.stdout.write(self.style.SUCCESS("\n".join(lines) + "\n"))
