"""The cache of computed results: keys, and the version that invalidates them.

The computed results are cached per survey, breakdown and language. The survey's results
version lives in the database (``portal.caching.named_version``), so every app server and
worker computes anew after ``survey_results_invalidate``, with or without a shared cache.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import get_language

from portal.caching import bump_content_version, bump_named_version, named_version
from survey.models import ResultsPublication, Survey, SurveyStatus

# Bumped whenever the shape of the cached results changes, so old entries are ignored.
FORMAT_VERSION = 4


def _version_name(survey_id: int) -> str:
    return f"survey-results:{survey_id}"


def results_version(survey_id: int) -> int:
    """The survey's results version: one query, the same on every server."""
    return named_version(_version_name(survey_id))


def results_key(
    survey_id: int, version: int, breakdown: str | None, *, weighted: bool = True
) -> str:
    return (
        f"survey-results:{FORMAT_VERSION}:{survey_id}:{version}:{get_language()}:"
        f"{breakdown or ''}:{'w' if weighted else 'u'}"
    )


def breakdowns_key(survey_id: int, version: int) -> str:
    return f"survey-results-breakdowns:{survey_id}:{version}"


def survey_results_invalidate(survey_id: int) -> None:
    """Forget the cached results of a survey (a response arrived, coding changed …).

    The version changes in the same transaction as the change that called for it.
    Published results also show on page-cached public pages (the results page, survey,
    topic and municipality pages), so those are invalidated too once the change is
    committed.
    """
    bump_named_version(_version_name(survey_id))
    if Survey.objects.filter(pk=survey_id, status=SurveyStatus.PUBLISHED).exists():
        transaction.on_commit(bump_content_version)


def weighting_changed(sender, instance, **kwargs) -> None:
    """Signal receiver: a weighting target or a survey's weight range changed."""
    survey_id = getattr(instance, "survey_id", None) or getattr(instance, "pk", None)
    if survey_id is not None:
        survey_results_invalidate(survey_id)


def publication_changed(sender, instance, **kwargs) -> None:
    """Signal receiver: what a publication hides, its threshold or date changed."""
    if isinstance(instance, ResultsPublication):
        survey_results_invalidate(instance.survey_id)
