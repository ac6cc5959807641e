"""Words for "Meinten Sie …": the closest word of the findable titles to each typed word.

``source`` is a queryset of one text column (the providers' vocabularies).
"""

import difflib
import re

from django.db import connection
from django.db.models import QuerySet

from portal.search.query import fold

# pg_trgm similarity a title word needs to be offered for a mistyped word.
SUGGESTION_SIMILARITY = 0.45
SUGGESTION_RATIO = 0.8  # the same for difflib on SQLite
# What separates words in titles for the suggestion vocabulary (PostgreSQL regex): spaces,
# digits, ASCII punctuation, Latin-1 symbols and the general punctuation block (dashes,
# typographic quotes). Spelled out because [:alpha:] depends on the database's locale.
WORD_SEPARATORS = "[\\s\\d!-/:-@\\[-`{-~\u00a0-\u00bf\u2000-\u206f]+"


def closest_words_postgres(keys: list[str], *, source: QuerySet) -> dict[str, str]:
    """pg_trgm similarity of each folded word to the folded title words (migration 0006)."""
    source_sql, source_params = source.query.sql_with_params()
    sql = f"""
        WITH source(text) AS ({source_sql}),
        words AS (
            SELECT DISTINCT word
            FROM source CROSS JOIN LATERAL regexp_split_to_table(source.text, %s) AS word
            WHERE char_length(word) >= 3
        ),
        vocabulary AS (
            SELECT word, replace(replace(replace(replace(
                lower(word), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss') AS key
            FROM words
        )
        SELECT term.key, (
            SELECT vocabulary.word FROM vocabulary
            WHERE similarity(vocabulary.key, term.key) >= %s
            ORDER BY similarity(vocabulary.key, term.key) DESC, vocabulary.word
            LIMIT 1
        )
        FROM unnest(%s::text[]) AS term(key)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, (*source_params, WORD_SEPARATORS, SUGGESTION_SIMILARITY, keys))
        return {key: word for key, word in cursor.fetchall() if word}


def closest_words_python(keys: list[str], *, source: QuerySet) -> dict[str, str]:
    """The same with difflib, for the SQLite demo (no pg_trgm there)."""
    vocabulary: dict[str, str] = {}
    for (text,) in source:
        for word in re.findall(r"[^\W\d_]{3,}", text or ""):
            vocabulary.setdefault(fold(word), word)
    closest = {}
    for key in keys:
        if key in vocabulary:
            closest[key] = vocabulary[key]
            continue
        found = difflib.get_close_matches(key, vocabulary, n=1, cutoff=SUGGESTION_RATIO)
        if found:
            closest[key] = vocabulary[found[0]]
    return closest
