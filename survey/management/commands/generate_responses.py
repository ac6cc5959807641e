"""Create N synthetic responses for a survey, e.g. for benchmarks:
``manage.py generate_responses mobilitaet-2026 100000``."""

import time

from django.core.management.base import BaseCommand, CommandError

from portal.audit import KIND_GENERATED, audit_record
from survey.models import Survey
from survey.results.caching import survey_results_invalidate
from survey.results.tallies import survey_results_tally
from survey.synthetic import responses_generate


class Command(BaseCommand):
    help = "N künstliche Antworten für eine Befragung erzeugen (100.000 dauern Minuten)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Kurzname der Befragung")
        parser.add_argument("count", type=int, help="Anzahl der Antworten")
        parser.add_argument("--seed", type=int, default=1, help="Zufallsstartwert")
        parser.add_argument(
            "--paper-share", type=float, default=0.25, help="Anteil der Papierbögen (0–1)"
        )

    def handle(self, *args, slug, count, seed, paper_share, **options):
        try:
            survey = Survey.objects.get(slug=slug)
        except Survey.DoesNotExist as error:
            raise CommandError(f"No survey with the slug {slug!r}.") from error
        if count < 1:
            raise CommandError("COUNT must be at least 1.")
        if not 0 <= paper_share <= 1:
            raise CommandError("--paper-share must be between 0 and 1.")
        if not survey.questions.exists():
            raise CommandError(f"The survey {slug!r} has no questions.")
        started = time.monotonic()

        def progress(done):
            if done % 20000 == 0 or done == count:
                self.stdout.write(f"  {done} / {count}")

        created = responses_generate(
            survey=survey, count=count, seed=seed, paper_share=paper_share, progress=progress
        )
        # Invented responses change the results of a real survey: the log says so.
        audit_record(
            kind=KIND_GENERATED,
            model=Survey,
            obj=survey,
            what="responses",
            count=created,
            command="generate_responses",
        )
        # Count them into the results tallies now rather than on the next results page.
        survey_results_tally(survey=survey)
        survey_results_invalidate(survey.pk)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"{created} Antworten für „{survey}“ in {seconds:.1f} s angelegt.")
        )
