"""iCalendar (RFC 5545) files for one event and for the subscribable feed."""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from events.models import Event, EventStatus

BERLIN = ZoneInfo("Europe/Berlin")
PRODID = "-//Oschatzer Land – Collmregion//Termine//DE"
# The part after "@" keeps UIDs globally unique; it must never change, even with the domain.
UID_DOMAIN = "termine.oschatzerland.de"

ICS_STATUS = {
    EventStatus.PLANNED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
    EventStatus.POSTPONED: "TENTATIVE",
}


def event_uid(event: Event) -> str:
    return f"{event.uid}@{UID_DOMAIN}"


def event_summary(event: Event) -> str:
    """The title, with the status spelled out: many calendar apps ignore STATUS."""
    if event.status == EventStatus.CANCELLED:
        return _("CANCELLED: %(title)s") % {"title": event.title}
    if event.status == EventStatus.POSTPONED:
        return _("POSTPONED: %(title)s") % {"title": event.title}
    return event.title


def _location(event: Event) -> str:
    if event.kind == "online" and not event.venue_name:
        return event.online_url or _("Online")
    parts = [event.venue_name, event.address]
    return ", ".join(part for part in parts if part)


def _description(event: Event, url: str) -> str:
    parts = []
    if event.status != EventStatus.PLANNED:
        status = str(event.get_status_display())
        parts.append(f"{status}: {event.status_note}" if event.status_note else status)
    text = strip_tags(event.description).strip()
    if text:
        parts.append(text)
    parts.append(url)
    return "\n\n".join(parts)


def build_calendar(
    events: Iterable[Event], *, base_url: str, name: str, now: datetime | None = None
) -> bytes:
    """One VCALENDAR with a VEVENT per event and the VTIMEZONE for Europe/Berlin."""
    stamp = (now or timezone.now()).astimezone(ZoneInfo("UTC"))
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Berlin")
    years = []
    for event in events:
        url = base_url + event.get_absolute_url()
        starts_at = event.starts_at.astimezone(BERLIN)
        ends_at = event.ends_at.astimezone(BERLIN)
        years += [starts_at.year, ends_at.year]
        vevent = icalendar.Event()
        vevent.add("uid", event_uid(event))
        vevent.add("sequence", event.sequence)
        vevent.add("dtstamp", stamp)
        vevent.add("last-modified", event.updated_at.astimezone(ZoneInfo("UTC")))
        vevent.add("created", event.created_at.astimezone(ZoneInfo("UTC")))
        vevent.add("dtstart", starts_at)
        vevent.add("dtend", ends_at)
        vevent.add("summary", event_summary(event))
        vevent.add("status", ICS_STATUS[event.status])
        vevent.add("categories", [event.get_kind_display()])
        vevent.add("location", _location(event))
        vevent.add("url", url)
        vevent.add("description", _description(event, url))
        calendar.add_component(vevent)
    if years:
        calendar.add_missing_timezones(
            first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
        )
    else:
        # A VCALENDAR needs at least one component (RFC 5545 3.6), even with no events.
        calendar.add_component(icalendar.Timezone.from_tzid("Europe/Berlin"))
    return calendar.to_ical()


def event_ics_file(event: Event) -> tuple[str, str]:
    """File name and text of one event's .ics (as the event page offers it), in German,
    for a mail attachment."""
    with translation.override(settings.LANGUAGE_CODE):
        content = build_calendar([event], base_url=settings.SITE_URL, name=event.title)
    return f"{event.slug}.ics", content.decode()
