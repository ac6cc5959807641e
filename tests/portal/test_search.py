"""Search over news, pages, municipalities, topics, ideas, events and survey results:
German stemming on PostgreSQL, every word must occur, phrases, umlaut spellings, a
"Meinten Sie …" suggestion for typos."""

import re
from html import unescape

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import IdeaStatus
from portal.search import SearchResult, highlight, register_search_provider, search_providers
from survey.models import SurveyStatus
from tests.factories import (
    EventFactory,
    IdeaFactory,
    MunicipalityFactory,
    NewsArticleFactory,
    PageFactory,
    RegistrationFactory,
    SurveyFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

RESULT_LINK = re.compile(r'<li class="search-result">\s*<h2 class="h5"><a href="([^"]+)"')


def found(client, query: str) -> list[str]:
    """The result links of /suche/?q=query, in order."""
    response = client.get("/suche/", {"q": query})
    assert response.status_code == 200
    return [unescape(url) for url in RESULT_LINK.findall(response.content.decode())]


def found_news(client, query: str) -> list[str]:
    """Only the news among the results (the data migration's municipalities, topics and
    pages name real places too)."""
    return [url for url in found(client, query) if url.startswith("/aktuelles/")]


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
        "-",
        "or",
        "Radweg or",
        "or or or -",
        '"" ""',
        '"-Radweg"',
        "-Radweg",
        "und der die",
        "ü" * 300,
        "Straße!!! ???",
        "%_%",
    ],
)
def test_absurd_queries_answer_normally(client, query):
    NewsArticleFactory(title="Radweg")
    response = client.get("/suche/", {"q": query})
    assert response.status_code == 200


