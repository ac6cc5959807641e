"""The portal's own search providers: news, pages, municipalities, topics and ideas."""

from django.db.models import QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from portal.search import (
    SearchResult,
    fulltext_search,
    highlight,
    register_search_provider,
    result_snippet,
    search_results,
)


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


def _news_vocabulary() -> QuerySet:
    from portal.models import NewsArticle

    return NewsArticle.objects.published().values_list("title")


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


def _page_vocabulary() -> QuerySet:
    from portal.models import Page

    return Page.objects.published().values_list("title")


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


def _municipality_vocabulary() -> QuerySet:
    from portal.models import Municipality

    return Municipality.objects.annotate(
        words=Concat("name", Value(" "), "districts", output_field=TextField())
    ).values_list("words")


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


def _topic_vocabulary() -> QuerySet:
    from portal.models import Topic

    return Topic.objects.values_list("name")


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


def _idea_vocabulary() -> QuerySet:
    return _shown_ideas().values_list("title")


def register_portal_providers() -> None:
    register_search_provider("portal.news", _news_provider, vocabulary=_news_vocabulary)
    register_search_provider("portal.pages", _page_provider, vocabulary=_page_vocabulary)
    register_search_provider(
        "portal.municipalities", _municipality_provider, vocabulary=_municipality_vocabulary
    )
    register_search_provider("portal.topics", _topic_provider, vocabulary=_topic_vocabulary)
    register_search_provider("portal.ideas", _idea_provider, vocabulary=_idea_vocabulary)
