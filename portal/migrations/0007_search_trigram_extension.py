"""pg_trgm for the search's "Meinten Sie …" suggestions (similarity of title words).

pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13, so
the owner of the database may create it without superuser rights. Nothing happens on SQLite
(the suggestions use difflib there).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_editor_profile_protects_limit"),
    ]

    operations = [TrigramExtension()]
