"""Events in the site search (/suche/), registered with the portal's search registry in
``EventsConfig.ready`` as a ``SearchSource``: German full-text search on PostgreSQL (the
vector stored in ``events_event.search_vector``, portal migration 0016), a folded
substring match on the SQLite demo. Only public events (no drafts, nothing scheduled);
registrations (names, e-mail addresses) are never searched."""

from functools import partial

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from events.models import Event
from portal.search import SearchSource
from portal.search.fulltext import row_result


def _public_events() -> QuerySet:
    return Event.objects.public()


# Callable as a provider of its own: ``search_events(query, limit=20)``.
search_events = SearchSource(
    queryset=_public_events,
    fields={"title": "A", "description": "B", "venue_name": "B", "results": "C"},
    snippet_field="description",
    html_fields=("description", "results"),
    read=("title", "slug", "starts_at"),
    result=partial(row_result, kind=_("Event"), date="starts_at"),
    stored_vector="search_vector",
    default_limit=20,
)


def event_vocabulary() -> QuerySet:
    """Words for "Meinten Sie …": event titles."""
    return Event.objects.public().values_list("title")
