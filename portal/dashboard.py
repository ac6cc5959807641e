"""The staff start page (/admin/): panels with each person's work.

Apps register panels in ``AppConfig.ready`` (the portal imports no other app)::

    register_panel("events-next", event_panel_next, permission="events.view_event")

A panel is shown only to staff with its permission; its provider gets the user and returns
a ``Panel`` (one or two queries, whatever the number of objects). Editors limited to one
municipality see only what the admin shows them (``editor_municipality``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.models import Idea, IdeaStatus, NewsArticle, NewsStatus, Page
from portal.selectors import editor_municipality

PANEL_ITEMS = 6
RECENT_DAYS = 7


@dataclass(frozen=True)
class PanelItem:
    label: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    count: int
    items: list[PanelItem] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""
    empty: str = ""
    key: str = ""


@dataclass(frozen=True)
class _Registration:
    provider: Callable
    permissions: tuple[str, ...]
    order: int


_PANELS: dict[str, _Registration] = {}


def register_panel(key: str, provider: Callable, *, permission: str, order: int = 50) -> None:
    """``permission`` ("app.codename"; several separated by "|": any of them) decides who
    sees the panel; ``order`` its place on the page."""
    _PANELS[key] = _Registration(provider, tuple(permission.split("|")), order)


def panels_for(user) -> list[Panel]:
    """The panels this staff member may see, in their order."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return []
    shown = []
    for key, entry in sorted(_PANELS.items(), key=lambda item: (item[1].order, item[0])):
        if any(user.has_perm(permission) for permission in entry.permissions):
            shown.append(_keyed(entry.provider(user), key))
    return shown


def _keyed(panel: Panel, key: str) -> Panel:
    return Panel(**{**panel.__dict__, "key": key})


def when(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def admin_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


# --- the portal's panels ----------------------------------------------------------------------


def ideas_to_moderate(user) -> Panel:
    ideas = Idea.objects.filter(status=IdeaStatus.NEW)
    municipality = editor_municipality(user)
    if municipality is not None:
        ideas = ideas.filter(municipality=municipality)
    rows = list(
        ideas.only("pk", "title", "created_at").order_by("-created_at", "-pk")[:PANEL_ITEMS]
    )
    count = len(rows) if len(rows) < PANEL_ITEMS else ideas.count()
    url = reverse("admin:portal_idea_changelist") + f"?status__exact={IdeaStatus.NEW}"
    return Panel(
        title=_("New ideas to moderate"),
        count=count,
        items=[PanelItem(idea.title, admin_url(idea), when(idea.created_at)) for idea in rows],
        more_url=url,
        more_label=_("All new ideas"),
        empty=_("No new ideas."),
    )


def news_drafts_and_scheduled(user) -> Panel:
    now = timezone.now()
    articles = NewsArticle.objects.filter(
        Q(status=NewsStatus.DRAFT) | Q(status=NewsStatus.PUBLISHED, published_at__gt=now)
    )
    municipality = editor_municipality(user)
    if municipality is not None:
        articles = articles.filter(municipalities=municipality)
    rows = list(
        articles.only("pk", "title", "status", "published_at", "updated_at").order_by(
            "-updated_at", "-pk"
        )[:PANEL_ITEMS]
    )
    count = len(rows) if len(rows) < PANEL_ITEMS else articles.count()
    items = []
    for article in rows:
        if article.status == NewsStatus.DRAFT:
            note = _("Draft")
        else:
            note = _("Scheduled for %(date)s") % {"date": when(article.published_at)}
        items.append(PanelItem(article.title, admin_url(article), note))
    return Panel(
        title=_("News: drafts and scheduled"),
        count=count,
        items=items,
        more_url=reverse("admin:portal_newsarticle_changelist") + "?status=draft",
        more_label=_("All drafts"),
        empty=_("No drafts, nothing scheduled."),
    )


def pages_unpublished(user) -> Panel:
    pages = Page.objects.filter(is_published=False)
    rows = list(
        pages.only("pk", "title", "updated_at").order_by("-updated_at", "-pk")[:PANEL_ITEMS]
    )
    count = len(rows) if len(rows) < PANEL_ITEMS else pages.count()
    return Panel(
        title=_("Unpublished pages"),
        count=count,
        items=[PanelItem(page.title, admin_url(page), _("Draft")) for page in rows],
        more_url=reverse("admin:portal_page_changelist") + "?is_published__exact=0",
        more_label=_("All pages"),
        empty=_("Every page is published."),
    )


# Tests an app registers: staff for whom one returns True see only their own changes there
# (the survey app: analysts limited to assigned surveys). The portal imports no other app.
_OWN_CHANGES_ONLY: list[Callable] = []


def register_own_changes_only(test: Callable) -> None:
    _OWN_CHANGES_ONLY.append(test)


def recent_changes(user) -> Panel:
    """What staff changed in the last days, in content this person may view. An editor
    limited to one municipality or to assigned surveys sees only their own changes (titles
    of other municipalities' drafts or other surveys' questions are not theirs to read)."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    entries = LogEntry.objects.filter(action_time__gte=since).select_related("content_type", "user")
    if editor_municipality(user) is not None or any(test(user) for test in _OWN_CHANGES_ONLY):
        # Limited to a municipality or to assigned surveys: what others changed may be
        # outside that limit (titles of drafts, questions of other surveys).
        entries = entries.filter(user=user)
    elif not user.is_superuser:
        entries = entries.filter(content_type__in=_viewable_content_types(user))
    rows = list(entries.order_by("-action_time", "-pk")[:PANEL_ITEMS])
    items = [
        PanelItem(
            entry.object_repr,
            entry.get_admin_url() if not entry.is_deletion() else "",
            _("%(kind)s, %(user)s, %(date)s")
            % {
                "kind": entry.content_type.name if entry.content_type else "",
                "user": entry.user.get_username(),
                "date": when(entry.action_time),
            },
        )
        for entry in rows
    ]
    return Panel(
        title=_("Recent changes"),
        count=len(rows),
        items=items,
        empty=_("No changes in the last %(days)d days.") % {"days": RECENT_DAYS},
    )


def _viewable_content_types(user) -> list[int]:
    perms = user.get_all_permissions()  # cached on the user object
    labels = {
        (perm.split(".", 1)[0], perm.split(".", 1)[1].split("_", 1)[1])
        for perm in perms
        if "." in perm and perm.split(".", 1)[1].startswith(("view_", "change_"))
    }
    types = ContentType.objects.get_for_models(
        *[model for model in _models() if (model._meta.app_label, model._meta.model_name) in labels]
    )
    return [content_type.pk for content_type in types.values()]


def _models():
    from django.apps import apps

    return apps.get_models()


def register_portal_panels() -> None:
    register_panel("ideas", ideas_to_moderate, permission="portal.change_idea", order=10)
    register_panel(
        "news-drafts", news_drafts_and_scheduled, permission="portal.view_newsarticle", order=50
    )
    register_panel("pages-drafts", pages_unpublished, permission="portal.view_page", order=60)
    register_panel(
        "recent",
        recent_changes,
        permission="admin.view_logentry|portal.view_newsarticle|portal.view_page",
        order=90,
    )
