"""Search over news, pages and municipalities with German stemming on PostgreSQL."""

import pytest

from portal.search import SearchResult, highlight, register_search_provider, search_providers
from tests.factories import NewsArticleFactory, PageFactory

pytestmark = pytest.mark.django_db


def test_stemming_radwege_finds_radweg(client):
    NewsArticleFactory(title="Neuer Radweg nach Mügeln", body="<p>Der Radweg ist fertig.</p>")
    body = client.get("/suche/?q=Radwege").content.decode()
    assert "Neuer Radweg nach Mügeln" in body
    assert "<mark>Radweg</mark>" in body


def test_results_are_ranked_title_before_body(client):
    NewsArticleFactory(title="Allgemeines", body="<p>Auch die Feuerwehr war da.</p>")
    NewsArticleFactory(title="Feuerwehr bekommt neues Fahrzeug")
    body = client.get("/suche/?q=Feuerwehr").content.decode()
    assert body.index("Feuerwehr bekommt neues Fahrzeug") < body.index("Allgemeines")


def test_search_covers_pages_and_municipalities(client):
    PageFactory(title="Leitbild", body="<p>Gemeinsam, natürlich und stark.</p>")
    body = client.get("/suche/?q=natürlich").content.decode()
    assert "Leitbild" in body
    body = client.get("/suche/?q=Zschöllau").content.decode()  # a district of Oschatz
    assert "Oschatz" in body


def test_highlighting_is_xss_safe(client):
    NewsArticleFactory(
        title="Sicherheit",
        body="<p>Radweg &lt;script&gt;alert(1)&lt;/script&gt; Radweg</p>",
    )
    body = client.get("/suche/?q=Radweg+<script>").content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 10_000,
        "'; DROP TABLE portal_newsarticle; --",
        "Radweg OR 1=1",
        '"unclosed',
        "a & | ! ( ) :* <->",
        "\x01\x02",  # NUL is refused before the view (400, tests/ops/test_payloads.py)
    ],
)
def test_absurd_queries_answer_normally(client, query):
    NewsArticleFactory(title="Radweg")
    response = client.get("/suche/", {"q": query})
    assert response.status_code == 200


def test_highlight_escapes_before_marking():
    assert str(highlight("<b>Rad</b> & Weg", terms=["rad"])) == "<mark>Rad</mark> &amp; Weg"


def test_other_apps_register_search_providers(client):
    def provider(query, *, limit):
        return [
            SearchResult(
                title="Regionalforum 2026",
                url="/termine/x/",
                snippet=highlight(""),
                kind="Termin",
                rank=1.0,
            )
        ]

    original = search_providers()
    register_search_provider("test.events", provider)
    try:
        assert "Regionalforum 2026" in client.get("/suche/?q=forum").content.decode()
    finally:
        from portal import search

        search._providers.clear()
        search._providers.update(original)


@pytest.mark.parametrize("count", [1, 40])
def test_search_query_count_is_constant(client, django_assert_num_queries, count):
    for number in range(count):
        NewsArticleFactory(title=f"Radweg {number}")
    # Counted: one ranked query per provider (news, pages, municipalities, events).
    with django_assert_num_queries(4):
        client.get("/suche/?q=Radweg")
