"""Make a test stack of filled-in questionnaires with its truth:
``manage.py paper_scan_testset mobilitaet-2026 stapel.tif --sheets 20 --seed 1``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from survey.models import Survey
from survey.scanning.printing import (
    MAX_SHEETS_PER_PDF,
    PrintError,
    layout_for_survey,
    paper_sheets_issue,
)
from survey.scanning.testset import scan_testset_write


class Command(BaseCommand):
    help = (
        "Ausgefüllte Testbögen aus dem echten Fragebogen-PDF erzeugen (Haken, Kreuze, "
        "Korrekturen, Bleistift, schiefe und verrauschte Scans) und die Wahrheit als JSON daneben."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Kurzname der Befragung")
        parser.add_argument("out", help="Zieldatei: .pdf oder .tif")
        parser.add_argument("--sheets", type=int, default=10, help="Anzahl der Bögen")
        parser.add_argument("--seed", type=int, default=1, help="Zufallsstartwert")
        parser.add_argument("--dpi", type=int, choices=(200, 300), help="Sonst gemischt")

    def handle(self, *args, slug, out, sheets, seed, dpi, **options):
        try:
            survey = Survey.objects.get(slug=slug)
        except Survey.DoesNotExist as error:
            raise CommandError(f"Keine Befragung mit dem Kurznamen {slug!r}.") from error
        if not 1 <= sheets <= MAX_SHEETS_PER_PDF:
            raise CommandError(f"--sheets muss zwischen 1 und {MAX_SHEETS_PER_PDF} liegen.")
        if Path(out).suffix.lower() not in (".pdf", ".tif", ".tiff"):
            raise CommandError("Die Zieldatei muss auf .pdf, .tif oder .tiff enden.")
        layout = layout_for_survey(survey=survey)
        # Test sheets get numbers of their own, as printed copies do.
        try:
            numbers = paper_sheets_issue(survey=survey, count=sheets, layout=layout, user=None)
        except PrintError as error:
            raise CommandError(str(error)) from error
        truth = scan_testset_write(
            layout_obj=layout, out=out, sheets=sheets, seed=seed, first_sheet=numbers.first, dpi=dpi
        )
        self.stdout.write(f"{sheets} Bögen in {out}, Wahrheit in {truth}.")
