"""Every minute (cron or systemd timer): read every uploaded stack that is still waiting, or
whose reading process died. The admin starts a process for each upload at once; this is the
fallback when that process could not start or was killed."""

from django.core.management.base import BaseCommand

from survey.scanning.services import scan_batch_run, scan_batches_waiting


class Command(BaseCommand):
    help = "Wartende Stapel gescannter Fragebögen lesen (Cron, jede Minute)."

    def handle(self, *args, **options):
        waiting = scan_batches_waiting()
        if not waiting:
            self.stdout.write("Kein Stapel wartet.")
        for batch_id in waiting:
            batch = scan_batch_run(batch_id=batch_id)
            if batch is not None:
                self.stdout.write(
                    f"Stapel {batch_id}: {batch.get_status_display()}, "
                    f"{batch.pages_done} von {batch.pages_total} Seiten."
                )
