"""Nightly clean-up (cron): delete raw free texts, paper batch details and scanned stacks
(files included) of every survey
whose retention date has passed. Themes, counts and released quotes stay."""

import datetime

from django.core.management.base import BaseCommand

from survey.results.services import survey_raw_data_delete, surveys_due_for_deletion


class Command(BaseCommand):
    help = (
        "Freitexte, Angaben zu Papierstapeln und gescannte Bögen nach dem Löschdatum jeder "
        "Befragung löschen."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="So tun, als sei heute dieser Tag (JJJJ-MM-TT), zum Prüfen.",
        )

    def handle(self, *args, today=None, **options):
        surveys = list(surveys_due_for_deletion(today=today))
        if not surveys:
            self.stdout.write("Keine Befragung zu bereinigen.")
        for survey in surveys:
            counts = survey_raw_data_delete(survey=survey)
            self.stdout.write(
                f"{survey.slug}: {counts['free_texts']} Freitexte, "
                f"{counts['other_texts']} Sonstiges-Angaben, "
                f"{counts['paper_responses']} Papierbögen und "
                f"{counts['scans']} gescannte Stapel bereinigt."
            )
