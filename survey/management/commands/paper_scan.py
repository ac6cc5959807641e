"""Read a scanned stack of numbered questionnaires:
``manage.py paper_scan mobilitaet-2026 stapel.pdf [--dry-run] [--json]``."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from survey.models import Survey
from survey.scanning.reader import ScanError, read_stack
from survey.scanning.storing import ScanOutcome, scanned_sheet_store
from survey.selectors import survey_definition


def _sheet_json(reading, outcome: str, message: str) -> dict:
    return {
        "sheet": reading.sheet_number,
        "scan_pages": [index + 1 for index in reading.scan_pages],
        "outcome": outcome,
        "message": message,
        "problems": reading.problems,
        "answers": [
            {
                "question": answer.question_code,
                "answers": [row.as_json() for row in answer.answers],
                "confidence": answer.confidence,
                "review": answer.review_reason,
            }
            for answer in reading.answers
        ],
    }


class Command(BaseCommand):
    help = (
        "Einen gescannten Stapel nummerierter Fragebögen (PDF oder TIFF) lesen. Sichere Bögen "
        "werden gespeichert, unsichere zur Prüfung aufgelistet (die Prüfung im Admin "
        "übernimmt sie)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Kurzname der Befragung")
        parser.add_argument("file", help="Gescannter Stapel: PDF oder (mehrseitiges) TIFF")
        parser.add_argument("--dry-run", action="store_true", help="Nur lesen, nichts speichern")
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="Je Bogen Nummer, Antworten und Sicherheit als JSON",
        )

    def handle(self, *args, slug, file, dry_run, as_json, **options):
        try:
            survey = Survey.objects.get(slug=slug)
        except Survey.DoesNotExist as error:
            raise CommandError(f"Keine Befragung mit dem Kurznamen {slug!r}.") from error
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Die Datei {file!r} gibt es nicht.")
        definition = survey_definition(survey=survey)
        sheets = []
        counts = dict.fromkeys(ScanOutcome, 0)
        try:
            for reading in read_stack(survey, path):
                if dry_run:
                    outcome = ScanOutcome.REVIEW if reading.needs_review else ScanOutcome.STORED
                    message = " ".join(reading.problems)
                else:
                    outcome, message = scanned_sheet_store(
                        survey=survey,
                        reading=reading,
                        batch=f"Scan {path.name}"[:100],
                        definition=definition,
                    )
                counts[outcome] += 1
                sheets.append(_sheet_json(reading, outcome.value, message))
                if not as_json:
                    self._line(reading, outcome, message, dry_run)
        except ScanError as error:
            raise CommandError(str(error)) from error
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"survey": slug, "dry_run": dry_run, "sheets": sheets},
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        verb = "lesbar ohne Prüfung" if dry_run else "gespeichert"
        self.stdout.write(
            f"{len(sheets)} Bögen: {counts[ScanOutcome.STORED]} {verb}, "
            f"{counts[ScanOutcome.REVIEW]} zur Prüfung, {counts[ScanOutcome.DUPLICATE]} doppelt, "
            f"{counts[ScanOutcome.REFUSED]} abgelehnt."
        )

    def _line(self, reading, outcome, message, dry_run):
        number = reading.sheet_number if reading.sheet_number is not None else "?"
        if outcome == ScanOutcome.REVIEW:
            reasons = [
                f"{a.question_code}: {a.review_reason}" for a in reading.answers if a.needs_review
            ]
            details = "; ".join([*reading.problems, *reasons])
            self.stdout.write(f"Bogen {number}: zur Prüfung – {details}")
        elif outcome == ScanOutcome.STORED:
            self.stdout.write(f"Bogen {number}: {'lesbar' if dry_run else 'gespeichert'}")
        else:
            self.stdout.write(f"Bogen {number}: {message}")
