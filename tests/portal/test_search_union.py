"""The search over every source in one SQL statement with stored vectors (issue 18) must
find exactly what the seven providers found before, one query each with the vectors
computed per row (tests/portal/search_reference.py, Django's expressions built anew), and
keep every promise: nothing unpublished, scheduled or withdrawn is ever found (also right
after a change: the stored vectors are never behind), staff-only content stays hidden from
the public, a term is never SQL, and nothing kept per process grows with the terms."""

import io
import random
import string
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from events.models import Event, EventPublication
from events.search import search_events
from portal.models import Idea, IdeaStatus, NewsArticle, NewsStatus, Page, Topic
from portal.search import SearchSource, fulltext, providers, search, search_providers
from portal.search.fulltext import row_result
from survey.models import SurveyStatus
from survey.search import search_surveys
from tests.factories import (
    EventFactory,
    IdeaFactory,
    NewsArticleFactory,
    PageFactory,
    SurveyFactory,
    TopicFactory,
    UserFactory,
)
from tests.portal.search_reference import reference_search

pytestmark = pytest.mark.django_db

TERMS = [
    "Radweg",
    "Radwege",
    "Oschatz",
    "Mügeln",
    "Muegeln",
    "MÜGELN",
    "Mu\u0308geln",
    "Straße",
    "Strasse",
    "STRASSE",
    "Döllnitzbahn",
    "Bürgerbefragung",
    "Buergerbefragung 2019",
    "Rad-Weg",
    "E-Mail",
    "Wermsdorf-Ortsteile",
    "Kommunal",  # a prefix: stemmed words only, as before
    "Befrag",
    "Ergebnisse",
    "Ortsteile",
    "und",
    "der die das",
    "und Oschatz",
    '"Bürgerbefragung 2019"',
    '"2019 Bürgerbefragung"',
    "Radweg -Oschatz",
    "-Radweg",
    "Bus or Bahn",
    "Kultur or Sport -Oschatz",
    "",
    "   ",
    "-",
    "or",
    '""',
    "%_%",
    "\x00",
    "Radweg\x00Oschatz",
    "\x00\x01\x02Mügeln",
    "x" * 10_000,
    "Mügeln " * 2_000,
    "ü" * 300,
    "a & b | !c:* <-> d",
    "Rad' || 'weg",
    "\\' ); DROP TABLE portal_newsarticle; --",
    "search_q",
    "$$ %s %(q)s $1 ::tsquery",
    "😀 Ωmega",
]


@pytest.fixture
def demo_site():
    call_command("seed_demo", stdout=io.StringIO())


def rows(results) -> list[tuple]:
    return [(r.title, r.url, str(r.snippet), r.kind, r.rank, r.date) for r in results]


def old_search(query: str) -> list[tuple]:
    """The seven providers of before, each with its SQL built from Django's expressions
    anew and every vector computed from the fields."""
    original = fulltext._postgres_search

    def rebuilt(queryset, parsed, *, fields, snippet_field, html_fields, stored_vector):
        return fulltext._postgres_search_reference(
            queryset, parsed, fields=fields, snippet_field=snippet_field, html_fields=html_fields
        )

    fulltext._postgres_search = rebuilt
    try:
        return rows(reference_search(query))
    finally:
        fulltext._postgres_search = original


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_same_results_as_the_seven_providers(demo_site, language):
    compared = 0
    with translation.override(language):
        for term in TERMS:
            expected = old_search(term)
            assert rows(search(term)) == expected, term
            compared += len(expected)
    assert compared > 80  # the demo content is found: the comparison means something


def test_every_source_and_kind_is_compared(demo_site):
    """The comparison above covers results of every source (news, pages, municipalities,
    topics, ideas, events, surveys), not only of some."""
    IdeaFactory(title="Radweg am Collm", status=IdeaStatus.APPROVED)
    kinds = {
        r.kind
        for term in ("Oschatz", "Radweg", "Radverkehr", "Ergebnisse", "Befragung")
        for r in search(term)
    }
    assert {"Aktuelles", "Seite", "Gemeinde", "Thema", "Idee", "Veranstaltung"} <= kinds
    assert kinds & {"Befragung", "Befragungsergebnisse"}
    for term in ("Oschatz", "Radweg", "Radverkehr", "Ergebnisse", "Befragung"):
        assert rows(search(term)) == old_search(term)


def test_one_statement_for_every_source(demo_site, django_assert_num_queries):
    search("Oschatz")  # the statement is built once per process
    with django_assert_num_queries(1):
        assert search("Radweg Oschatz or Mügeln")


