"""Surveys in the site search (/suche/), registered in ``SurveyConfig.ready``.

A survey whose results are published is found as its results page ("Ergebnisse: …"), every
other public survey as its start page; drafts never. Only the title and the introduction
are searched (never answers, free texts or access codes).
"""

from django.db.models import Case, CharField, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.search import SearchResult, fulltext_search, result_snippet
from survey.models import Survey, SurveyStatus


def search_surveys(query: str, *, limit: int = 20) -> list[SearchResult]:
    published = Value(_("Results"))
    surveys = Survey.objects.public().annotate(
        results_label=Case(
            When(status=SurveyStatus.PUBLISHED, then=published),
            default=Value(""),
            output_field=CharField(),
        )
    )
    rows = fulltext_search(
        surveys,
        query,
        fields={"title": "A", "results_label": "A", "intro": "B"},
        snippet_field="intro",
        limit=limit,
    )
    results = []
    for survey in rows:
        if survey.status == SurveyStatus.PUBLISHED:
            title = _("Results: %(title)s") % {"title": survey.title}
            url = reverse("survey:results", kwargs={"slug": survey.slug})
            kind = _("Survey results")
        else:
            title, url, kind = survey.title, survey.get_absolute_url(), _("Survey")
        results.append(
            SearchResult(
                title=title,
                url=url,
                snippet=result_snippet(survey, query),
                kind=kind,
                rank=float(survey.rank),
                date=survey.opens_at,
            )
        )
    return results


def survey_vocabulary() -> QuerySet:
    """Words for "Meinten Sie …": titles of public surveys."""
    return Survey.objects.public().values_list("title")
