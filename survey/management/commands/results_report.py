"""Make the results report (PDF) of a survey and say how long it took.

    python manage.py results_report buergerbefragung-2019 -o bericht.pdf

The same PDF as ``/befragungen/<slug>/ergebnisse/bericht.pdf``, made anew (not from the
cache): the results themselves come from the results cache when they are there, as for the
page; ``--cold`` forgets them first, so the time includes counting the responses.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from survey.models import Survey
from survey.results.caching import results_key, results_version
from survey.results.report import render_results_report
from survey.results.selectors import results_are_public


class Command(BaseCommand):
    help = "Erstellt den Ergebnisbericht (PDF) einer Befragung und misst die Zeit."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Kurzname der Befragung, z. B. buergerbefragung-2019")
        parser.add_argument("-o", "--output", required=True, help="Zieldatei (.pdf)")
        parser.add_argument(
            "--cold",
            action="store_true",
            help="Die zwischengespeicherten Ergebnisse vorher verwerfen.",
        )

    def handle(self, *args, slug, output, cold, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            raise CommandError(f"Keine Befragung mit dem Kurznamen „{slug}“.")
        translation.activate("de")
        if cold:
            from django.core.cache import cache

            cache.delete(results_key(survey.pk, results_version(survey.pk), None))
        wall, cpu = time.perf_counter(), time.process_time()
        pdf, _fetcher = render_results_report(
            survey=survey, preview=not results_are_public(survey=survey)
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        Path(output).write_bytes(pdf)
        self.stdout.write(
            f"{output}: {len(pdf) / 1024:.0f} KiB in {wall:.2f} s "
            f"({cpu:.2f} s Rechenzeit dieses Prozesses)"
        )