def test_every_stored_vector_is_the_computed_one(demo_site):
    """Attack: a stored vector that differs from the fields the search weighs would find
    other rows than before, or rank them otherwise."""
    EventFactory(venue_name="Rathaussaal", results="<p>Ergebnis <b>gut</b></p>")
    IdeaFactory(title="Bänke", text="Am See", reply="Wird geprüft", status=IdeaStatus.APPROVED)
    stored = [providers.news_source, providers.page_source, providers.topic_source]
    stored += [providers.idea_source, search_events]
    for source in stored:
        model = source.queryset().model
        matches, _rank, _snippet = fulltext._postgres_expressions(
            fulltext._tsquery(),
            fields=source.fields,
            snippet_field=source.snippet_field,
            html_fields=source.html_fields,
        )
        query = model.objects.all().query
        sql, params = query.get_compiler(connection=connection).compile(
            matches.source_expressions[0].resolve_expression(query)
        )
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), count(*) FILTER (WHERE {source.stored_vector} = {sql})"
                f" FROM {table}",
                params,
            )
            total, equal = cursor.fetchone()
        assert total >= 1, table
        assert equal == total, table


def urls(query: str) -> list[str]:
    return [result.url for result in search(query)]


def test_unpublished_scheduled_and_draft_content_is_never_found():
    NewsArticleFactory(title="Quastenflosser Entwurf", draft=True)
    NewsArticleFactory(title="Quastenflosser geplant", scheduled=True)
    PageFactory(title="Quastenflosser versteckt", is_published=False)
    EventFactory(title="Quastenflosser Termin", publication=EventPublication.DRAFT)
    EventFactory(
        title="Quastenflosser Termin geplant", publish_at=timezone.now() + timedelta(days=3)
    )
    SurveyFactory(title="Quastenflosser Befragung", status=SurveyStatus.DRAFT)
    IdeaFactory(title="Quastenflosser Idee", status=IdeaStatus.NEW)
    IdeaFactory(title="Quastenflosser abgelehnt", status=IdeaStatus.REJECTED)
    for query in ("Quastenflosser", "Quastenflosser Entwurf", "Quastenflosser Idee or geplant"):
        assert urls(query) == [], query


@pytest.mark.parametrize("kind", ["news", "page", "event", "topic", "idea"])
def test_withdrawn_or_edited_content_is_gone_with_the_next_search(kind):
    """Attack: a stored vector or a statement kept per process lags behind a change."""
    if kind == "news":
        row = NewsArticleFactory(title="Nachricht", body="<p>Der Quastenflosser taucht.</p>")
        withdraw = {"status": NewsStatus.DRAFT}
        text = {"body": "<p>Der Pfeilschwanzkrebs krabbelt.</p>"}
    elif kind == "page":
        row = PageFactory(title="Seite", body="<p>Der Quastenflosser taucht.</p>")
        withdraw = {"is_published": False}
        text = {"body": "<p>Der Pfeilschwanzkrebs krabbelt.</p>"}
    elif kind == "event":
        row = EventFactory(title="Termin", description="<p>Der Quastenflosser taucht.</p>")
        withdraw = {"publication": EventPublication.DRAFT}
        text = {"description": "<p>Der Pfeilschwanzkrebs krabbelt.</p>"}
    elif kind == "topic":
        row = TopicFactory(name="Thema", description="<p>Der Quastenflosser taucht.</p>")
        withdraw = None  # topics are always public: deleted instead
        text = {"description": "<p>Der Pfeilschwanzkrebs krabbelt.</p>"}
    else:
        row = IdeaFactory(
            title="Idee", text="Der Quastenflosser taucht.", status=IdeaStatus.APPROVED
        )
        withdraw = {"status": IdeaStatus.REJECTED}
        text = {"text": "Der Pfeilschwanzkrebs krabbelt."}
    url = row.get_absolute_url()
    assert url in urls("Quastenflosser")
    for name, value in text.items():
        setattr(row, name, value)
    row.save()
    assert url not in urls("Quastenflosser")
    assert url in urls("Pfeilschwanzkrebs")
    if withdraw is None:
        row.delete()
    else:
        type(row).objects.filter(pk=row.pk).update(**withdraw)  # no signal, no save()
    assert url not in urls("Pfeilschwanzkrebs")


def test_the_time_of_day_is_read_for_every_search(monkeypatch):
    """The statement is kept per process with the time of day as a parameter: a scheduled
    article and event appear when their time comes, not when the statement was built."""
    NewsArticleFactory(title="Quastenflosser Nachricht", scheduled=True)
    EventFactory(title="Quastenflosser Termin", publish_at=timezone.now() + timedelta(days=3))
    assert urls("Quastenflosser") == []
    assert providers.news_source._branches  # kept, so the test means something
    assert search_events._branches
    later = timezone.now() + timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert len(urls("Quastenflosser")) == 2


