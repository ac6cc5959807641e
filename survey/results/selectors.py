"""Reads of the results side: the (cached) results of a survey, the publication, what
topic and municipality pages show, and the response monitoring."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from portal.memo import VersionedMemo
from portal.models import Municipality, Topic
from survey.kinds import kind_values
from survey.kinds.base import number_text
from survey.models import (
    Answer,
    Channel,
    Option,
    Question,
    Response,
    ResultsPublication,
    Survey,
    SurveyStatus,
)
from survey.results import caching
from survey.results.compute import compute_results
from survey.results.dimensions import CHANNEL_BREAKDOWN
from survey.results.municipalities import (
    OPTION_ORDER,
    municipality_question_id,
    participation_rows,
)
from survey.results.shapes import ParticipationRow, SurveyResults


def _hidden_questions(survey: Survey) -> QuerySet:
    return ResultsPublication.hidden_questions.through.objects.filter(
        resultspublication__survey=survey
    )


# Per worker, in front of the cache: computed results under their results version (read
# from the database on every call), so the municipality, topic and results pages do not
# recompute them, also without a shared cache (``portal.memo``). A few surveys with a few
# breakdowns each, two languages: well below the bound.
_results_memo = VersionedMemo(
    "survey-results", max_entries=64, seconds=settings.SURVEY_RESULTS_CACHE_SECONDS
)


def _remembered(key: str, compute: Callable[[], Any]) -> Any:
    """The value under ``key`` from this worker's memo, else from the cache, else computed
    (and kept in both)."""

    def from_cache() -> Any:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, timeout=settings.SURVEY_RESULTS_CACHE_SECONDS)
        return value

    return _results_memo.get_or_compute(key, from_cache)


def _allowed_breakdowns(survey: Survey, version: int) -> set[str]:
    return _remembered(
        caching.breakdowns_key(survey.pk, version),
        lambda: {
            *Question.objects.filter(
                survey=survey, is_breakdown=True, kind__in=kind_values("can_break_down")
            )
            .exclude(pk__in=_hidden_questions(survey).values("question_id"))
            .values_list("code", flat=True),
            CHANNEL_BREAKDOWN,
        },
    )


def survey_results(
    *, survey: Survey, breakdown: str | None = None, weighted: bool = True
) -> SurveyResults:
    """The results of a survey, optionally broken down by a question code or the channel.

    Hidden questions are included but flagged; pages for the public use
    ``public_sections()``. An unknown breakdown, or one by a question staff did not
    publish, is ignored. ``weighted``: percentages and means weighted when the survey has
    weighting targets (``compute_results``). Cached until ``survey_results_invalidate`` (in
    this worker's memory and in the cache); on a miss
    ``compute_results`` counts responses that arrived since into the tallies first
    (``survey.results.tallies``).
    """
    return survey_results_and_version(survey=survey, breakdown=breakdown, weighted=weighted)[0]


def survey_results_and_version(
    *,
    survey: Survey,
    breakdown: str | None = None,
    weighted: bool = True,
    version: int | None = None,
) -> tuple[SurveyResults, int]:
    """``survey_results`` and the results version they belong to (read once), for a page
    that keeps HTML made from them under that version (``{% part %}``). ``version``: the
    results version when the caller has just read it (else it is read here)."""
    if version is None:
        version = caching.results_version(survey.pk)
    if breakdown and breakdown not in _allowed_breakdowns(survey, version):
        # Unknown values never reach the cache key: no cache flooding, no odd characters.
        breakdown = None
    results = _remembered(
        caching.results_key(survey.pk, version, breakdown, weighted=weighted),
        lambda: compute_results(survey=survey, breakdown=breakdown, weighted=weighted),
    )
    return results, version


def publication_for(*, survey: Survey) -> ResultsPublication | None:
    return ResultsPublication.objects.filter(survey=survey).select_related("published_by").first()


def results_as_of(*, survey: Survey, publication: ResultsPublication | None) -> datetime.date:
    """The day the published figures refer to ("Stand"): the day staff set, else the day the
    survey closed. Never later than the day the results were published (today in a
    preview): a survey that staff closed early still has its planned end in the future."""
    published_at = publication.published_at if publication else None
    latest = timezone.localdate(published_at) if published_at else timezone.localdate()
    day = (publication.data_as_of if publication else None) or timezone.localdate(survey.closes_at)
    return min(day, latest)


def results_are_public(*, survey: Survey) -> bool:
    return survey.status == SurveyStatus.PUBLISHED


# --- On the portal's pages (registered in SurveyConfig.ready) --------------------------------


def survey_topic_findings(*, topic: Topic) -> list[dict]:
    """The published survey questions linked to a topic, each with its main finding."""
    questions = (
        Question.objects.filter(topics=topic, survey__status=SurveyStatus.PUBLISHED)
        .exclude(survey__publication__hidden_questions=F("pk"))
        .select_related("survey")
        .prefetch_related("topics")
        .order_by("-survey__opens_at", "section__position", "position")
    )
    entries = []
    by_survey = {}  # several questions of a topic often come from the same survey
    for question in questions:
        if question.survey_id not in by_survey:
            by_survey[question.survey_id] = survey_results(survey=question.survey)
        result = by_survey[question.survey_id].question(question.pk)
        if result is None or result.is_hidden:
            continue
        summary = _topic_summary(result, question=question, topic=topic)
        if summary is not None:
            entries.append({"survey": question.survey, "result": result, "summary": summary})
    return entries


def _topic_summary(result, *, question: Question, topic: Topic) -> str | None:
    """The finding a topic page shows for a question. A question whose answers are topics
    ("which topics should the municipalities tackle?") is linked to all of them; its top
    answer belongs to one topic only, so each topic page shows its own answer's share and
    rank, or nothing (None) when this topic is no answer or its share is withheld."""
    linked = {linked_topic.name.casefold() for linked_topic in question.topics.all()}
    if not any(row.label.casefold() in linked for row in result.rows):
        return result.summary
    ranked = sorted(result.rows, key=lambda row: -row.cells[0].count)
    for rank, row in enumerate(ranked, start=1):
        if row.label.casefold() == topic.name.casefold() and row.cells[0].percent is not None:
            return gettext("“%(label)s” chosen by %(percent)s %% (rank %(rank)s of %(of)s).") % {
                "label": row.label,
                "percent": number_text(row.cells[0].percent),
                "rank": rank,
                "of": len(ranked),
            }
    return None


def survey_municipality_participation(
    *, municipality: Municipality, version: str | None = None
) -> list[dict]:
    """How many people from a municipality took part in each published survey, with the
    breakdown by the residence question where the public may choose it.

    ``version``: what ``caching.municipality_results_version`` just read (the surveys and
    their results versions), so neither is read again."""
    versions = None
    if version is not None:
        versions = {
            int(survey_id): int(counter)
            for survey_id, counter in (pair.split(":") for pair in version.split(",") if pair)
        }
    if versions == {}:
        return []
    if versions is None:
        surveys = Survey.objects.filter(
            status=SurveyStatus.PUBLISHED, questions__options__municipality=municipality
        ).distinct()
    else:
        surveys = Survey.objects.filter(pk__in=versions)
    entries = []
    for survey in surveys:
        results = survey_results_and_version(
            survey=survey, version=versions.get(survey.pk) if versions else None
        )[0]
        for row in results.by_municipality:
            if row.municipality_id == municipality.pk:
                result = results.question(results.municipality_question_id)
                codes = {code for code, _label in results.breakdown_choices}
                code = result.code if result and result.code in codes else ""
                entries.append({"survey": survey, "row": row, "breakdown": code})
    return entries


# --- Response monitoring (staff, while the survey runs) --------------------------------------


@dataclass
class Monitoring:
    per_day: list[dict]  # day, total, one count per channel value, bar
    total: int
    channels: list[dict]  # label, count
    municipalities: list[ParticipationRow]


def _responses_per_day(survey: Survey) -> list[dict]:
    days: dict = {}
    for row in (
        Response.objects.filter(survey=survey)
        .values("submitted_on", "channel")
        .annotate(n=Count("id"))
        .order_by("submitted_on")
    ):
        day = days.setdefault(row["submitted_on"], {"day": row["submitted_on"], "total": 0})
        day[row["channel"]] = row["n"]
        day["total"] += row["n"]
    per_day = list(days.values())
    peak = max((d["total"] for d in per_day), default=0)
    for day in per_day:
        day["bar"] = f"{day['total'] * 100 / peak:.1f}" if peak else "0"
    return per_day


def _monitoring_municipalities(survey: Survey, total: int) -> list[ParticipationRow]:
    """The residence question's municipalities (the same question as in the results, hidden
    or not: staff see it), answers counted live."""
    options = list(
        Option.objects.filter(question__survey=survey, municipality__isnull=False)
        .select_related("municipality")
        .order_by(*OPTION_ORDER)
    )
    question_id = municipality_question_id(options)
    options = [o for o in options if o.question_id == question_id]
    counts = dict(
        Answer.objects.filter(question_id=question_id, option__in=options)
        .values_list("option_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return participation_rows(options, counts, total)


def survey_monitoring(*, survey: Survey) -> Monitoring:
    """While the survey runs: responses per day and channel, per municipality vs population.
    Three queries (two without a residence question), whatever the number of responses."""
    per_day = _responses_per_day(survey)
    total = sum(d["total"] for d in per_day)
    channels = [
        {"label": label, "count": sum(d.get(value, 0) for d in per_day)}
        for value, label in Channel.choices
    ]
    return Monitoring(
        per_day=per_day,
        total=total,
        channels=channels,
        municipalities=_monitoring_municipalities(survey, total),
    )
