"""Template tags through which the portal's pages show events (portal imports no app above it)."""

from django import template

from events import selectors

register = template.Library()


@register.inclusion_tag("events/includes/upcoming_events.html")
def upcoming_events(limit=3, municipality=None, topic=None):
    """The next events, optionally of one municipality or topic: one query.

    ``{% upcoming_events limit=3 %}``, ``{% upcoming_events municipality=municipality %}``,
    ``{% upcoming_events topic=topic %}``.
    """
    return {
        "events": selectors.event_list_next(limit=limit, municipality=municipality, topic=topic),
        "municipality": municipality,
        "topic": topic,
    }
