"""The search keeps each search's results per worker under the content version read from
the database on every request (``portal.search.search_page``). Attacks: a change by staff
made elsewhere (another worker, a script without signals) must show with the next search;
staff and the public share entries, so neither may ever see what the other may not; random
terms must not fill a worker's memory; garbage must not break it; and a search the memo
answers must cost one query."""

import random
import string
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal import search as search_module
from portal.cache_versions import content_version, content_version_one_query
from portal.models import NewsArticle, Page
from portal.search import SearchPage, SearchResult, search, search_page
from tests.factories import NewsArticleFactory, PageFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMO = search_module._page_memo


def result_list(body: str) -> str:
    start = body.index('<ol class="search-results">')
    return body[start : body.index("</ol>", start)]


def bump_version_elsewhere() -> None:
    """What another worker's save does to the version: the sequence, raised in SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('portal_content_version')")


def test_kept_results_are_the_results_computed_anew(client, monkeypatch):
    NewsArticleFactory(title="Radweg nach Mügeln", body="<p>Der Radweg wird gebaut.</p>")
    PageFactory(title="Radwege im Oschatzer Land")
    first = client.get("/suche/?q=Radweg").content.decode()
    assert len(MEMO) == 1
    kept = client.get("/suche/?q=Radweg").content.decode()
    monkeypatch.setattr(MEMO, "max_entries", 0)  # nothing kept: computed every time
    MEMO.clear()
    fresh = client.get("/suche/?q=Radweg").content.decode()
    assert len(MEMO) == 0
    assert first == kept == fresh
    assert result_list(fresh).count('<li class="search-result">') == 2
    assert search_page("Radweg", version=content_version()).results == tuple(search("Radweg"))


def test_a_change_without_signals_shows_with_the_next_search(client):
    """Unpublished by another worker or a script (QuerySet.update sends no signal): only the
    version in the database is raised, and the next search here must not find it."""
    NewsArticleFactory(title="Radweg Zwischenstand", slug="radweg-zwischenstand")
    assert "Radweg Zwischenstand" in client.get("/suche/?q=Radweg").content.decode()
    NewsArticle.objects.filter(slug="radweg-zwischenstand").update(status="draft")
    bump_version_elsewhere()
    assert "Radweg Zwischenstand" not in client.get("/suche/?q=Radweg").content.decode()


def test_a_hidden_page_disappears_with_the_next_search(client):
    page = PageFactory(title="Radweg Planung", slug="radweg-planung")
    assert "Radweg Planung" in client.get("/suche/?q=Radweg").content.decode()
    page.is_published = False
    page.save()  # as the admin does: the signal raises the version
    assert "Radweg Planung" not in client.get("/suche/?q=Radweg").content.decode()
    Page.objects.filter(pk=page.pk).update(is_published=True)
    bump_version_elsewhere()
    assert "Radweg Planung" in client.get("/suche/?q=Radweg").content.decode()


def test_a_scheduled_article_appears_when_its_time_comes(client, monkeypatch):
    """Nobody saves anything: the due moment is part of the version."""
    NewsArticleFactory(title="Radweg Eröffnung", scheduled=True)
    assert "Radweg Eröffnung" not in client.get("/suche/?q=Radweg").content.decode()
    later = timezone.now() + timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Radweg Eröffnung" in client.get("/suche/?q=Radweg").content.decode()


@pytest.mark.parametrize("staff_first", [True, False])
def test_staff_and_the_public_never_see_what_the_other_may_not(client, staff_first):
    NewsArticleFactory(title="Radweg veröffentlicht")
    NewsArticleFactory(title="Radweg Entwurf", draft=True)
    NewsArticleFactory(title="Radweg geplant", scheduled=True)
    PageFactory(title="Radweg versteckt", is_published=False)
    staff = UserFactory(username="redakteurin-geheim", is_staff=True, is_superuser=True)

    def as_staff():
        client.force_login(staff)
        body = client.get("/suche/?q=Radweg").content.decode()
        client.logout()
        return body

    def as_public():
        return client.get("/suche/?q=Radweg").content.decode()

    if staff_first:
        staff_body, public_body = as_staff(), as_public()
    else:
        public_body, staff_body = as_public(), as_staff()
    for body in (staff_body, public_body):
        assert "Radweg veröffentlicht" in body
        for hidden in ("Entwurf", "geplant", "versteckt"):
            assert hidden not in result_list(body)
    # One shared entry: the results are public content, whoever asks.
    assert result_list(staff_body) == result_list(public_body)
    assert len(MEMO) == 1
    assert "redakteurin-geheim" not in public_body
    assert "csrfmiddlewaretoken" not in result_list(staff_body)


def test_ten_thousand_random_terms_keep_the_memo_in_its_bounds(monkeypatch):
    rng = random.Random(18)

    def fake_search(query, *, limit=50):
        return [
            SearchResult(
                title=query,
                url=f"/aktuelles/{index}/",
                snippet="x" * rng.randrange(0, 400),
                kind="Neuigkeit",
                rank=1.0,
            )
            for index in range(rng.randrange(1, limit + 1))
        ]

    monkeypatch.setattr(search_module, "search", fake_search)
    version = content_version_one_query()
    for _ in range(10_000):
        term = "".join(rng.choices(string.ascii_letters + "äöüß", k=rng.randrange(1, 30)))
        search_page(term, version=version)
        assert len(MEMO) <= MEMO.max_entries
        assert MEMO.size <= MEMO.max_size
    kept = [entry[1] for entry in MEMO._entries.values()]
    assert 0 < len(kept) <= MEMO.max_entries
    # The size counted is at least what the entries hold (the bound holds for real).
    held = sum(len(r.title) + len(r.url) + len(r.snippet) for p in kept for r in p.results)
    assert held <= MEMO.size <= MEMO.max_size


def test_one_page_larger_than_the_bound_is_not_kept(monkeypatch):
    monkeypatch.setattr(MEMO, "max_size", 1000)
    page = SearchPage(results=(SearchResult("t", "/u/", "s" * 5000, "k", 1.0),))
    monkeypatch.setattr(search_module, "search", lambda query, limit=50: list(page.results))
    assert search_page("groß", version="1:").results == page.results
    assert len(MEMO) == 0


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Radweg", "page": "-1"},
        {"q": "Radweg", "seite": "99999999999999999999999"},
        {"q": "Radweg", "typ": "<script>", "kommune": "' OR 1=1 --"},
        {"q": ["Radweg", "Oschatz"]},
        {"q": "x" * 10_000},
        {"q": "a & b | !c:* <-> d"},
        {"q": "Radweg\u0002search-query\u0003"},
    ],
)
def test_garbage_never_breaks_the_search(client, params):
    NewsArticleFactory(title="Radweg")
    for _ in range(2):  # computed, then from the memo
        response = client.get("/suche/", params)
        assert response.status_code == 200
    assert all(len(key[0]) <= 200 for key in MEMO._entries)


def test_undecodable_query_string_answers(client):
    assert client.get("/suche/?q=%ff%fe%00Radweg").status_code in (200, 400)


def test_a_search_the_memo_answers_costs_one_query(client, django_assert_num_queries):
    NewsArticleFactory(title="Radweg")
    client.get("/suche/?q=Radweg")
    # The content version (which the menus use, too); no provider runs.
    with django_assert_num_queries(1):
        body = client.get("/suche/?q=Radweg").content.decode()
    assert '<li class="search-result">' in body


def test_the_version_in_one_query_is_the_content_version(django_assert_num_queries):
    NewsArticleFactory(title="Radweg", scheduled=True)
    with django_assert_num_queries(1):
        version = content_version_one_query()
    assert version == content_version()
    assert version.split(":", 1)[1]  # the scheduled article's moment is part of it
