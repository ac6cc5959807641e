"""Delete registrants' personal data a set number of days after the event.

Meant for a daily cron job, e.g. ``15 3 * * * cd /srv/portal && .venv/bin/python manage.py
purge_registrations``. Prints and logs only counts, never names or addresses.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events.retention import registrations_purge, registrations_unconfirmed_delete


class Command(BaseCommand):
    help = (
        "Nicht rechtzeitig per E-Mail bestätigte Anmeldungen löschen, dazu Name, E-Mail und "
        "Angaben zur Barrierefreiheit der Anmeldungen zu Terminen, die vor mehr als "
        "EVENTS_REGISTRATION_RETENTION_DAYS Tagen endeten (die Zahlen bleiben)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Aufbewahrung in Tagen (Standard: EVENTS_REGISTRATION_RETENTION_DAYS).",
        )

    def handle(self, *args, days=None, **options):
        retention = settings.EVENTS_REGISTRATION_RETENTION_DAYS if days is None else days
        if retention < 0:
            raise CommandError("--days darf nicht negativ sein.")
        expired = registrations_unconfirmed_delete()
        self.stdout.write(
            f"{expired} nicht rechtzeitig per E-Mail bestätigte Anmeldung(en) gelöscht."
        )
        result = registrations_purge(retention_days=retention)
        self.stdout.write(
            f"Personenbezogene Daten von {result.registrations} Anmeldung(en) zu "
            f"{result.events} Termin(en) gelöscht, die vor mehr als {retention} Tagen endeten."
        )
