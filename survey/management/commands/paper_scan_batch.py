"""Read one uploaded stack of scanned questionnaires (started by the admin after an upload,
as a process of its own). Does nothing if another process is reading it already."""

from django.core.management.base import BaseCommand

from survey.scanning.services import scan_batch_run


class Command(BaseCommand):
    help = "Einen hochgeladenen Stapel gescannter Fragebögen lesen (Nummer des Stapels)."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int, help="Nummer des Stapels")

    def handle(self, *args, batch_id, **options):
        batch = scan_batch_run(batch_id=batch_id)
        if batch is None:
            self.stdout.write(f"Stapel {batch_id}: nichts zu tun (fertig oder in Arbeit).")
            return
        self.stdout.write(
            f"Stapel {batch_id}: {batch.get_status_display()}, "
            f"{batch.pages_done} von {batch.pages_total} Seiten, "
            f"{batch.sheets.count()} Bögen."
        )
