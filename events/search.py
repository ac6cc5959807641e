"""Events for the site search (/suche/): the portal's search registry calls this function.

PostgreSQL: full-text search with the German configuration, ranked; other databases
(the SQLite demo): a simple case-insensitive match.
"""

from django.db import connection
from django.db.models import Q, QuerySet

from events.models import Event

SEARCH_FIELDS = ["title", "description", "venue_name", "results"]


def search_events(query: str, *, limit: int = 20) -> QuerySet[Event]:
    query = (query or "").strip()
    if not query:
        return Event.objects.none()
    events = Event.objects.select_related("municipality")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A", config="german") + SearchVector(
            "description", "venue_name", "results", weight="B", config="german"
        )
        search = SearchQuery(query, config="german", search_type="websearch")
        return (
            events.annotate(rank=SearchRank(vector, search))
            .filter(rank__gt=0)
            .order_by("-rank", "-starts_at")[:limit]
        )
    condition = Q()
    for field in SEARCH_FIELDS:
        condition |= Q(**{f"{field}__icontains": query})
    return events.filter(condition).order_by("-starts_at")[:limit]
