"""The search as it was before the single statement (issue 18): the seven providers, each
one Django queryset per search, copied verbatim from portal/search/providers.py,
events/search.py and survey/search.py of commit 8a15563, and ``search()`` of that commit.
The reference the tests compare the new search with (tests/portal/test_search_union.py)."""

from django.db.models import Case, CharField, QuerySet, TextField, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from events.models import Event
from portal.search import (
    SearchResult,
    fulltext_search,
    highlight,
    result_snippet,
    search_results,
)
from portal.search.query import normalize_query, parse_query
from survey.models import Survey, SurveyStatus


def _news_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import NewsArticle

    rows = fulltext_search(
        NewsArticle.objects.published(),
        query,
        fields={"title": "A", "teaser": "B", "body": "C"},
        snippet_field="body",
        html_fields=("body",),
        limit=limit,
    )
    return [
        SearchResult(
            title=row.title,
            url=row.get_absolute_url(),
            snippet=result_snippet(row, query)
            if (row.snippet or "").strip()
            else highlight(row.teaser),
            kind=str(_("News")),
            rank=float(row.rank) + 0.01,  # news slightly ahead of equal-ranked pages
            date=row.published_at,
        )
        for row in rows
    ]


# The vector of these fields, kept by PostgreSQL (portal migration 0015).
PAGE_VECTOR = "search_vector"


def _page_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import Page

    rows = fulltext_search(
        Page.objects.published(),
        query,
        fields={"title": "A", "description": "B", "body": "C"},
        snippet_field="body",
        html_fields=("body",),
        limit=limit,
        stored_vector=PAGE_VECTOR,
    )
    return search_results(rows, query, kind=str(_("Page")))


def _municipality_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import Municipality

    # The page lists the districts under "n Ortsteile", so that word finds them too.
    label = Value(f"{_('districts (Ortsteile)')} ")
    rows = fulltext_search(
        Municipality.objects.annotate(
            district_text=Concat(label, "districts", output_field=TextField())
        ),
        query,
        fields={"name": "A", "district_text": "B", "portrait": "C", "head_name": "C"},
        snippet_field="portrait",
        html_fields=("portrait",),  # rich text since the media library (migration 0011)
        limit=limit,
    )
    return search_results(rows, query, kind=str(_("Municipality")), title="name")


def _topic_provider(query: str, *, limit: int) -> list[SearchResult]:
    from portal.models import Topic

    rows = fulltext_search(
        Topic.objects.all(),
        query,
        fields={"name": "A", "description": "B"},
        snippet_field="description",
        html_fields=("description",),
        limit=limit,
    )
    return search_results(rows, query, kind=str(_("Topic")), title="name")


def _shown_ideas() -> QuerySet:
    """The approved ideas the idea page shows (its link target must exist on the page).

    Only title, text and the cooperation's reply are searched: never the sender's name or
    e-mail address, and never an idea that is not approved.
    """
    from portal import selectors
    from portal.models import Idea

    shown = selectors.ideas_approved().values("pk")[: selectors.IDEAS_ON_PAGE]
    return Idea.objects.approved().filter(pk__in=shown).only("title", "text", "reply")


def _idea_provider(query: str, *, limit: int) -> list[SearchResult]:
    rows = fulltext_search(
        _shown_ideas(),
        query,
        fields={"title": "A", "text": "B", "reply": "C"},
        snippet_field="text",
        limit=limit,
    )
    return search_results(rows, query, kind=str(_("Idea")))


def search_events(query: str, *, limit: int = 20) -> list[SearchResult]:
    query = (query or "").strip()
    if not query:
        return []
    rows = fulltext_search(
        Event.objects.public(),
        query,
        fields={"title": "A", "description": "B", "venue_name": "B", "results": "C"},
        snippet_field="description",
        html_fields=("description", "results"),
        limit=limit,
    )
    return search_results(rows, query, kind=_g("Event"), date="starts_at")


def search_surveys(query: str, *, limit: int = 20) -> list[SearchResult]:
    published = Value(_g("Results"))
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
            title = _g("Results: %(title)s") % {"title": survey.title}
            url = reverse("survey:results", kwargs={"slug": survey.slug})
            kind = _g("Survey results")
        else:
            title, url, kind = survey.title, survey.get_absolute_url(), _g("Survey")
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


PROVIDERS = [
    _news_provider,
    _page_provider,
    _municipality_provider,
    _topic_provider,
    _idea_provider,
    search_events,
    search_surveys,
]


def reference_search(query: str, *, limit: int = 50) -> list[SearchResult]:
    """``portal.search.search`` of commit 8a15563 over the seven providers above."""
    query = normalize_query(query)
    if not parse_query(query):
        return []
    results: list[SearchResult] = []
    for provider in PROVIDERS:
        results.extend(provider(query, limit=limit))
    results.sort(key=lambda result: (-result.rank, result.title))
    return results[:limit]
