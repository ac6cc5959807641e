"""The events app's panels on the staff start page (see portal.dashboard)."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import (
    Event,
    EventPublication,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from portal.dashboard import PANEL_ITEMS, RECENT_DAYS, Panel, PanelItem, admin_url, when
from portal.selectors import editor_municipality

NEXT_DAYS = 14


def _scoped(events, user, lookup="municipality"):
    municipality = editor_municipality(user)
    if municipality is not None:
        return events.filter(**{lookup: municipality})
    return events


def _counted(queryset, rows) -> int:
    return len(rows) if len(rows) < PANEL_ITEMS else queryset.count()


def _publication_note(event: Event) -> str:
    if event.publication == EventPublication.DRAFT:
        return _("Draft")
    if event.is_scheduled:
        return _("Scheduled for %(date)s") % {"date": when(event.publish_at)}
    return ""


def _status_note(event: Event) -> str:
    # "Planned" is every event's normal state (and "Geplant" in German, like "scheduled").
    return "" if event.status == EventStatus.PLANNED else str(event.get_status_display())


def events_next(user) -> Panel:
    """Events of the next 14 days, drafts included (they may still need publishing)."""
    now = timezone.now()
    events = _scoped(
        Event.objects.filter(ends_at__gte=now, starts_at__lte=now + timedelta(days=NEXT_DAYS)),
        user,
    )
    rows = list(events.select_related("municipality").order_by("starts_at", "pk")[:PANEL_ITEMS])
    items = []
    for event in rows:
        note = ", ".join(
            part
            for part in (
                when(event.starts_at),
                _status_note(event),
                _publication_note(event),
            )
            if part
        )
        items.append(PanelItem(event.title, admin_url(event), note))
    return Panel(
        title=_("Events in the next %(days)d days") % {"days": NEXT_DAYS},
        count=_counted(events, rows),
        items=items,
        more_url=reverse("admin:events_event_changelist"),
        more_label=_("All events"),
        empty=_("No events in the next %(days)d days.") % {"days": NEXT_DAYS},
    )


def events_drafts_and_scheduled(user) -> Panel:
    now = timezone.now()
    events = _scoped(
        Event.objects.filter(
            Q(publication=EventPublication.DRAFT)
            | Q(publication=EventPublication.PUBLISHED, publish_at__gt=now)
        ),
        user,
    )
    rows = list(events.order_by("-updated_at", "-pk")[:PANEL_ITEMS])
    return Panel(
        title=_("Events: drafts and scheduled"),
        count=_counted(events, rows),
        items=[
            PanelItem(event.title, admin_url(event), _publication_note(event)) for event in rows
        ],
        more_url=reverse("admin:events_event_changelist") + "?veroeffentlichung=entwurf",
        more_label=_("All drafts"),
        empty=_("No drafts, nothing scheduled."),
    )


def registrations_new(user) -> Panel:
    """Confirmed registrations and waiting-list places of the last days, per event: names
    stay in the admin list (personal data on the start page only as counts)."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    registrations = _scoped(
        Registration.objects.filter(
            created_at__gte=since,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING],
            anonymised_at__isnull=True,
        ),
        user,
        lookup="event__municipality",
    )
    rows = list(registrations.select_related("event").order_by("-created_at", "-pk")[:PANEL_ITEMS])
    items = [
        PanelItem(
            registration.event.title,
            admin_url(registration),
            ", ".join(
                [
                    ngettext("%(count)d person", "%(count)d persons", registration.persons)
                    % {"count": registration.persons},
                    registration.get_status_display(),
                    when(registration.created_at),
                ]
            ),
        )
        for registration in rows
    ]
    return Panel(
        title=_("New registrations (last %(days)d days)") % {"days": RECENT_DAYS},
        count=_counted(registrations, rows),
        items=items,
        more_url=reverse("admin:events_registration_changelist"),
        more_label=_("All registrations"),
        empty=_("No new registrations."),
    )


def register_events_panels() -> None:
    from portal.dashboard import register_panel

    register_panel("events-next", events_next, permission="events.view_event", order=30)
    register_panel(
        "registrations", registrations_new, permission="events.view_registration", order=20
    )
    register_panel(
        "events-drafts", events_drafts_and_scheduled, permission="events.view_event", order=55
    )
