"""Template tags through which the portal's pages show events (portal imports no app above it).
They only render: the page's view asks the selectors (``portal.page_context``, registered in
``EventsConfig``)."""

from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from events.selectors import registration_closed_reason

register = template.Library()


@register.inclusion_tag("events/includes/upcoming_events.html")
def upcoming_events(events, municipality=None, topic=None):
    """The next events (``selectors.event_list_next``), optionally of one municipality or topic:
    ``{% upcoming_events upcoming_events %}``,
    ``{% upcoming_events upcoming_events municipality=municipality %}``,
    ``{% upcoming_events upcoming_events topic=topic %}``.
    """
    return {"events": events or [], "municipality": municipality, "topic": topic}


@register.inclusion_tag("events/includes/survey_events.html")
def survey_events(events):
    """``{% survey_events presenting_events %}``: the events that presented a survey's
    results (``selectors.events_for_survey``), on the results page."""
    return {"events": events or []}


@lru_cache(maxsize=2048)
def _event_when(starts_at: datetime, ends_at: datetime, language: str, zone: str) -> str:
    return render_to_string(
        "events/includes/event_when.html",
        {"event": SimpleNamespace(starts_at=starts_at, ends_at=ends_at)},
    )


@register.simple_tag
def event_when(event) -> SafeString:
    """``{% event_when event %}``: when the event takes place, as
    ``events/includes/event_when.html`` renders it ("Dienstag, 3. März 2027, 18:00 bis
    20:00 Uhr"). Rendered once per process for each start, end, language and time zone:
    formatting dates with their translated day and month names is the most expensive part
    of an event list, and the text depends on nothing else."""
    if settings.DEBUG:  # a template edited in development shows at once
        _event_when.cache_clear()
    # A SafeString: rendered by the template with autoescaping.
    return _event_when(
        event.starts_at, event.ends_at, get_language(), timezone.get_current_timezone_name()
    )


@register.simple_tag
def event_places(event) -> str:
    """ "noch 12 Plätze frei", "ausgebucht – Warteliste" or "ausgebucht" for an event in a
    list annotated by ``selectors.with_places``; empty for events without registration,
    closed ones and lists without the annotation (no query here)."""
    taken = getattr(event, "places_taken", None)
    if taken is None or not event.takes_registrations or not event.capacity:
        return ""
    is_open = registration_closed_reason(event=event) is None
    left = max(event.capacity - taken, 0)
    if left and is_open:
        return ngettext("%(count)s place left", "%(count)s places left", left) % {"count": left}
    if is_open:
        return _("fully booked – waiting list open")
    if not left and not event.is_past:
        return _("fully booked")
    return ""


@register.simple_tag
def feed_urls(municipality=None, topic=None) -> dict:
    """Where to subscribe to a page's news and events: absolute URLs of the news feeds (RSS,
    Atom) and the calendar, the calendar also as webcal:// (calendar apps subscribe to it
    with one tap; the https address is the fallback for the rest).
    ``{% feed_urls municipality=municipality as feeds %}``."""
    site = settings.SITE_URL
    if municipality or topic:  # a missing template variable is "", not None
        kind, obj = ("kommune", municipality) if municipality else ("thema", topic)
        slug = {"kind": kind, "slug": obj.slug}
        rss = reverse("portal:news_feed_filtered", kwargs=slug)
        atom = reverse("portal:news_feed_filtered_atom", kwargs=slug)
        calendar = reverse("events:feed") + "?" + urlencode({kind: obj.slug})
        name = obj.name
    else:
        rss, atom = reverse("portal:news_feed"), reverse("portal:news_feed_atom")
        calendar, name = reverse("events:feed"), ""
    return {
        "name": name,
        "rss": site + rss,
        "atom": site + atom,
        "calendar": site + calendar,
        "webcal": "webcal://" + urlsplit(site).netloc + calendar,
    }
