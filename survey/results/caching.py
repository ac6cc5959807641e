"""The cache of computed results: keys, and the version that invalidates them.

The computed results are cached per survey, breakdown and language. The survey's results
version lives in the database (``portal.caching.named_version``), so every app server and
worker computes anew after ``survey_results_invalidate``, with or without a shared cache.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection, transaction
from django.utils.translation import get_language

from portal.caching import bump_content_version, bump_named_version, named_version
from portal.models import CacheVersion
from survey.models import Option, Question, ResultsPublication, Survey, SurveyStatus

# Bumped whenever the shape of the cached results changes, so old entries are ignored.
FORMAT_VERSION = 4


_VERSION_PREFIX = "survey-results:"


def _version_name(survey_id: int) -> str:
    return f"{_VERSION_PREFIX}{survey_id}"


def results_version(survey_id: int) -> int:
    """The survey's results version: one query, the same on every server."""
    return named_version(_version_name(survey_id))


@lru_cache(maxsize=4)
def _municipality_versions_sql(vendor: str) -> str:
    """Built once per process (the municipality page asks on every render)."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, field: str) -> str:
        return quote(model._meta.get_field(field).column)

    return (
        f"SELECT s.{column(Survey, 'id')}, COALESCE(v.{column(CacheVersion, 'counter')}, 0)"
        f" FROM {table(Survey)} s LEFT JOIN {table(CacheVersion)} v"
        f" ON v.{column(CacheVersion, 'name')} = %s || CAST(s.{column(Survey, 'id')} AS varchar)"
        f" WHERE s.{column(Survey, 'status')} = %s AND EXISTS (SELECT 1 FROM {table(Question)} q"
        f" JOIN {table(Option)} o ON o.{column(Option, 'question')} = q.{column(Question, 'id')}"
        f" WHERE q.{column(Question, 'survey')} = s.{column(Survey, 'id')}"
        f" AND o.{column(Option, 'municipality')} = %s)"
        f" ORDER BY s.{column(Survey, 'id')}"
    )


def municipality_results_version(*, municipality) -> str:
    """Which published surveys ask for ``municipality`` as an answer, each with its results
    version ("3:17,8:2"), in one query: what a municipality page's survey summary
    (``survey_municipality_participation``) is kept under. It changes at once when results
    are counted or changed (``survey_results_invalidate``) and when a survey is published or
    withdrawn, on every worker and app server."""
    with connection.cursor() as cursor:
        cursor.execute(
            _municipality_versions_sql(connection.vendor),
            [_VERSION_PREFIX, SurveyStatus.PUBLISHED, municipality.pk],
        )
        return ",".join(f"{survey_id}:{counter}" for survey_id, counter in cursor.fetchall())


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
