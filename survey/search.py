"""Surveys in the site search (/suche/), registered in ``SurveyConfig.ready`` as a
``SearchSource``.

A survey whose results are published is found as its results page ("Ergebnisse: …"), every
other public survey as its start page; drafts never. Only the title and the introduction
are searched (never answers, free texts or access codes). The vector is computed per
search (the translated word "Ergebnisse" is part of it), over a handful of surveys.
"""

from django.db.models import Case, CharField, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.search import SearchResult, SearchSource, result_snippet
from survey.models import Survey, SurveyStatus


def _public_surveys() -> QuerySet:
    published = Value(_("Results"))
    return Survey.objects.public().annotate(
        results_label=Case(
            When(status=SurveyStatus.PUBLISHED, then=published),
            default=Value(""),
            output_field=CharField(),
        )
    )


def _survey_result(survey, query: str) -> SearchResult:
    if survey.status == SurveyStatus.PUBLISHED:
        title = _("Results: %(title)s") % {"title": survey.title}
        url = reverse("survey:results", kwargs={"slug": survey.slug})
        kind = _("Survey results")
    else:
        title, url, kind = survey.title, survey.get_absolute_url(), _("Survey")
    return SearchResult(
        title=title,
        url=url,
        snippet=result_snippet(survey, query),
        kind=kind,
        rank=float(survey.rank),
        date=survey.opens_at,
    )


# Callable as a provider of its own: ``search_surveys(query, limit=20)``.
search_surveys = SearchSource(
    queryset=_public_surveys,
    fields={"title": "A", "results_label": "A", "intro": "B"},
    snippet_field="intro",
    read=("title", "slug", "status", "opens_at"),
    result=_survey_result,
    default_limit=20,
)


def survey_vocabulary() -> QuerySet:
    """Words for "Meinten Sie …": titles of public surveys."""
    return Survey.objects.public().values_list("title")
