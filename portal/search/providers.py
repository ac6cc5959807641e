"""The portal's own search sources: news, pages, municipalities, topics and ideas.

Declared (``portal.search.SearchSource``), so that the search over all of them is one SQL
statement on PostgreSQL; each is also callable as a provider of its own.
"""

from functools import partial

from django.db.models import QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from portal.search import (
    SearchResult,
    SearchSource,
    highlight,
    register_search_provider,
    result_snippet,
)
from portal.search.fulltext import row_result


def _news() -> QuerySet:
    from portal.models import NewsArticle

    return NewsArticle.objects.published()


def _news_result(row, query: str) -> SearchResult:
    return SearchResult(
        title=row.title,
        url=row.get_absolute_url(),
        snippet=result_snippet(row, query)
        if (row.snippet or "").strip()
        else highlight(row.teaser),
        kind=str(_("News")),
        rank=float(row.rank) + 0.01,  # news slightly ahead of equal-ranked pages
        date=row.published_at,
    )


news_source = SearchSource(
    queryset=_news,
    fields={"title": "A", "teaser": "B", "body": "C"},
    snippet_field="body",
    html_fields=("body",),
    read=("title", "slug", "teaser", "published_at"),
    result=_news_result,
    stored_vector="search_vector",
)


def _news_vocabulary() -> QuerySet:
    return _news().values_list("title")


# The vector of these fields, kept by PostgreSQL (portal migration 0015).
PAGE_VECTOR = "search_vector"


def _pages() -> QuerySet:
    from portal.models import Page

    return Page.objects.published()


page_source = SearchSource(
    queryset=_pages,
    fields={"title": "A", "description": "B", "body": "C"},
    snippet_field="body",
    html_fields=("body",),
    read=("title", "slug"),
    result=partial(row_result, kind=_("Page")),
    stored_vector=PAGE_VECTOR,
)


def _page_vocabulary() -> QuerySet:
    return _pages().values_list("title")


def _municipalities() -> QuerySet:
    from portal.models import Municipality

    # The page lists the districts under "n Ortsteile", so that word finds them too (the
    # label is translated: the vector is computed per search, not stored).
    label = Value(f"{_('districts (Ortsteile)')} ")
    return Municipality.objects.annotate(
        district_text=Concat(label, "districts", output_field=TextField())
    )


municipality_source = SearchSource(
    queryset=_municipalities,
    fields={"name": "A", "district_text": "B", "portrait": "C", "head_name": "C"},
    snippet_field="portrait",
    html_fields=("portrait",),  # rich text since the media library (migration 0011)
    read=("name", "slug"),
    result=partial(row_result, kind=_("Municipality"), title="name"),
)


def _municipality_vocabulary() -> QuerySet:
    from portal.models import Municipality

    return Municipality.objects.annotate(
        words=Concat("name", Value(" "), "districts", output_field=TextField())
    ).values_list("words")


def _topics() -> QuerySet:
    from portal.models import Topic

    return Topic.objects.all()


topic_source = SearchSource(
    queryset=_topics,
    fields={"name": "A", "description": "B"},
    snippet_field="description",
    html_fields=("description",),
    read=("name", "slug"),
    result=partial(row_result, kind=_("Topic"), title="name"),
    stored_vector="search_vector",
)


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


idea_source = SearchSource(
    queryset=_shown_ideas,
    fields={"title": "A", "text": "B", "reply": "C"},
    snippet_field="text",
    read=("title",),
    result=partial(row_result, kind=_("Idea")),
    stored_vector="search_vector",
)


def _idea_vocabulary() -> QuerySet:
    return _shown_ideas().values_list("title")


def register_portal_providers() -> None:
    register_search_provider("portal.news", news_source, vocabulary=_news_vocabulary)
    register_search_provider("portal.pages", page_source, vocabulary=_page_vocabulary)
    register_search_provider(
        "portal.municipalities", municipality_source, vocabulary=_municipality_vocabulary
    )
    register_search_provider("portal.topics", topic_source, vocabulary=_topic_vocabulary)
    register_search_provider("portal.ideas", idea_source, vocabulary=_idea_vocabulary)
