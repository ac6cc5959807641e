"""Import a LimeSurvey survey structure (.lss) as a draft survey and list what could not be
carried over."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from survey.lss_import import MAX_BYTES, LssError, lss_import


class Command(BaseCommand):
    help = "Aus einer LimeSurvey-Struktur (.lss) einen Befragungsentwurf anlegen."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Die von LimeSurvey exportierte .lss-Datei.")
        parser.add_argument("--title", default="", help="Titel der neuen Befragung.")

    def handle(self, *args, file: Path, title: str = "", **options):
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Datei nicht lesbar: {error.strerror}") from error
        try:
            result = lss_import(data=data, title=title)
        except LssError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Entwurf „{result.survey.title}“ ({result.survey.slug}) mit "
            f"{result.questions} Fragen angelegt."
        )
        for problem in result.problems:
            self.stdout.write(f"- {problem}")
