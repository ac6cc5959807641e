"""Read a scanned stack of numbered questionnaires:
``manage.py paper_scan mobilitaet-2026 stapel.pdf [--dry-run] [--json] [--user NAME]``.

The stack goes the way of an upload in the admin (``survey.scanning.services``): it is kept
privately as a scanned stack of the survey, every sheet is recorded, a sheet the machine is
sure of is stored at once (channel paper), the others wait for the review at
``/befragungen/<slug>/scans/pruefen/``, and a sheet number is stored only once, whichever
way it came in."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from survey.models import ScanBatchStatus, ScannedSheetState, Survey
from survey.scanning.reader import ScanError, read_stack
from survey.scanning.services import scan_batch_read_now
from survey.scanning.validators import scan_file_type

# Stored with every sheet (``Response.batch``) when no label is given: says where it came from.
CLI_LABEL = "Kommandozeile: {name}"


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
        "Einen gescannten Stapel nummerierter Fragebögen (PDF oder TIFF) lesen, wie ein "
        "Hochladen im Admin: sichere Bögen werden gespeichert, unsichere warten auf die "
        "Prüfung unter /befragungen/<Kurzname>/scans/pruefen/."
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
        parser.add_argument(
            "--user",
            help="Benutzername, unter dem die Bögen als erfasst gelten (sonst niemand; der "
            "Stapel heißt dann „Kommandozeile: <Datei>“)",
        )
        parser.add_argument(
            "--label", default="", help="Stapel oder Sammelstelle, bei jedem Bogen gespeichert"
        )

    def handle(self, *args, slug, file, dry_run, as_json, user, label, **options):
        try:
            survey = Survey.objects.get(slug=slug)
        except Survey.DoesNotExist as error:
            raise CommandError(f"Keine Befragung mit dem Kurznamen {slug!r}.") from error
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Die Datei {file!r} gibt es nicht.")
        entered_by = self._user(user)
        sheets = []
        counts = dict.fromkeys(ScannedSheetState.values, 0)

        def report(reading, outcome: str, message: str) -> None:
            counts[outcome] += 1
            sheets.append(_sheet_json(reading, outcome, message))
            if not as_json:
                self._line(reading, outcome, message, dry_run)

        if dry_run:
            self._read_only(survey, path, report)
        else:
            self._store(survey, path, entered_by, label, report)
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
            f"{len(sheets)} Bögen: {counts['stored']} {verb}, {counts['review']} zur Prüfung, "
            f"{counts['duplicate']} doppelt, {counts['problem']} mit Problemen."
        )

    def _read_only(self, survey, path, report) -> None:
        try:
            for reading in read_stack(survey, path):
                outcome = "review" if reading.needs_review else "stored"
                report(reading, outcome, " ".join(reading.problems))
        except ScanError as error:
            raise CommandError(str(error)) from error

    def _store(self, survey, path, entered_by, label, report) -> None:
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            try:
                scan_file_type(upload)  # the upload's checks
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            batch = scan_batch_read_now(
                survey=survey,
                upload=upload,
                label=(label or CLI_LABEL.format(name=path.name))[:100],
                uploaded_by=entered_by,
                on_sheet=lambda reading, sheet: report(reading, sheet.state, sheet.problems),
            )
        if batch.status == ScanBatchStatus.FAILED:
            raise CommandError(batch.error)

    def _user(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"Keinen aktiven Benutzer {username!r}.") from error

    def _line(self, reading, outcome, message, dry_run):
        number = reading.sheet_number if reading.sheet_number is not None else "?"
        if outcome == "review":
            reasons = [
                f"{a.question_code}: {a.review_reason}" for a in reading.answers if a.needs_review
            ]
            details = "; ".join([*reading.problems, *reasons, *([message] if message else [])])
            self.stdout.write(f"Bogen {number}: zur Prüfung – {details}")
        elif outcome == "stored":
            self.stdout.write(f"Bogen {number}: {'lesbar' if dry_run else 'gespeichert'}")
        elif outcome == "duplicate":
            self.stdout.write(
                f"Bogen {number}: ist schon erfasst oder wartet auf Prüfung; nicht noch einmal "
                "gespeichert."
            )
        else:
            self.stdout.write(f"Bogen {number}: Problem – {message}")
