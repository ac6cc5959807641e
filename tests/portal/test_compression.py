"""Compressed answers: the same content in every coding, stored compressed once in the page
cache, and never compressed where a secret and attacker-controlled text share a page."""

import gzip

import brotli
import pytest
from django.core.cache import cache

from portal import compression
from portal.compression import preferred_encoding
from tests.factories import (
    EventFactory,
    MunicipalityFactory,
    NewsArticleFactory,
    PageFactory,
    TopicFactory,
)
from tests.portal.test_ideas_contact import contact_data
from tests.survey_results.conftest import build_survey

pytestmark = pytest.mark.django_db

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture
def site(db):
    topic = TopicFactory(slug="verkehr", name="Verkehr")
    MunicipalityFactory(slug="oschatz", name="Oschatz")
    for number in range(6):
        NewsArticleFactory(
            title=f"Radweg nach Mügeln, Abschnitt {number}",
            slug=f"radweg-{number}",
            body="<p>Der Radweg wird gebaut. " * 40 + "</p>",
        ).topics.add(topic)
    EventFactory(publication="published", slug="forum", title="Forum Radweg")
    PageFactory(slug="impressum", title="Impressum", body="<p>Angaben. </p>" * 80)
    build_survey(status="published")


PUBLIC_PAGES = [
    "/",
    "/aktuelles/",
    "/aktuelles/radweg-1/",
    "/aktuelles/feed/",
    "/kommunen/",
    "/kommunen/oschatz/",
    "/themen/",
    "/themen/verkehr/",
    "/termine/",
    "/impressum/",
    "/befragungen/",
    "/befragungen/testland/ergebnisse/",
    "/suche/?q=Radweg",  # not page-cached: compressed per response
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_compressed_and_uncompressed_answers_carry_the_same_content(client, site, url):
    plain = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    assert len(plain.content) > compression.MIN_LENGTH
    for encoding, decode in DECODE.items():
        for _ in range(2):  # rendered (or stored) and then from the page cache
            answer = client.get(url, HTTP_ACCEPT_ENCODING=f"{encoding}, deflate")
            assert answer.status_code == 200
            assert answer["Content-Encoding"] == encoding
            assert "Accept-Encoding" in answer["Vary"]
            assert int(answer["Content-Length"]) == len(answer.content)
            assert len(answer.content) < len(plain.content)
            assert decode(answer.content) == plain.content, (url, encoding)
    assert "Accept-Encoding" in plain["Vary"]


def test_brotli_is_preferred_and_refused_codings_are_respected():
    assert preferred_encoding("gzip, deflate, br, zstd") == "br"
    assert preferred_encoding("gzip") == "gzip"
    assert preferred_encoding("br;q=0, gzip;q=0.5") == "gzip"
    assert preferred_encoding("*") == "br"
    assert preferred_encoding("*;q=0, identity") == ""
    assert preferred_encoding("gzip;q=0, br;q=0") == ""
    assert preferred_encoding("br;q=nonsense, gzip") == "gzip"
    assert preferred_encoding("") == ""


def test_the_page_cache_compresses_each_page_once(client, site, monkeypatch):
    calls = []
    original = compression.compress
    monkeypatch.setattr(
        compression, "compress", lambda body, encoding, **kw: calls.append(encoding) or original(
            body, encoding, **kw
        )
    )  # fmt: skip
    client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="br")
    assert sorted(calls) == ["br", "gzip"]  # both stored at once, at the strongest level
    for encoding in ("br", "gzip", "identity", "br"):
        assert client.get("/aktuelles/", HTTP_ACCEPT_ENCODING=encoding).status_code == 200
    assert sorted(calls) == ["br", "gzip"]  # every hit only picks the stored bytes


def test_without_a_cache_each_answer_is_compressed_once(client, site, settings, monkeypatch):
    """DJANGO_CACHE_URL=dummy:// stores nothing: no copies in every coding for nothing."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    calls = []
    original = compression.compress
    monkeypatch.setattr(
        compression, "compress", lambda body, encoding, **kw: calls.append(encoding) or original(
            body, encoding, **kw
        )
    )  # fmt: skip
    answer = client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="gzip")
    assert answer["Content-Encoding"] == "gzip"
    assert calls == ["gzip"]


def test_a_hit_costs_one_query_and_one_cache_read(client, site, django_assert_num_queries):
    client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="br")
    reads = []
    original = cache.get
    cache.get = lambda key, *a, **kw: reads.append(key) or original(key, *a, **kw)
    try:
        with django_assert_num_queries(1):  # the content version, so every worker agrees
            response = client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="br")
    finally:
        del cache.get
    assert response["Content-Encoding"] == "br"
    assert len(reads) == 1
    assert reads[0].endswith(":br")


def test_etag_answers_304_until_the_content_changes(client, site):
    first = client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="br")
    etag = first["ETag"]
    assert etag.startswith('W/"')
    # Every coding of the page is the same content: the same (weak) ETag.
    assert client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="gzip")["ETag"] == etag
    assert client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="identity")["ETag"] == etag
    unchanged = client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    other = client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH='W/"alt"')
    assert other.status_code == 200
    NewsArticleFactory(title="Ganz neu", slug="ganz-neu")
    changed = client.get("/aktuelles/", HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200  # the change shows at once, also for a revalidation
    assert "Ganz neu" in brotli.decompress(changed.content).decode()
    assert changed["ETag"] != etag


def test_a_form_with_a_csrf_token_and_echoed_input_is_never_compressed(client):
    """BREACH: the attacker puts a guess into a field, the page echoes it next to the
    token; compressed, the answer's length would tell how much of the guess matched."""
    guess = "csrfmiddlewaretoken" + "A" * 40
    response = client.post(
        "/kontakt/",
        contact_data(email="keine-adresse", message=guess),
        HTTP_ACCEPT_ENCODING="gzip, deflate, br",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert guess in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert len(response.content) > compression.MIN_LENGTH
    assert "Content-Encoding" not in response
    # The form itself (GET) carries the token, too.
    form = client.get("/kontakt/", HTTP_ACCEPT_ENCODING="br")
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()
    assert "Content-Encoding" not in form


def test_search_echoes_the_query_but_holds_no_secret(client, site):
    response = client.get("/suche/?q=Radweg", HTTP_ACCEPT_ENCODING="br")
    body = brotli.decompress(response.content).decode()
    assert "Radweg" in body
    assert "csrfmiddlewaretoken" not in body  # else the rule above would keep it plain


def test_admin_pages_are_never_compressed(admin_client):
    response = admin_client.get("/admin/", HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_a_view_can_refuse_compression(rf):
    from django.http import HttpResponse

    from portal.compression import CompressionMiddleware, no_compression

    def view(request):
        no_compression(request)
        return HttpResponse("Geheim " * 500)

    request = rf.get("/", HTTP_ACCEPT_ENCODING="br")
    assert "Content-Encoding" not in CompressionMiddleware(view)(request)
    plain = CompressionMiddleware(lambda request: HttpResponse("Offen " * 500))
    assert plain(rf.get("/", HTTP_ACCEPT_ENCODING="br"))["Content-Encoding"] == "br"


def test_compression_can_be_switched_off(client, site, settings):
    settings.COMPRESS_RESPONSES = False
    for url in ("/aktuelles/", "/suche/?q=Radweg"):
        for _ in range(2):
            assert "Content-Encoding" not in client.get(url, HTTP_ACCEPT_ENCODING="br")
