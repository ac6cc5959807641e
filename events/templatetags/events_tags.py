"""Template tags through which the portal's pages show events (portal imports no app above it).
They only render: the page's view asks the selectors (``portal.page_context``, registered in
``EventsConfig``)."""

from django import template

register = template.Library()


@register.inclusion_tag("events/includes/upcoming_events.html")
def upcoming_events(events, municipality=None, topic=None):
    """The next events (``selectors.event_list_next``), optionally of one municipality or topic:
    ``{% upcoming_events upcoming_events %}``,
    ``{% upcoming_events upcoming_events municipality=municipality %}``,
    ``{% upcoming_events upcoming_events topic=topic %}``.
    """
    return {"events": events or [], "municipality": municipality, "topic": topic}
