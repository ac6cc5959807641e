"""The search builds its SQL once per process and reads the pages' vector from a column
PostgreSQL keeps (portal migration 0015); it must find exactly what the search built from
Django's expressions on every call found, ranked and highlighted the same, and a page
edited by staff must be found by its new words with the next search."""

import pytest
from django.db import connection

from events.search import search_events
from portal.models import Page
from portal.search import fulltext, providers, search
from portal.search.query import parse_query
from survey.search import search_surveys
from tests.portal import search_reference

pytestmark = pytest.mark.django_db

QUERIES = [
    "Radweg",
    "Radwege",
    "Mügeln",
    "Muegeln",
    "MÜGELN",
    "Wermsdorf Ortsteile",
    '"Bürgerbefragung 2019"',
    "Radweg -Oschatz",
    "Bus or Bahn",
    "und",
    "der die das",
    "Feuerwehr Oschatz",
    "Ergebnisse",
    "Ortsteile",
    "Datenschutz Auskunft",
    "Barrierefreiheit",
    "Impressum",
    "Straße",
    "Strasse",
    "-Radweg",
    # tsquery syntax typed by a visitor is text, never operators.
    "a & b | !c:* <-> d",
    "Rad' || 'weg",
    "\\' ); DROP TABLE portal_page; --",
    "Kommunalforum Naundorf -2026 or Workshop",
]


@pytest.fixture
def demo_site(demo_content_for_module, db):
    """The demo content, seeded once for the module (tests/conftest.py)."""


def reference_search(query: str) -> list[tuple]:
    """The search with every provider's SQL built from Django's expressions anew and the
    page vector computed from the fields (the implementation before; since issue 18's
    single statement, the providers of before: tests/portal/search_reference.py)."""
    original = fulltext._postgres_search

    def rebuilt(queryset, parsed, *, fields, snippet_field, html_fields, stored_vector):
        return fulltext._postgres_search_reference(
            queryset, parsed, fields=fields, snippet_field=snippet_field, html_fields=html_fields
        )

    fulltext._postgres_search = rebuilt
    try:
        return rows(search_reference.reference_search(query))
    finally:
        fulltext._postgres_search = original


def rows(results) -> list[tuple]:
    return [(r.title, r.url, str(r.snippet), r.kind, round(r.rank, 9), r.date) for r in results]


def test_same_results_as_the_search_built_anew(demo_site):
    compared = 0
    for query in QUERIES:
        expected = reference_search(query)
        assert rows(search(query)) == expected, query
        compared += len(expected)
    assert compared > 40  # the demo content is found, so the comparison means something


def test_the_tsquery_is_the_same_as_built_term_by_term(demo_site):
    with connection.cursor() as cursor:
        for query in QUERIES:
            parsed = parse_query(query)
            if not parsed:
                continue
            reference = fulltext._tsquery_reference(parsed)
            cursor.execute(f"SELECT ({reference.sql})::text", reference.params)
            expected = cursor.fetchone()[0]
            arrays = fulltext._tsquery_arrays(parsed)
            params = [
                arrays[p] if isinstance(p, fulltext._Slot) else p
                for p in [fulltext.SEARCH_CONFIG, fulltext.SEARCH_CONFIG, *fulltext.SLOTS]
            ]
            cursor.execute(f"SELECT ({fulltext.TSQUERY_SQL})::text", params)
            # The same tree: PostgreSQL prints a parsed tsquery in one canonical form.
            cursor.execute("SELECT %s::tsquery::text", [cursor.fetchone()[0]])
            assert cursor.fetchone()[0] == expected, query


def test_the_stored_page_vector_is_the_computed_one(demo_site):
    matches, _rank, _snippet = fulltext._postgres_expressions(
        fulltext._tsquery(),
        fields={"title": "A", "description": "B", "body": "C"},
        snippet_field="body",
        html_fields=("body",),
    )
    query = Page.objects.all().query
    sql, params = query.get_compiler(connection=connection).compile(
        matches.source_expressions[0].resolve_expression(query)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {providers.PAGE_VECTOR} = {sql})"
            " FROM portal_page",
            params,
        )
        total, equal = cursor.fetchone()
    assert total >= 5
    assert equal == total


def test_an_edited_page_is_found_by_its_new_words_at_once(client, demo_site):
    """Attack: the stored vector lags behind an edit, so the page is found by words it no
    longer has and not by its new ones."""

    def found(query: str) -> list[str]:
        return [r.url for r in client.get("/suche/", {"q": query}).context["results"]]

    page = Page.objects.get(slug="impressum")
    assert found("Quastenflosser") == []
    page.body = "<p>Der Quastenflosser lebt im Indischen Ozean.</p>"
    page.save()
    assert found("Quastenflosser") == ["/impressum/"]

    page.body = "<p>Der Pfeilschwanzkrebs lebt an der Küste.</p>"
    page.save()

    assert found("Quastenflosser") == []
    assert found("Pfeilschwanzkrebs") == ["/impressum/"]
    snippet = client.get("/suche/", {"q": "Pfeilschwanzkrebs"}).context["results"][0].snippet
    assert "<mark>Pfeilschwanzkrebs</mark>" in str(snippet)


def test_providers_of_other_apps_give_the_same_results(demo_site):
    for query in ("Radverkehr Workshop", "Befragung", "Mobilität 2026", "Ergebnisse"):
        expected_surveys = search_surveys(query)
        expected_events = search_events(query)
        fulltext._compiled_sql.clear()  # built again: the same SQL
        assert rows(search_surveys(query)) == rows(expected_surveys)
        assert rows(search_events(query)) == rows(expected_events)
