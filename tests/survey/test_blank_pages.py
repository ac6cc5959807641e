"""Blank questionnaire pages kept in worker memory (``survey.forms.section_fields_html``):
what one visitor typed, their CSRF token, the staff test mode and an outdated questionnaire
never reach another visitor; every questionnaire sent is stored exactly once; no step costs
more queries than before."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey import forms as survey_forms
from survey.models import PooledResponse, Question, QuestionKind, Response
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BANNER = "Testmodus – Antworten zählen nicht"


def body(response) -> str:
    return response.content.decode()


def without_token(page: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', page)


def test_a_revisited_page_keeps_its_answers_and_a_new_visitor_gets_a_blank_one(filler):
    first, second = Client(), Client()
    blank = body(first.get(filler.url))  # visitor A's blank page 1 is memorised
    first.post(filler.url, filler.page1(**{filler.name("M3"): "7"}))  # on to page 2
    back = filler.page("M4", {filler.name("M6"): "Mügeln – Oschatz"}, action="back")

    first.post(filler.url, back)
    revisited = body(first.get(f"{filler.url}?schritt=1"))
    typed = f'name="{filler.name("M3")}" value="7"'

    page_of_b = body(second.get(filler.url))
    # A sees what A typed: the page is not taken from memory.
    assert revisited != blank
    assert typed in revisited  # M3, the number A typed
    assert "checked" in revisited
    # B gets the blank page, nothing of A's answers.
    assert without_token(page_of_b) == without_token(blank)
    assert typed not in page_of_b
    assert "checked" not in page_of_b


def test_a_page_with_errors_is_rendered_for_its_visitor_only(filler):
    first, second = Client(), Client()
    blank = body(second.get(filler.url))
    data = filler.page1()
    data[filler.name("M3")] = "99"

    errors = body(first.post(filler.url, data))

    assert 'error-summary" role="alert"' in errors
    assert 'value="99"' in errors
    page_of_b = body(second.get(filler.url))
    assert "error-summary" not in page_of_b
    assert 'value="99"' not in page_of_b
    assert without_token(page_of_b) == without_token(blank)


def test_a_memorised_page_carries_the_visitors_own_csrf_token(filler):
    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    token_a = TOKEN.search(body(first.get(filler.url)))[1]
    page_b = body(second.get(filler.url))
    assert len(survey_forms._BLANK_PAGES) == 1  # B's fields came from memory
    token_b = TOKEN.search(page_b)[1]

    # A's token is no good in B's session, B's own is.
    refused = second.post(filler.url, {**filler.page1(), "csrfmiddlewaretoken": token_a})
    accepted = second.post(filler.url, {**filler.page1(), "csrfmiddlewaretoken": token_b})

    assert token_a != token_b
    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert accepted["Location"].endswith("?schritt=2")


def test_the_test_mode_banner_never_reaches_a_public_visitor(mobility, filler):
    tester = Client()
    tester.force_login(UserFactory(is_staff=True, permissions=["survey.change_survey"]))
    public_url = filler.url
    test_url = reverse("survey:test", kwargs={"slug": mobility.slug})
    # A public visitor first, then staff in test mode ... (an open survey cannot be tested:
    # the test view answers 409 with the banner; a draft is shown to staff only.)
    Client().get(public_url)
    mobility.status = "draft"
    mobility.save()
    tested = body(tester.get(test_url))
    mobility.status = "open"
    mobility.save()

    page = body(Client().get(public_url))

    assert BANNER in tested
    assert "Wo wohnen Sie?" in tested
    assert BANNER not in page
    assert "Wo wohnen Sie?" in page


def test_a_change_by_staff_shows_on_the_next_request_of_every_worker(filler, mobility):
    question = Question.objects.get(survey=mobility, code="M1")
    visitor = Client()
    assert "Wo wohnen Sie?" in body(visitor.get(filler.url))  # memorised

    # Another worker changed the question: no signal here, only the row and the version.
    Question.objects.filter(pk=question.pk).update(text="In welchem Ort wohnen Sie?")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('portal_content_version')")

    page = body(Client().get(filler.url))

    assert "In welchem Ort wohnen Sie?" in page
    assert "Wo wohnen Sie?" not in page


def test_every_questionnaire_sent_is_stored_once_when_pages_come_from_memory(filler):
    visitors = [Client() for _ in range(3)]
    for visitor in visitors:
        visitor.get(filler.url)

    for visitor in visitors:
        last = filler.fill_all(visitor)
        assert last["Location"].endswith("/danke/")
    # A second click on "send" stores nothing more.
    again = visitors[0].post(filler.url, filler.page_ideas())

    assert again.status_code == 200  # "you have already taken part"
    assert stored(filler.survey) == 3


def test_queries_per_step_of_a_submission(filler, mobility):
    """Each request of a complete submission as a new visitor, counted after one visitor
    has filled the caches: no step costs more than before the memory (the same literal
    numbers measured on the code before it)."""
    filler.fill_all(Client())  # fills the questionnaire cache
    visitor = Client()
    counts = []

    def step(method, url, data=None):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(visitor, method)(url, data) if data else visitor.get(url)
        counts.append(len(queries))
        return response

    step("get", filler.url)
    for number, data in enumerate(
        (filler.page1(), filler.page2(), filler.page3(), filler.page_ideas()), start=1
    ):
        response = step("post", filler.url, data)
        if number < 4:
            step("get", response["Location"])
    step("get", response["Location"])

    # GET: the content version (the survey row and the questionnaire are kept per worker
    # under it), the menus' version (+ the session once there is one). POST page 1: +
    # clearing test responses, 3 drop-out counters, the new session; pages 2-3: + a counter
    # and the session update; page 4 (sent): + the submission lock, the answer check, the
    # mixing pool, a counter; the thank-you page. One query less per questionnaire request
    # than with the survey read per request (3, 10, 4, 7, 4, 7, 4, 25, 2), two on the last.
    assert counts == [2, 9, 3, 6, 3, 6, 3, 23, 2]
    assert stored(mobility) == 2


def stored(survey) -> int:
    """Questionnaires stored: written, or waiting in the mixing pool."""
    return (
        Response.objects.filter(survey=survey).count()
        + PooledResponse.objects.filter(survey=survey).count()
    )


def test_pages_differing_only_in_an_information_text_are_kept_apart(mobility):
    """An information text has no form field: a page with it and one without (hidden by a
    condition) must not share their memorised HTML."""
    from survey.selectors import survey_definition_cached

    definition = survey_definition_cached(survey=mobility)
    section = definition.sections[0]
    info = Question(
        pk=10**6, survey=mobility, section=section, kind=QuestionKind.INFO, text="Hinweis X"
    )
    shown = list(section.question_list)
    scope = (mobility.pk, section.pk, "survey")

    without = survey_forms.section_fields_html(
        survey_forms.SectionForm(questions=shown), version=definition.version, scope=scope
    )
    with_info = survey_forms.section_fields_html(
        survey_forms.SectionForm(questions=[*shown, info]),
        version=definition.version,
        scope=scope,
    )

    assert "Hinweis X" not in without
    assert "Hinweis X" in with_info
