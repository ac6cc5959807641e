"""Make the responsive variants of newly uploaded images (outside any request).

Run it every minute from cron or a systemd timer (README, "Mediathek"); `make run` runs it
once after loading the demo content."""

from django.core.management.base import BaseCommand

from media.services import media_variants_process


class Command(BaseCommand):
    help = "Make the smaller WebP/JPEG versions of images waiting in the media library."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="At most this many images.")

    def handle(self, *args, limit, **options):
        made, failed = media_variants_process(limit=limit)
        self.stdout.write(f"media_variants: {made} made, {failed} failed")
        if failed:
            self.stderr.write("Some images failed; see the log. They are marked 'failed'.")
