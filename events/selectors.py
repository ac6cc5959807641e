"""Reads for the event pages, calendars and exports; query shapes are decided here."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from events.models import Event, EventStatus, Registration, RegistrationStatus
from portal.models import Municipality, Topic

# How far back the subscribable calendar reaches; older events stay on the website.
FEED_PAST_DAYS = 365
# What secrets.token_urlsafe(32) gives (events.models.new_cancel_token), with some slack.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def event_list_upcoming(
    *, municipality: Municipality | None = None, kind: str = "", now: datetime | None = None
) -> QuerySet[Event]:
    """Upcoming events with their free places (``places_taken``, ``waiting_count``): one
    query for the whole list."""
    events = with_places(Event.objects.public(now).upcoming(now).select_related("municipality"))
    return _filtered(events, municipality=municipality, kind=kind)


def with_places(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate what the list says about registering: persons confirmed, registrations
    waiting (``{% event_places event %}`` renders it)."""
    return events.annotate(
        places_taken=Sum(
            "registrations__persons",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED),
            default=0,
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
        ),
    )


def event_list_past(
    *, municipality: Municipality | None = None, kind: str = "", now: datetime | None = None
) -> QuerySet[Event]:
    events = Event.objects.public(now).past(now).select_related("municipality")
    return _filtered(events, municipality=municipality, kind=kind)


def _filtered(events: QuerySet[Event], *, municipality, kind) -> QuerySet[Event]:
    if municipality is not None:
        events = events.filter(municipality=municipality)
    if kind:
        events = events.filter(kind=kind)
    return events


def event_list_next(
    *,
    limit: int = 3,
    municipality: Municipality | None = None,
    topic: Topic | None = None,
    now: datetime | None = None,
) -> list[Event]:
    """The next events for a teaser box: one query, whatever is filtered."""
    events = with_places(Event.objects.public(now).upcoming(now).select_related("municipality"))
    if municipality is not None:
        events = events.filter(municipality=municipality)
    if topic is not None:
        events = events.filter(topics=topic)
    return list(events[:limit])


def events_for_survey(*, survey) -> list[Event]:
    """The public events that presented a survey or its results (``Event.related_survey``),
    in date order, for the survey's results page: one query."""
    return list(
        Event.objects.public()
        .filter(related_survey=survey)
        .select_related("municipality")
        .order_by("starts_at", "pk")
    )


def event_detail(*, slug: str, preview_for: Municipality | bool | None = False) -> Event:
    """The public event with everything its page shows (raises Event.DoesNotExist).

    ``preview_for`` (staff preview): drafts and scheduled events too; None for staff who may
    see every event, a municipality for an editor limited to it (only its events, as in the
    admin).
    """
    events = Event.objects.select_related(
        "municipality", "related_survey", "image"
    ).prefetch_related("topics", "documents")
    if preview_for is False:
        events = events.public()
    elif preview_for is not None:
        events = events.filter(municipality=preview_for)
    return events.get(slug=slug)


def event_public_get(*, slug: str, **filters) -> Event:
    """A public event for its .ics file and registration form (raises Event.DoesNotExist)."""
    return Event.objects.public().select_related("municipality").get(slug=slug, **filters)


def event_calendar_feed(
    *,
    municipality: Municipality | None = None,
    topic: Topic | None = None,
    now: datetime | None = None,
) -> QuerySet[Event]:
    """Events of the subscribable calendar: everything upcoming and the last year's."""
    since = (now or timezone.now()) - timedelta(days=FEED_PAST_DAYS)
    events = (
        Event.objects.public(now)
        .filter(ends_at__gte=since)
        .select_related("municipality")
        .order_by("starts_at", "pk")
    )
    if municipality is not None:
        events = events.filter(municipality=municipality)
    if topic is not None:
        events = events.filter(topics=topic)
    return events


@dataclass(frozen=True)
class RegistrationState:
    """What the event page and the form say about registering."""

    capacity: int
    places_taken: int
    waiting: int
    closes_at: datetime
    closed_reason: str | None

    @property
    def is_open(self) -> bool:
        return self.closed_reason is None

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


def registration_closed_reason(*, event: Event, now: datetime | None = None) -> str | None:
    """Why nobody can register now, as a sentence for the visitor; None while it is open."""
    now = now or timezone.now()
    if not event.takes_registrations:
        return _("This event does not take registrations.")
    if event.status == EventStatus.CANCELLED:
        return _("This event has been cancelled, so registration is closed.")
    if event.status == EventStatus.POSTPONED:
        return _("This event has been postponed. Registration opens again with the new date.")
    if event.starts_at <= now:
        return _("This event has already taken place; registration is closed.")
    if event.registration_deadline and event.registration_deadline < now:
        return _("The registration deadline passed on %(date)s.") % {
            "date": date_format(timezone.localtime(event.registration_deadline), "DATETIME_FORMAT")
        }
    return None


def event_registration_state(*, event: Event, now: datetime | None = None) -> RegistrationState:
    """Places taken and waiting-list length in one query."""
    counts = Registration.objects.filter(event=event).aggregate(
        taken=Sum("persons", filter=Q(status=RegistrationStatus.CONFIRMED), default=0),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
    )
    return RegistrationState(
        capacity=event.capacity or 0,
        places_taken=counts["taken"],
        waiting=counts["waiting"],
        closes_at=event.registration_closes_at,
        closed_reason=registration_closed_reason(event=event, now=now),
    )


def event_places_taken(*, event: Event) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).aggregate(
        taken=Sum("persons", default=0)
    )["taken"]


def registration_by_token(*, slug: str, token: str) -> Registration:
    """The registration behind a cancel or confirmation link (raises
    Registration.DoesNotExist). Anything that cannot be a token never reaches the database."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise Registration.DoesNotExist
    return Registration.objects.select_related("event").get(
        event__slug=slug, cancel_token=token, anonymised_at__isnull=True
    )


def registrations_for_export(*, registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    # Unconfirmed registrations are not registrations yet: they may be a stranger's address.
    return (
        registrations.filter(anonymised_at__isnull=True)
        .exclude(status=RegistrationStatus.UNCONFIRMED)
        .select_related("event")
        .order_by("event__starts_at", "event__pk", "status", "created_at", "pk")
    )


def registration_request_open(*, email: str, event: Event, now: datetime) -> bool:
    """Whether the address has an open request for this event or another, or one the owner
    of the address has cancelled ("that was not me"): no further mail until it runs out."""
    return (
        Registration.objects.filter(email__iexact=email, confirm_by__gt=now)
        .filter(
            Q(status=RegistrationStatus.CANCELLED)
            | (Q(status=RegistrationStatus.UNCONFIRMED) & ~Q(event=event))
        )
        .exists()
    )
