"""The stored search vector of events (PostgreSQL only), like ``portal_page.search_vector``
(portal migrations 0015, 0016): a generated column PostgreSQL keeps in the same statement
that writes the row, with the fields and weights of ``events.search.search_events``, and
a GIN index."""

from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('german'::regconfig, COALESCE((title)::text, '')), 'A')"
    " || setweight(to_tsvector('german'::regconfig,"
    " COALESCE(regexp_replace(description, '<[^>]*>', ' ', 'g'), '')), 'B')"
    " || setweight(to_tsvector('german'::regconfig, COALESCE((venue_name)::text, '')), 'B')"
    " || setweight(to_tsvector('german'::regconfig,"
    " COALESCE(regexp_replace(results, '<[^>]*>', ' ', 'g'), '')), 'C')"
)


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE events_event ADD COLUMN search_vector tsvector"
            f" GENERATED ALWAYS AS ({VECTOR}) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX events_event_search_vector ON events_event USING gin (search_vector)"
        )


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE events_event DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [("events", "0008_event_publication")]

    operations = [migrations.RunPython(add_column, drop_column, elidable=False)]
