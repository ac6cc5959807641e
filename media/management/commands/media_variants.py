"""Make the responsive variants of newly uploaded images (outside any request).

Run it every minute from cron or a systemd timer (README, "Mediathek"); `make run` runs it
once after loading the demo content."""

from django.core.management.base import BaseCommand

from media.services import media_variants_process


class Command(BaseCommand):
    help = "Verkleinerte WebP-/JPEG-Fassungen der wartenden Bilder der Mediathek erstellen."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="Höchstens so viele Bilder.")

    def handle(self, *args, limit, **options):
        made, failed = media_variants_process(limit=limit)
        self.stdout.write(f"Verkleinerte Fassungen: {made} Bilder fertig, {failed} fehlgeschlagen.")
        if failed:
            self.stderr.write(
                "Einige Bilder sind fehlgeschlagen (siehe Protokoll); "
                "sie sind als „Fehlgeschlagen“ markiert."
            )