# Pieces a careless or hostile query is made of: operators of every syntax, quotes, umlauts,
# a Cyrillic "е" that looks Latin. (NUL bytes are the bad-input tests' business.)
QUERY_PIECES = st.sampled_from(
    [
        "Radweg",
        "Mügeln",
        "Muegeln",
        "or",
        "OR",
        "-",
        '"',
        "'",
        "&",
        "|",
        "!",
        ":*",
        "<->",
        "(",
        ")",
        "\\",
        "%",
        "_",
        "ß",
        "ÄÖÜ",
        "und",
        "ae",
        "uеe",
        "\u0308",
        "😀",
        " ",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pieces=st.lists(QUERY_PIECES, max_size=14), spacing=st.sampled_from(["", " "]))
def test_any_mix_of_operators_answers_normally(pieces, spacing):
    NewsArticleFactory(title="Radweg nach Mügeln", slug="radweg-muegeln")
    query = spacing.join(pieces)
    response = Client().get("/suche/", {"q": query})
    assert response.status_code == 200, query


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
    # Results of every kind, so a provider that reads a relation or a deferred field per
    # row (the ideas are loaded with only()) shows up here.
    for number in range(count):
        NewsArticleFactory(title=f"Radweg {number}")
        PageFactory(title=f"Radweg {number}")
        MunicipalityFactory(name=f"Radweg {number}")
        TopicFactory(name=f"Radweg {number}")
        IdeaFactory(title=f"Radweg {number}", status=IdeaStatus.APPROVED)
        SurveyFactory(title=f"Radweg {number}", status=SurveyStatus.CLOSED)
        EventFactory(title=f"Radweg {number}")
    # Counted: one statement over every source (news, pages, municipalities, topics,
    # ideas, events, surveys: before issue 18's single statement one query each, 9 in
    # all), the menus' version and entries.
    with django_assert_num_queries(3):
        response = client.get("/suche/?q=Radweg")
    assert response.content.decode().count('<li class="search-result">') == min(7 * count, 50)


@pytest.mark.parametrize("count", [1, 40])
def test_search_without_results_adds_one_suggestion_query(client, django_assert_num_queries, count):
    for number in range(count):
        NewsArticleFactory(title=f"Regionalforum {number}")
    # The statement over every source finds nothing; one more query looks for a
    # suggestion; the menus' version and entries (10 before the single statement).
    with django_assert_num_queries(4):
        body = client.get("/suche/?q=Regionalform").content.decode()
    assert "Regionalforum" in body


def test_search_is_never_page_cached(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    NewsArticleFactory(title="Radweg")
    client.get("/suche/?q=Radweg")
    with CaptureQueriesContext(connection) as queries:
        client.get("/suche/?q=Radweg")
    assert len(queries) > 0


# --- Every word must occur; phrases; or; minus ----------------------------------------------


def test_every_word_of_a_query_must_occur(client):
    """ts_rank gives non-matching rows a tiny positive rank: "rank > 0" listed everything."""
    both = NewsArticleFactory(title="Wermsdorf und seine Ortsteile")
    NewsArticleFactory(title="Wermsdorf feiert", body="<p>Ein Fest.</p>")
    NewsArticleFactory(title="Neue Ortsteile in Mügeln")
    NewsArticleFactory(title="Feuerwehr bekommt ein Fahrzeug")
    assert found_news(client, "Wermsdorf Ortsteile") == [both.get_absolute_url()]
    # The municipality's page lists its districts under "Ortsteile".
    assert set(found(client, "Wermsdorf Ortsteile")) == {
        both.get_absolute_url(),
        "/kommunen/wermsdorf/",
    }


def test_a_query_that_matches_nothing_finds_nothing(client):
    NewsArticleFactory(title="Radweg nach Oschatz")
    body = client.get("/suche/", {"q": "Schwimmbad Eisbahn"}).content.decode()
    assert RESULT_LINK.findall(body) == []
    assert "0 Ergebnisse" in body


def test_quotes_find_the_words_as_a_phrase(client):
    phrase = NewsArticleFactory(title="Förderung", body="<p>Für den sozialen Zusammenhalt.</p>")
    NewsArticleFactory(title="Sozial", body="<p>Zusammenhalt ist im Ort sozial wichtig.</p>")
    assert found(client, '"sozialen Zusammenhalt"') == [phrase.get_absolute_url()]
    assert found(client, '"Zusammenhalt sozialen"') == []


def test_or_and_minus(client):
    dahlen = NewsArticleFactory(title="Radweg in Dahlen")
    naundorf = NewsArticleFactory(title="Radweg in Naundorf")
    NewsArticleFactory(title="Radweg in Mügeln")
    NewsArticleFactory(title="Fest in Dahlen")
    assert set(found(client, "Radweg Dahlen or Naundorf")) == {
        dahlen.get_absolute_url(),
        naundorf.get_absolute_url(),
    }
    assert found(client, "Radweg -Mügeln -Naundorf") == [dahlen.get_absolute_url()]


# --- Umlauts, capitals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Muegeln", "Neuer Radweg nach Mügeln"),
        ("Buergerbefragung", "Die Bürgerbefragung beginnt"),
        ("Liebschuetzberg", "Feuerwehrfest in Liebschützberg"),
        ("Doellnitzbahn", "Fahrplan der Döllnitzbahn"),
        ("Oepnv", "Mehr ÖPNV am Wochenende"),
        ("Strasse", "Die Straße wird gesperrt"),
        ("MÜGELN", "Neuer Radweg nach Mügeln"),
        ("ÖPNV", "Mehr ÖPNV am Wochenende"),
        ("Mügeln", "Neuer Radweg nach Muegeln"),  # the other way round
        ("Straße", "Die Strasse wird gesperrt"),
        ("Mu\u0308geln", "Neuer Radweg nach Mügeln"),  # u + combining diaeresis
    ],
)
def test_umlauts_spelled_out_and_capitals_find_the_text(client, query, title):
    article = NewsArticleFactory(title=title)
    NewsArticleFactory(title="Etwas ganz anderes")
    assert found_news(client, query) == [article.get_absolute_url()]


# --- What is searchable, and what never is ---------------------------------------------------


def test_topics_municipalities_events_and_ideas_are_found(client):
    topic = TopicFactory(name="Streuobstwiesen", slug="streuobst", description="Alte Sorten.")
    place = MunicipalityFactory(name="Sornzig", slug="sornzig", districts="Ablaß\nKlosterbuch")
    event = EventFactory(title="Streuobstwiesen pflegen", slug="streuobst-pflegen")
    idea = IdeaFactory(title="Streuobstwiesen retten", status=IdeaStatus.APPROVED)
    assert set(found(client, "Streuobstwiesen")) == {
        topic.get_absolute_url(),
        event.get_absolute_url(),
        idea.get_absolute_url(),
    }
    assert found(client, "Klosterbuch") == [place.get_absolute_url()]


