"""The search vector of pages, stored (PostgreSQL only; the SQLite demo matches in Python).

A generated column that PostgreSQL keeps up to date on every write: the same vector the
search computed for every page on every search (``portal.search.providers._page_provider``;
the privacy policy alone is 10 KB of German text to stem). Not a model field: Django never
writes or reads it; the search names it (``stored_vector``), and a test checks that it
equals the vector computed from the fields.
"""

from django.db import migrations

VECTOR = (
    "(setweight(to_tsvector('german'::regconfig, COALESCE((title)::text, '')), 'A')"
    " || setweight(to_tsvector('german'::regconfig, COALESCE((description)::text, '')), 'B'))"
    " || setweight(to_tsvector('german'::regconfig,"
    " COALESCE(regexp_replace(body, '<[^>]*>', ' ', 'g'), '')), 'C')"
)


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE portal_page ADD COLUMN search_vector tsvector"
            f" GENERATED ALWAYS AS ({VECTOR}) STORED"
        )


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE portal_page DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [("portal", "0014_menu_items")]

    operations = [migrations.RunPython(add_column, drop_column, elidable=False)]
