"""Demo surveys: the Bürgerbefragung 2019 (closed, with 356 synthetic responses), an
open follow-up survey on mobility that uses every question kind, and a short open survey
that takes part with access codes (in demo mode its unused codes go to
``var/demo-access-codes.txt``). Idempotent: surveys that exist (by slug) are left alone.

The questionnaires are in ``surveys``, their texts in ``texts``."""

from pathlib import Path

from django.conf import settings

from survey.demo.surveys import (
    AGE_GROUPS,
    RESPONSES_2019,
    SURVEY_2019,
    SURVEY_CODES,
    SURVEY_MOBILITY,
    seed_2019,
    seed_code_survey,
    seed_mobility,
)
from survey.models import AccessCode, Survey

__all__ = [
    "AGE_GROUPS",
    "DEMO_CODES_FILE",
    "DEMO_CODE_COUNT",
    "RESPONSES_2019",
    "SURVEY_2019",
    "SURVEY_CODES",
    "SURVEY_MOBILITY",
    "demo_codes_write",
    "seed",
    "seed_2019",
    "seed_code_survey",
    "seed_mobility",
]

# With DJANGO_DEMO_MODE, seed_demo keeps this many unused codes of SURVEY_CODES in this file.
DEMO_CODE_COUNT = 30
DEMO_CODES_FILE = "var/demo-access-codes.txt"


def demo_codes_write(stdout) -> Path | None:
    """Keep DEMO_CODE_COUNT unused codes of the code survey and list them in a file, so that
    anyone trying the demo can take part. Idempotent: only missing codes are added."""
    from survey.services import access_codes_generate, format_access_code

    survey = Survey.objects.filter(slug=SURVEY_CODES).first()
    if survey is None:
        return None
    unused = AccessCode.objects.filter(survey=survey, used=False).order_by("code")
    missing = DEMO_CODE_COUNT - unused.count()
    if missing > 0:
        access_codes_generate(survey=survey, count=missing)
    codes = [format_access_code(c) for c in unused.values_list("code", flat=True)]
    path = Path(settings.BASE_DIR) / DEMO_CODES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# Unbenutzte Zugangscodes der Demo-Befragung „{survey.title}“\n"
        f"# {survey.get_absolute_url()}teilnehmen/ – jeder Code gilt einmal.\n"
        + "".join(f"{code}\n" for code in codes[:DEMO_CODE_COUNT]),
        encoding="utf-8",
    )
    stdout.write(f"survey: {DEMO_CODE_COUNT} Demo-Zugangscodes in {path}")
    return path


def seed(*, stdout) -> None:
    from survey.results import demo as results_demo

    seed_2019(stdout)
    seed_mobility(stdout)
    seed_code_survey(stdout)
    if settings.DEMO_MODE:
        demo_codes_write(stdout)
    # Codes the 2019 free texts into themes, releases a few quotes and publishes the results.
    results_demo.seed(stdout=stdout)
    stdout.write(
        "survey: Bürgerbefragungen vorhanden ("
        + ", ".join(Survey.objects.order_by("opens_at").values_list("title", flat=True))
        + ")."
    )
