"""Template tags through which the portal's pages show events (portal imports no app above it).
They only render: the page's view asks the selectors (``portal.page_context``, registered in
``EventsConfig``)."""

from urllib.parse import urlencode, urlsplit

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
