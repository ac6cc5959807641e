"""Each page's own main content kept in worker memory (issue 18): the news list, an article,
a municipality page and the event list are rendered once per worker and content version
(``{% part %}``, ``portal.memo.remember_part``), keyed by the language and the page's
*valid* query values. The attacks: a change (also by the clock: a scheduled article, an
event that ends), another page of the list, a filter value somebody typed, a staff
member's view or preview, another language, and floods of query strings."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from django.utils.translation import override

from events.models import Event
from portal import memo
from portal.models import Municipality, NewsArticle, NewsStatus
from tests.factories import EventFactory, NewsArticleFactory
from tests.portal.versions import bump_as_another_worker

pytestmark = pytest.mark.django_db


def _get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def _main(body: str) -> str:
    """What the page's own main content is (the header's canonical link names the URL)."""
    return body[body.index('<main id="main"') : body.index("</main>")]


def _articles(count: int, prefix: str = "Meldung") -> list[NewsArticle]:
    now = timezone.now()
    return [
        NewsArticleFactory(
            title=f"{prefix} {number:02d}",
            slug=f"{prefix.lower()}-{number:02d}",
            published_at=now - timedelta(hours=number + 1),
        )
        for number in range(count)
    ]


ARTICLE = "/aktuelles/meldung-00/"


# Each page, and what shows on it: an article's title (the list, the article itself, the
# news of the municipality it concerns) or an event's (the event list).
PAGES = [
    ("/aktuelles/", "article"),
    (ARTICLE, "article"),
    ("/kommunen/oschatz/", "article"),
    ("/termine/", "event"),
]


def _stage(what: str):
    """An article concerning Oschatz and an event there; the model and primary key of the
    one the page shows, and the title it shows."""
    oschatz = Municipality.objects.get(slug="oschatz")
    article = _articles(1)[0]
    article.municipalities.add(oschatz)
    event = EventFactory(title="Forum 00", municipality=oschatz)
    return (
        (NewsArticle, article.pk, "Meldung 00")
        if what == "article"
        else (Event, event.pk, "Forum 00")
    )


@pytest.mark.parametrize(("url", "what"), PAGES)
def test_the_main_content_is_kept_until_the_version_changes(client, no_cache, url, what):
    """The memo is really used (a change that raised no version stays unseen), and a
    version raised in the database by another worker shows with the next render."""
    model, pk, title = _stage(what)
    assert title in _get(client, url)
    model.objects.filter(pk=pk).update(title="Neuer Titel")
    assert title in _get(client, url)  # kept: nothing raised the version
    bump_as_another_worker()
    body = _get(client, url)
    assert "Neuer Titel" in body
    assert title not in body


def test_a_saved_or_withdrawn_article_shows_at_once(client, no_cache):
    article = _articles(1)[0]
    assert "Meldung 00" in _get(client, "/aktuelles/")
    assert "Meldung 00" in _get(client, ARTICLE)
    article.title = "Meldung korrigiert"
    article.save()
    assert "Meldung korrigiert" in _get(client, "/aktuelles/")
    assert "<h1>Meldung korrigiert</h1>" in _get(client, ARTICLE)
    article.status = NewsStatus.DRAFT
    article.save()
    assert "Meldung korrigiert" not in _get(client, "/aktuelles/")
    _get(client, ARTICLE, status=404)


def test_a_scheduled_article_appears_at_its_time(client, no_cache, clock):
    _articles(1)
    NewsArticleFactory(
        title="Geplant", slug="geplant", published_at=timezone.now() + timedelta(minutes=10)
    )
    assert "Geplant" not in _get(client, "/aktuelles/")
    _get(client, "/aktuelles/geplant/", status=404)
    assert "Geplant" not in _get(client, ARTICLE)  # not among the related articles either
    clock(timedelta(minutes=11))
    assert "Geplant" in _get(client, "/aktuelles/")
    assert "<h1>Geplant</h1>" in _get(client, "/aktuelles/geplant/")


def test_pages_of_the_list_never_share_a_part(client, no_cache):
    _articles(12)
    first = _get(client, "/aktuelles/")
    second = _get(client, "/aktuelles/?seite=2")
    assert "Meldung 00" in first
    assert "Meldung 10" not in first
    assert "Meldung 10" in second
    assert "Meldung 00" not in second
    assert "Seite 2 von 2" in second
    # Out of range and garbage: the last and the first page, as without memory.
    assert _main(_get(client, "/aktuelles/?seite=99")) == _main(second)
    assert _main(_get(client, "/aktuelles/?seite=abc")) == _main(first)
    # A new article moves one to the second page, at once.
    NewsArticleFactory(title="Ganz neu", slug="ganz-neu", published_at=timezone.now())
    first, second = _get(client, "/aktuelles/"), _get(client, "/aktuelles/?seite=2")
    assert "Ganz neu" in first
    assert "Meldung 09" in second


def test_typed_filter_values_are_never_kept(client, no_cache):
    """A filter value the form does not offer renders the page as before (the unfiltered
    list; the events' filter says what is wrong) and never becomes a key: a flood of such
    values neither grows the memory nor shows one visitor's value to another."""
    _articles(12)
    EventFactory.create_batch(2)
    for url in ("/aktuelles/", "/aktuelles/?seite=2", "/termine/", "/termine/?art=workshop"):
        _get(client, url)
    kept = len(memo._content_parts)
    for number in range(40):
        body = _get(client, f"/aktuelles/?thema=erfunden-{number}&seite=2")
        assert f"thema=erfunden-{number}&amp;seite=1" in body  # the typed query kept in links
        body = _get(client, f"/termine/?art=erfunden-{number}")
        assert f"erfunden-{number}" in body  # the error names the value
        assert "Fehler:" in body
    assert len(memo._content_parts) == kept
    assert "erfunden" not in _get(client, "/aktuelles/?seite=2")
    body = _get(client, "/termine/?art=workshop")
    assert "erfunden" not in body
    assert "Fehler:" not in body


def test_filters_and_their_query_never_share_a_part(client, no_cache):
    oschatz = Municipality.objects.get(slug="oschatz")
    NewsArticleFactory(title="Aus Oschatz").municipalities.add(oschatz)
    NewsArticleFactory(title="Von allen")
    EventFactory(title="Forum Oschatz", municipality=oschatz)
    EventFactory(title="Forum anderswo")
    assert "Von allen" in _get(client, "/aktuelles/")
    body = _get(client, "/aktuelles/?kommune=oschatz")
    assert "Aus Oschatz" in body
    assert "Von allen" not in body
    assert '<option value="oschatz" selected>' in body
    assert '<option value="oschatz" selected>' not in _get(client, "/aktuelles/")
    assert "Forum anderswo" in _get(client, "/termine/")
    body = _get(client, "/termine/?kommune=oschatz")
    assert "Forum Oschatz" in body
    assert "Forum anderswo" not in body


def test_an_event_that_ends_moves_to_the_archive_at_its_time(client, no_cache, clock):
    start = timezone.now() + timedelta(minutes=5)
    EventFactory(title="Gleich vorbei", starts_at=start, ends_at=start + timedelta(minutes=30))
    body = _get(client, "/termine/")
    assert body.index("Gleich vorbei") < body.index('id="archiv"')
    clock(timedelta(minutes=36))
    body = _get(client, "/termine/")
    assert body.index("Gleich vorbei") > body.index('id="archiv"')


def test_pages_of_the_event_archive_never_share_a_part(client, no_cache):
    now = timezone.now()
    for number in range(12):
        start = now - timedelta(days=number + 1)
        EventFactory(
            title=f"Vergangen {number:02d}", starts_at=start, ends_at=start + timedelta(hours=1)
        )
    first, second = _get(client, "/termine/"), _get(client, "/termine/?seite=2")
    assert "Vergangen 00" in first
    assert "Vergangen 11" not in first
    assert "Vergangen 11" in second
    assert "Vergangen 00" not in second
    assert _main(_get(client, "/termine/?seite=50")) == _main(second)


@pytest.mark.parametrize(("url", "what"), PAGES)
def test_staff_get_fresh_content_and_never_fill_it(client, no_cache, make_staff, url, what):
    model, pk, title = _stage(what)
    before = _get(client, url)  # kept for the public
    assert title in before
    model.objects.filter(pk=pk).update(title="Nur frisch")  # no version raised
    client.force_login(make_staff("redaktion-haupt"))
    assert "Nur frisch" in _get(client, url)  # staff: the database as it is now
    client.logout()
    assert _get(client, url) == before  # the staff render filled nothing


def test_a_staff_preview_never_reaches_the_public(client, no_cache, django_user_model):
    article = _articles(1)[0]
    assert "Meldung 00" in _get(client, ARTICLE)
    editor = django_user_model.objects.create_user("vorschau", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_newsarticle"))
    NewsArticle.objects.filter(pk=article.pk).update(status=NewsStatus.DRAFT, title="Entwurf")
    client.force_login(editor)
    assert "Entwurf" in _get(client, ARTICLE + "?vorschau")
    client.logout()
    body = _get(client, ARTICLE)  # no version raised: the kept public page, not the draft
    assert "Entwurf" not in body
    bump_as_another_worker()
    _get(client, ARTICLE, status=404)


def test_unknown_slugs_are_never_kept(client, no_cache):
    _articles(1)
    _get(client, ARTICLE)
    _get(client, "/kommunen/oschatz/")
    kept = len(memo._content_parts)
    for number in range(40):
        _get(client, f"/aktuelles/gibt-es-nicht-{number}/", status=404)
        _get(client, f"/kommunen/gibt-es-nicht-{number}/", status=404)
    assert len(memo._content_parts) == kept


@pytest.mark.parametrize(
    ("url", "german", "english"),
    [
        ("/aktuelles/", "<h1>Aktuelles</h1>", "<h1>News</h1>"),
        (ARTICLE, 'aria-label="Brotkrümelnavigation"', 'aria-label="Breadcrumb"'),
        ("/kommunen/oschatz/", "Daten und Fakten", ">Facts<"),
        ("/termine/", "Kommende Termine", "Upcoming events"),
    ],
)
def test_languages_never_share_the_main_content(client, no_cache, url, german, english):
    _articles(1)
    with override("de"):
        assert german in _get(client, url)
    with override("en"):
        body = _get(client, url)
        assert english in body
        assert german not in body
    with override("de"):
        assert german in _get(client, url)
