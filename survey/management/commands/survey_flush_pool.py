"""Daily job (cron, after midnight): write every response still waiting in the mixing pool
from the days that are over, however few, so that no survey's results lag by more than a
day. Today's responses stay: written now, the early arrivals of the day would be a small
group of their own (see ``survey.services.response_pool_flush``). Also deletes the test
responses of scheduled surveys that have opened."""

from django.core.management.base import BaseCommand

from survey.services import response_pool_flush_all
from survey.trial import trial_responses_discard_opened


class Command(BaseCommand):
    help = (
        "Wartende Online-Antworten vergangener Tage aus dem Mischpool in zufälliger "
        "Reihenfolge speichern."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--include-today",
            action="store_true",
            help=(
                "Auch die heute wartenden Antworten sofort speichern (schwächere Anonymität: "
                "sie bilden eine kleine Gruppe, der heute eingelöste Zugangscodes zuzuordnen sind)."
            ),
        )

    def handle(self, *args, **options):
        # Scheduled surveys that opened since yesterday: their test responses go.
        discarded = trial_responses_discard_opened()
        if discarded:
            self.stdout.write(f"{discarded} Testantworten geöffneter Befragungen gelöscht.")
        written = response_pool_flush_all(include_today=options["include_today"])
        if not written:
            self.stdout.write("Keine Antworten vergangener Tage im Pool.")
        for survey, count in written.items():
            self.stdout.write(f"{survey.slug}: {count} Antworten aus dem Pool geschrieben.")
