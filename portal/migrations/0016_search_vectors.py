"""Stored search vectors for news, topics and ideas, and GIN indexes (PostgreSQL only).

Generated columns like ``portal_page.search_vector`` (migration 0015): PostgreSQL computes
them in the same statement that writes the row, so the vector is never behind the text.
The same weighted vectors the search computed per row and search before
(``portal.search.providers``: the fields and weights of each source); not model fields, a
test checks that each equals the vector computed from the fields.
"""

from django.db import migrations

# table: ((column, weight, is HTML), …) as in the sources of portal.search.providers.
VECTORS = {
    "portal_newsarticle": (("title", "A", False), ("teaser", "B", False), ("body", "C", True)),
    "portal_topic": (("name", "A", False), ("description", "B", True)),
    "portal_idea": (("title", "A", False), ("text", "B", False), ("reply", "C", False)),
}
INDEXED = ("portal_page", *VECTORS)


def vector_sql(columns) -> str:
    parts = []
    for column, weight, html in columns:
        text = f"regexp_replace({column}, '<[^>]*>', ' ', 'g')" if html else f"({column})::text"
        parts.append(
            f"setweight(to_tsvector('german'::regconfig, COALESCE({text}, '')), '{weight}')"
        )
    return " || ".join(parts)


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector"
            f" GENERATED ALWAYS AS ({vector_sql(columns)}) STORED"
        )
    for table in INDEXED:
        schema_editor.execute(
            f"CREATE INDEX {table}_search_vector ON {table} USING gin (search_vector)"
        )


def drop_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS portal_page_search_vector")
    for table in VECTORS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [("portal", "0015_page_search_vector")]

    operations = [migrations.RunPython(add_columns, drop_columns, elidable=False)]
