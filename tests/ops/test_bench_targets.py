"""The targets of `make bench` exist: on the bench data (SEED_COMMANDS, with a small results
survey) every page answers 200, and the survey flow gets through the open demo survey with
``bench.flow.fill_form`` and stores exactly one response."""

from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from bench.flow import fill_form
from bench.targets import BASELINES, FLOWS, PAGES, SEED_COMMANDS, Wizard
from survey.models import Response
from tests.conftest import seeded_for_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _bench_data_for_module(django_db_setup, django_db_blocker):
    """Seeded once for the module, rolled back after it; each test's changes are undone
    before the next (tests/conftest.py, seeded_for_module)."""
    with seeded_for_module(django_db_blocker):
        for name, *args in SEED_COMMANDS:
            if name == "bench_results":  # 100,000 responses in `make bench`; a few do here
                args[args.index("--responses") + 1] = "40"
            call_command(name, *args)
        yield


@pytest.fixture
def bench_data(_bench_data_for_module, db):
    pass


def test_every_bench_page_answers_200(client, bench_data):
    statuses = {page.path: client.get(page.path, headers=page.headers).status_code
                for page in [*BASELINES, *PAGES]}  # fmt: skip
    assert set(statuses.values()) == {200}, statuses


def test_survey_flow_fills_every_page_and_stores_one_response(client, bench_data):
    [wizard] = next(flow for flow in FLOWS if flow.label == "flow: survey submission").steps
    assert isinstance(wizard, Wizard)
    before = Response.objects.count()
    path, pages = wizard.path, 0
    while not path.endswith(wizard.done_suffix):
        page = client.get(path)
        assert page.status_code == 200, path
        action, fields = fill_form(page.content.decode())
        assert any(name == "csrfmiddlewaretoken" for name, _value in fields)
        response = client.post(
            action,
            urlencode([*fields, ("action", "next")]),
            content_type="application/x-www-form-urlencoded",
        )
        # 200 would be the page again with errors: something was not filled validly.
        assert response.status_code == 302, response.content.decode()[:2000]
        path, pages = response["Location"], pages + 1
        assert pages < wizard.max_pages
    assert client.get(path).status_code == 200
    assert pages >= 4  # the demo survey's pages (the Oschatz page depends on the answers)
    assert Response.objects.count() - before == 1


def test_fill_form_fills_each_kind_of_field_validly():
    page = """
    <form method="get" action="/suche/"><input name="q"></form>
    <form method="post" action="/send/">
      <input type="hidden" name="csrfmiddlewaretoken" value="t0k">
      <input type="radio" name="q1" value=""><input type="radio" name="q1" value="7">
      <input type="radio" name="q1" value="8">
      <input type="checkbox" name="q2" value="3"><input type="checkbox" name="q2" value="4">
      <input type="text" name="q2_other">
      <select name="q3"><option value="">– bitte wählen –</option><option value="5">a</option>
        <option value="6">b</option></select>
      <input type="number" name="q4" min="2" max="9"><input type="number" name="q5" max="0">
      <textarea name="q6"></textarea><input type="email" name="q7">
      <input type="text" name="website" tabindex="-1" autocomplete="off">
      <input type="text" name="q8" disabled>
      <button type="submit" name="action" value="next">Weiter</button>
    </form>"""
    action, fields = fill_form(page)
    assert action == "/send/"
    assert fields == [
        ("csrfmiddlewaretoken", "t0k"),
        ("q1", "7"),
        ("q2", "3"),
        ("q2_other", ""),
        ("q3", "5"),
        ("q4", "2"),
        ("q5", "0"),
        ("q6", "Bench"),
        ("q7", "bench@example.org"),
        ("website", ""),
    ]


def test_cpu_measurement_gets_through_pages_and_complete_submissions(client, bench_data):
    from bench.cpu import _measure, _survey_flows

    assert _measure(client, "/", rounds=2)["cpu_ms"] > 0
    [wizard] = next(flow for flow in FLOWS if flow.label == "flow: survey submission").steps
    before = Response.objects.count()
    line = _survey_flows(client, wizard.path, flows=2)
    assert line["requests_per_flow"] >= 9  # 4 pages: GET and POST each, the thank-you page
    assert Response.objects.count() - before == 3  # the warm-up flow and the two measured


def test_varied_search_has_hundreds_of_different_terms_that_answer(client, bench_data):
    """The "search varied" target (bench/paths.lua) must not be a few terms the search memo
    keeps after the first round: at least 200 different queries, each a normal search."""
    from django.db import connection

    from bench.run import SEARCH_TERMS_SQL

    with connection.cursor() as cursor:
        cursor.execute(SEARCH_TERMS_SQL)
        terms = [term for (term,) in cursor.fetchall()]
    assert len(set(terms)) == len(terms) >= 200
    for term in terms[::20]:
        assert client.get("/suche/", {"q": term}).status_code == 200
