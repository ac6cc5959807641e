"""Drop-out figures: how many questionnaires of a survey were started, reached each page and
were finished, per day.

Counted at the moment with a counter row per survey, day, stage (and page), incremented in
the database (``F("count") + 1``). Nothing about the participant is stored: no session key,
no token, no answers, no time of day; which pages a questionnaire has already been counted
for is known only to its own (sealed) session state.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from survey.models import ProgressCount, ProgressStage, Section, Survey


def progress_count(
    *,
    survey: Survey,
    stage: str,
    section: Section | None = None,
    today: datetime.date | None = None,
) -> None:
    """Add one to the day's counter of ``stage`` (of ``section`` for a page reached)."""
    today = today or timezone.localdate()
    section_id = section.pk if stage == ProgressStage.REACHED else None
    counters = ProgressCount.objects.filter(
        survey=survey, day=today, stage=stage, section_id=section_id
    )
    if counters.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ProgressCount.objects.create(
                survey=survey, day=today, stage=stage, section_id=section_id, count=1
            )
    except IntegrityError:
        # Another request created the day's counter meanwhile.
        counters.update(count=F("count") + 1)


@dataclass
class ProgressRow:
    label: str
    count: int
    percent: float | None  # of those who started
    section: Section | None = None

    @property
    def bar(self) -> int:
        """Width of the bar (whole percent: an SVG attribute, never localised)."""
        return min(100, round(self.percent or 0))


@dataclass
class Progress:
    started: int
    finished: int
    pages: list[ProgressRow]

    @property
    def finished_percent(self) -> float | None:
        return _percent(self.finished, self.started)

    @property
    def finished_bar(self) -> int:
        return min(100, round(self.finished_percent or 0))


def _percent(count: int, base: int) -> float | None:
    return round(100 * count / base, 1) if base else None


def survey_progress(*, survey: Survey) -> Progress:
    """Totals over all days: started, each page reached (in questionnaire order), finished.
    Two queries."""
    totals: dict[tuple[str, int | None], int] = {
        (row["stage"], row["section_id"]): row["n"]
        for row in ProgressCount.objects.filter(survey=survey)
        .values("stage", "section_id")
        .annotate(n=Sum("count"))
        .order_by()
    }
    started = totals.get((ProgressStage.STARTED, None), 0)
    pages = [
        ProgressRow(
            label=section.title,
            count=(n := totals.get((ProgressStage.REACHED, section.pk), 0)),
            percent=_percent(n, started),
            section=section,
        )
        for section in Section.objects.filter(survey=survey).order_by("position", "id")
    ]
    return Progress(
        started=started,
        finished=totals.get((ProgressStage.FINISHED, None), 0),
        pages=pages,
    )
