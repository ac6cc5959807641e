"""Daily job (cron): write every response still waiting in the mixing pool, however few, so
that no survey's results lag by more than a day."""

from django.core.management.base import BaseCommand

from survey.services import response_pool_flush_all


class Command(BaseCommand):
    help = "Write the online responses waiting in the mixing pool, in random order."

    def handle(self, *args, **options):
        written = response_pool_flush_all()
        if not written:
            self.stdout.write("Keine Antworten im Pool.")
        for survey, count in written.items():
            self.stdout.write(f"{survey.slug}: {count} Antworten aus dem Pool geschrieben.")
