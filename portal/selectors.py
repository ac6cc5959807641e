"""Reads for the portal pages; query shapes are decided here."""

import logging

from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from portal.cache_versions import bump_named_version, named_version
from portal.models import (
    MENU_VIEWS,
    EditorProfile,
    Idea,
    Menu,
    MenuItem,
    Municipality,
    NewsArticle,
    Topic,
)

logger = logging.getLogger(__name__)

IDEAS_ON_PAGE = 50  # the idea page shows this many approved ideas, newest first


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.all()


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


MENUS_VERSION = "portal:menus"
# Per process: the menus read for one version (see ``site_menus``).
_menus_memo: dict[str, tuple[tuple, dict[str, tuple[tuple[str, str], ...]]]] = {}


def site_menus(content_version: str | None = None) -> dict[str, tuple[tuple[str, str], ...]]:
    """Label and address of the shown entries of each menu ("main", "footer"), in order.

    Every page shows both menus, so they are kept in memory per process under a version in
    the database (``cache_versions.named_version``), which every save or delete of a menu
    entry or a page raises (``menus_changed``): one trivial query per page, and a change
    shows on every worker and app server with the next request.

    A page the page cache has just looked up passes the content version it read: menu
    entries and pages are public content, so their changes raise it as well, and the page
    needs no query of its own for the menus.
    """
    if content_version is not None:
        version = ("content", connection.alias, content_version)
    else:
        version = ("named", connection.alias, named_version(MENUS_VERSION))
    memo = _menus_memo.get(version[0])
    if memo is not None and memo[0] == version:
        return memo[1]
    menus: dict[str, list[tuple[str, str]]] = {menu: [] for menu in Menu.values}
    items = (
        MenuItem.objects.filter(is_active=True)
        .select_related("page")
        .order_by("menu", "position", "pk")
    )
    for item in items:
        target = _menu_target(item)
        if target is not None:
            menus[item.menu].append(target)
    result = {menu: tuple(entries) for menu, entries in menus.items()}
    _menus_memo[version[0]] = (version, result)
    return result


def _menu_target(item: MenuItem) -> tuple[str, str] | None:
    if item.page_id:
        if not item.page.is_published:
            return None
        return (item.label or item.page.title, item.page.get_absolute_url())
    if item.view_name:
        try:
            url = reverse(item.view_name)
        except NoReverseMatch:  # a section of an app that is not installed
            return None
        return (item.label or str(MENU_VIEWS.get(item.view_name, "")), url)
    return (item.label, item.url)


def forget_menus_memo() -> None:
    """For tests: a rolled-back test leaves the version where it was, with other entries."""
    _menus_memo.clear()


def menus_changed(**kwargs) -> None:
    """Signal receiver for menu entries and pages: every worker reads the menus anew."""
    bump_named_version(MENUS_VERSION)


def news_list(
    *, topic: Topic | None = None, municipality: Municipality | None = None
) -> QuerySet[NewsArticle]:
    """Public articles, newest first (the list shows no topics: no query for them)."""
    articles = NewsArticle.objects.published()
    if topic is not None:
        articles = articles.filter(topics=topic)
    if municipality is not None:
        articles = articles.filter(municipalities=municipality)
    return articles.select_related("image").defer("body")


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
