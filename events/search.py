"""Events in the site search (/suche/), registered with the portal's search registry in
``EventsConfig.ready``. The portal's ``fulltext_search`` does the work: German full-text
search on PostgreSQL, a folded substring match on the SQLite demo. Only public events (no
drafts, nothing scheduled); registrations (names, e-mail addresses) are never searched."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from events.models import Event
from portal.search import SearchResult, fulltext_search, search_results


def search_events(query: str, *, limit: int = 20) -> list[SearchResult]:
    query = (query or "").strip()
    if not query:
        return []
    rows = fulltext_search(
        Event.objects.public(),
        query,
        fields={"title": "A", "description": "B", "venue_name": "B", "results": "C"},
        snippet_field="description",
        html_fields=("description", "results"),
        limit=limit,
    )
    return search_results(rows, query, kind=_("Event"), date="starts_at")


def event_vocabulary() -> QuerySet:
    """Words for "Meinten Sie …": event titles."""
    return Event.objects.public().values_list("title")
