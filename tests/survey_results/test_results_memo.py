"""The computed results are kept in each worker's memory (``portal.memo``) under the
survey's results version, which is read from the database on every call: the municipality,
topic and results pages do not recompute them per request, even without any cache
(``DJANGO_CACHE_URL=dummy://``), and a change still shows with the next request, on every
worker."""

import pytest
from django.urls import reverse

from portal.memo import VersionedMemo, forget_memos
from survey.models import Response
from survey.results.caching import survey_results_invalidate
from survey.results.selectors import survey_results

pytestmark = pytest.mark.django_db


def municipality_url(published) -> str:
    return reverse("portal:municipality_detail", kwargs={"slug": published.places[0].slug})


def test_municipality_page_does_not_recompute_results_without_a_cache(
    client, published, no_cache, django_assert_max_num_queries
):
    url = municipality_url(published)
    client.get(url)
    # Before: every view counted the tallies again (the tally state, the questions and their
    # options, items, themes, quotes, the publication, the codings): about 20 queries more.
    with django_assert_max_num_queries(9):
        body = client.get(url).content.decode()
    assert "haben 6 Menschen aus Ahausen teilgenommen" in body


def test_a_deleted_response_shows_at_once_without_a_cache(client, published, no_cache):
    """Attack: staff delete a response (or code an answer, or hide a question) and the
    municipality page keeps showing the old count from the worker's memory."""
    url = municipality_url(published)
    assert "haben 6 Menschen aus Ahausen" in client.get(url).content.decode()
    ahausen = published.places[0]
    response = Response.objects.filter(
        survey=published.survey, answers__option__municipality=ahausen
    ).first()
    response.delete()
    survey_results_invalidate(published.survey.pk)

    body = client.get(url).content.decode()

    assert "haben 5 Menschen aus Ahausen" in body


def test_another_workers_change_shows_here(counted, no_cache):
    """The version lives in the database: a change made by another process (which bumps
    the version there and never touches this worker's memory) is seen here."""
    assert survey_results(survey=counted.survey).total == 12
    Response.objects.filter(pk=counted.responses[-1].pk).delete()
    # What another worker does: only the database changes.
    survey_results_invalidate(counted.survey.pk)

    assert survey_results(survey=counted.survey).total == 11


def test_the_memo_is_bounded_and_expires(monkeypatch):
    memo = VersionedMemo("test", max_entries=3, seconds=60)
    for n in range(10):
        memo.set(("key", n), n)
    assert len(memo) == 3
    assert memo.get(("key", 0)) is None
    assert memo.get(("key", 9)) == 9

    clock = [1000.0]
    monkeypatch.setattr("portal.memo.time.monotonic", lambda: clock[0])
    memo.set("late", "value")
    clock[0] += 61
    assert memo.get("late") is None
    forget_memos()
    assert len(memo) == 0