def test_a_source_that_changes_otherwise_is_built_for_every_search(monkeypatch):
    """Attack: a source whose rows depend on more than the time of day (here: a day ago)
    must not be kept with an old value."""
    NewsArticleFactory(
        title="Quastenflosser gestern", published_at=timezone.now() - timedelta(hours=30)
    )
    NewsArticleFactory(
        title="Quastenflosser heute", published_at=timezone.now() - timedelta(hours=2)
    )
    older = SearchSource(
        queryset=lambda: NewsArticle.objects.filter(
            published_at__lte=timezone.now() - timedelta(days=1)
        ),
        fields={"title": "A"},
        snippet_field="title",
        read=("title", "slug"),
        result=lambda row, query: row_result(row, query, kind="Alt"),
    )
    original = search_providers()
    from portal import search as search_module

    search_module._providers.clear()
    search_module.register_search_provider("test.older", older)
    try:
        assert [r.title for r in search("Quastenflosser")] == ["Quastenflosser gestern"]
        assert older._branches == {}
        later = timezone.now() + timedelta(days=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        found = {r.title for r in search("Quastenflosser")}
        assert found == {"Quastenflosser gestern", "Quastenflosser heute"}
    finally:
        search_module._providers.clear()
        search_module._providers.update(original)


@pytest.mark.parametrize("staff_first", [True, False])
def test_staff_and_the_public_find_the_same_public_content(client, staff_first):
    NewsArticleFactory(title="Quastenflosser öffentlich")
    NewsArticleFactory(title="Quastenflosser intern", draft=True)
    PageFactory(title="Quastenflosser Redaktion", is_published=False)
    staff = UserFactory(is_staff=True, is_superuser=True)

    def titles(as_staff: bool) -> list[str]:
        if as_staff:
            client.force_login(staff)
        else:
            client.logout()
        return [r.title for r in client.get("/suche/?q=Quastenflosser").context["results"]]

    first, second = titles(staff_first), titles(not staff_first)
    assert first == second == ["Quastenflosser öffentlich"]


def test_a_term_is_never_sql():
    NewsArticleFactory(title="Radweg nach Mügeln")
    attacks = ["'; DELETE FROM portal_newsarticle; --", "Radweg'); --", "Radweg' OR '1'='1"]
    for term in [*TERMS, *attacks]:
        assert rows(search(term)) == old_search(term), term
    assert NewsArticle.objects.filter(title="Radweg nach Mügeln").exists()
    assert Page.objects.exists()
    assert Topic.objects.exists()


def test_nothing_kept_per_process_grows_with_the_terms():
    NewsArticleFactory(title="Radweg nach Mügeln")
    search("Radweg")
    sources = [p for p in search_providers().values() if isinstance(p, SearchSource)]
    before = [dict(source._branches) for source in sources]
    compiled = len(fulltext._compiled_sql)
    rng = random.Random(18)
    for _ in range(300):
        term = "".join(rng.choices(string.ascii_letters + "äöüß -\"'", k=rng.randrange(1, 60)))
        search(term)
    assert [source._branches for source in sources] == before
    assert len(fulltext._compiled_sql) == compiled


def test_the_old_providers_still_answer_alone(demo_site):
    """Each source is a provider of its own too (SQLite, tests): the same as before."""
    from tests.portal import search_reference as old

    for query in ("Radverkehr Workshop", "Befragung", "Ergebnisse", "Oschatz"):
        assert rows(search_events(query)) == rows(old.search_events(query, limit=20))
        assert rows(search_surveys(query)) == rows(old.search_surveys(query, limit=20))
        assert rows(providers.news_source(query, limit=50)) == rows(
            old._news_provider(query, limit=50)
        )


def test_models_still_save_and_delete_with_the_generated_columns():
    """Django never writes the generated columns (they are no model fields)."""
    event = EventFactory(title="Quastenflosser")
    Event.objects.filter(pk=event.pk).update(title="Pfeilschwanzkrebs")
    idea = IdeaFactory(title="Bank", status=IdeaStatus.APPROVED)
    Idea.objects.filter(pk=idea.pk).update(reply="Quastenflosser")
    assert set(urls("Pfeilschwanzkrebs or Quastenflosser")) == {
        event.get_absolute_url(),
        idea.get_absolute_url(),
    }
    event.delete()
    idea.delete()
    assert urls("Pfeilschwanzkrebs or Quastenflosser") == []


def test_a_statement_built_under_a_frozen_clock_still_reads_the_time(monkeypatch):
    """Attack: built while the clock stands still (both compilations read the same moment),
    the time of day must still be a parameter, not a constant kept for the process."""
    NewsArticleFactory(title="Quastenflosser geplant", scheduled=True)
    frozen = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    providers.news_source._branches.clear()
    assert urls("Quastenflosser") == []
    assert providers.news_source._branches
    later = frozen + timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert len(urls("Quastenflosser")) == 1
