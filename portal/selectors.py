"""Reads for the portal pages; query shapes are decided here."""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from portal.models import (
    LEGAL_PAGES,
    EditorProfile,
    Idea,
    Municipality,
    NewsArticle,
    Page,
    Topic,
)

logger = logging.getLogger(__name__)

IDEAS_ON_PAGE = 50  # the idea page shows this many approved ideas, newest first


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.all()


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


FOOTER_KEY = "portal:footer-pages"
FOOTER_SECONDS = 300  # how old the footer may be on another worker without a shared cache


def footer_pages() -> tuple[tuple[str, str], ...]:
    """Title and address of the published pages marked "show in footer", in position order,
    except the legal pages (the footer links them always).

    Every page shows the footer, so the list is kept in the cache (no query per page) and
    forgotten whenever a page is saved or deleted (``footer_pages_forget``). A cache that
    does not answer costs one query.
    """
    try:
        pages = cache.get(FOOTER_KEY)
    except Exception:  # the cache is away (Redis): read the pages
        logger.warning("footer cache unavailable", exc_info=True)
        pages = None
    if pages is None:
        pages = tuple(
            (page.title, page.get_absolute_url())
            for page in Page.objects.in_navigation()
            .exclude(slug__in=LEGAL_PAGES)
            .only("title", "slug")
        )
        try:
            cache.set(FOOTER_KEY, pages, timeout=FOOTER_SECONDS)
        except Exception:
            logger.warning("footer cache unavailable", exc_info=True)
    return pages


def footer_pages_forget(**kwargs) -> None:
    """Signal receiver for saves and deletes of pages: the next footer reads them anew, now
    and again after the commit (a footer read in between holds the old state)."""
    _footer_forget()
    transaction.on_commit(_footer_forget)


def _footer_forget() -> None:
    try:
        cache.delete(FOOTER_KEY)
    except Exception:
        logger.warning("footer cache unavailable", exc_info=True)


def _with_topics(queryset: QuerySet[NewsArticle]) -> QuerySet[NewsArticle]:
    return queryset.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("name", "slug", "position"))
    )


def news_list(
    *, topic: Topic | None = None, municipality: Municipality | None = None
) -> QuerySet[NewsArticle]:
    """Public articles, newest first, with their topics (one extra query per page)."""
    articles = NewsArticle.objects.published()
    if topic is not None:
        articles = articles.filter(topics=topic)
    if municipality is not None:
        articles = articles.filter(municipalities=municipality)
    return _with_topics(articles.select_related("image").defer("body"))


def news_latest(*, limit: int = 3) -> list[NewsArticle]:
    return list(NewsArticle.objects.published().select_related("image").defer("body")[:limit])


def editor_municipality(user) -> Municipality | None:
    """The municipality a staff member is limited to, or None (superusers are never limited).

    Remembered on the user object: the admin asks many times per request.
    """
    if not user.is_authenticated or user.is_superuser:
        return None
    if not hasattr(user, "_editor_municipality"):
        profile = EditorProfile.objects.filter(user=user).select_related("municipality").first()
        user._editor_municipality = profile.municipality if profile else None
    return user._editor_municipality


def news_for_preview(*, slug: str, municipality: Municipality | None = None) -> NewsArticle | None:
    """Any article, drafts included (staff preview); only those concerning ``municipality``
    if the staff member is limited to one."""
    articles = (
        NewsArticle.objects.select_related("image")
        .prefetch_related("topics", "municipalities")
        .filter(slug=slug)
    )
    if municipality is not None:
        articles = articles.filter(municipalities=municipality)
    return articles.first()


def news_detail(*, slug: str) -> NewsArticle | None:
    return (
        NewsArticle.objects.published()
        .select_related("image")
        .prefetch_related("topics", "municipalities")
        .filter(slug=slug)
        .first()
    )


def news_related(*, article: NewsArticle, limit: int = 3) -> list[NewsArticle]:
    """Other public articles sharing a topic or municipality, newest first."""
    topic_ids = [topic.pk for topic in article.topics.all()]
    municipality_ids = [municipality.pk for municipality in article.municipalities.all()]
    if not topic_ids and not municipality_ids:
        return []
    related = (
        NewsArticle.objects.published().exclude(pk=article.pk).select_related("image").defer("body")
    )
    sharing = NewsArticle.objects.filter(
        Q(topics__in=topic_ids) | Q(municipalities__in=municipality_ids)
    ).values("pk")
    return list(related.filter(pk__in=sharing)[:limit])


def news_for_topic(*, topic: Topic, limit: int = 5) -> list[NewsArticle]:
    return list(
        NewsArticle.objects.published()
        .filter(topics=topic)
        .select_related("image")
        .defer("body")[:limit]
    )


def news_for_municipality(*, municipality: Municipality, limit: int = 5) -> list[NewsArticle]:
    return list(
        NewsArticle.objects.published()
        .filter(municipalities=municipality)
        .select_related("image")
        .defer("body")[:limit]
    )


def ideas_approved(*, topic: Topic | None = None) -> QuerySet[Idea]:
    """Approved ideas without any personal field but the name the sender chose to give."""
    ideas = Idea.objects.approved().select_related("municipality", "topic").defer("email")
    if topic is not None:
        ideas = ideas.filter(topic=topic)
    return ideas