def test_unpublished_ideas_and_senders_are_never_found(client):
    IdeaFactory(title="Hängebrücke bauen", status=IdeaStatus.NEW)
    IdeaFactory(title="Seilbahn bauen", status=IdeaStatus.REJECTED)
    IdeaFactory(
        title="Bänke am See",
        text="Zum Ausruhen.",
        name="Hildegard Sommerfeld",
        email="hildegard.sommerfeld@example.org",
        status=IdeaStatus.APPROVED,
    )
    for query in [
        "Hängebrücke",
        "Seilbahn",
        "Hildegard",
        "Sommerfeld",
        "hildegard.sommerfeld@example.org",
        "example.org",
    ]:
        assert found(client, query) == [], query


def test_unpublished_pages_are_never_found_or_suggested(client):
    PageFactory(
        title="Geheimseite Umgehungsstraße",
        slug="geheimseite",
        body="<p>Trassenvarianten, nur intern.</p>",
        is_published=False,
    )

    assert found(client, "Geheimseite") == []
    assert found(client, "Trassenvarianten") == []
    body = client.get("/suche/", {"q": "Geheimseitd"}).content.decode()
    assert "search-suggestion" not in body
    assert "Geheimseite" not in body


def test_event_registrations_are_never_found(client):
    RegistrationFactory(name="Jana Richter", email="jana.richter@example.org")
    assert found(client, "Richter") == []
    assert found(client, "jana.richter@example.org") == []


def test_survey_results_only_when_published(client):
    published = SurveyFactory(title="Spielplatzbefragung", status=SurveyStatus.PUBLISHED)
    SurveyFactory(title="Spielplatzbefragung Entwurf", slug="entwurf", status=SurveyStatus.DRAFT)
    closed = SurveyFactory(
        title="Spielplatzbefragung Nord", slug="nord", status=SurveyStatus.CLOSED
    )

    urls = found(client, "Spielplatzbefragung")

    assert f"/befragungen/{published.slug}/ergebnisse/" in urls
    assert f"/befragungen/{closed.slug}/" in urls  # its start page, results are not public
    assert f"/befragungen/{closed.slug}/ergebnisse/" not in urls
    assert not any("entwurf" in url for url in urls)
    assert found(client, "Spielplatzbefragung Ergebnisse") == [
        f"/befragungen/{published.slug}/ergebnisse/"
    ]


# --- "Meinten Sie …" -------------------------------------------------------------------------


def test_a_typo_gets_a_suggestion_that_links_to_the_corrected_search(client):
    forum = EventFactory(title="Regionalforum Oschatzer Land", slug="regionalforum")

    body = client.get("/suche/", {"q": "Regionalfroum"}).content.decode()

    assert '<p class="search-suggestion">Meinten Sie <a href="/suche/?q=Regionalforum">' in body
    assert "Regionalforum</a>?</p>" in body
    assert forum.get_absolute_url() in found(client, "Regionalforum")


def test_a_suggestion_keeps_known_words_and_phrases(client):
    NewsArticleFactory(title="Kommunalforum in Mügeln")
    body = client.get("/suche/", {"q": '"Kommunalfroum Muegeln"'}).content.decode()
    assert 'href="/suche/?q=%22Kommunalforum+Muegeln%22"' in body


def test_a_suggestion_never_reveals_unpublished_words(client):
    NewsArticleFactory(title="Geheimprojekt Seilbahn", draft=True)
    IdeaFactory(title="Geheimprojekt Hängebrücke", status=IdeaStatus.NEW)
    SurveyFactory(title="Geheimprojekt Umfrage", status=SurveyStatus.DRAFT)
    body = client.get("/suche/", {"q": "Geheimprojekd"}).content.decode()
    assert "search-suggestion" not in body
    assert "Geheimprojekt" not in body


def test_no_suggestion_when_results_are_found_or_nothing_is_close(client):
    NewsArticleFactory(title="Regionalforum")
    assert "search-suggestion" not in client.get("/suche/?q=Regionalforum").content.decode()
    assert "search-suggestion" not in client.get("/suche/?q=Xylophon").content.decode()
