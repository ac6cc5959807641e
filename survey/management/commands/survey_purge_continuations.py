"""Daily job (cron): delete the questionnaires put aside with "Continue later" whose
continuation code has expired (``survey.continuation.CONTINUATION_DAYS``)."""

from django.core.management.base import BaseCommand

from survey.continuation import continuations_purge


class Command(BaseCommand):
    help = "Zurückgestellte Fragebögen löschen, deren Fortsetzungscode abgelaufen ist."

    def handle(self, *args, **options):
        deleted = continuations_purge()
        self.stdout.write(f"{deleted} abgelaufene zurückgestellte Fragebögen gelöscht.")
