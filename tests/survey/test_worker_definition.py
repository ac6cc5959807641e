"""The questionnaire kept in each worker's memory (``survey.selectors.survey_definition_cached``):
one object shared by every request of the worker, so no request may change it, a new
version of the questionnaire is used from the next request on (never mixed with the old
one), and the memory stays bounded."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from survey import selectors
from survey.models import Question, QuestionKind, Section
from tests.factories import QuestionFactory, SectionFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db


def kept(survey):
    """The definition this worker keeps for ``survey`` (loaded once if not yet)."""
    return selectors.survey_definition_cached(survey=survey)


def fingerprint(definition) -> list:
    """Every object of the definition with its identity and its attributes (values by
    identity for objects, by value for the rest): a request that set, replaced or added
    anything on the shared objects changes it."""
    seen, out = set(), []

    def walk(value):
        if isinstance(value, list | tuple | set | frozenset):
            for each in value:
                walk(each)
            return
        attributes = getattr(value, "__dict__", None)
        if attributes is None or id(value) in seen:
            return
        seen.add(id(value))
        row = [id(value), type(value).__name__]
        for name in sorted(attributes):
            each = attributes[name]
            if hasattr(each, "__dict__") and not isinstance(each, type):
                row.append((name, "object", id(each)))
                if name != "_state":
                    walk(each)
            elif isinstance(each, list | tuple | set | frozenset):
                row.append((name, type(each).__name__, tuple(map(id_or_value, each))))
                walk(each)
            else:
                row.append((name, repr(each)))
        out.append(row)

    walk(definition)
    return out


def id_or_value(value):
    return id(value) if hasattr(value, "__dict__") else repr(value)


def test_serving_pages_changes_nothing_in_the_shared_questionnaire(filler, mobility):
    """Blank pages, a page with errors, back, a revisited page, continue later, the final
    submission, a second visitor and staff in test mode: the worker's definition is the
    same object with the same contents before and after."""
    first = Client()
    first.get(filler.url)
    definition = kept(mobility)
    before = fingerprint(definition)

    bad = filler.page1()
    bad[filler.name("M3")] = "99"
    assert first.post(filler.url, bad).status_code == 200  # errors
    first.post(filler.url, filler.page1())
    first.post(filler.url, filler.page2(action="back"))
    first.get(f"{filler.url}?schritt=1")
    first.post(filler.url, filler.page1())
    first.post(filler.url, filler.page2())
    later = first.post(filler.url, filler.page3(action="later"))
    assert later.status_code == 200  # the continuation code page
    assert filler.fill_all(Client())["Location"].endswith("/danke/")
    tester = Client()
    tester.force_login(UserFactory(is_staff=True, permissions=["survey.change_survey"]))
    # A draft now, without a new version: test mode is served from the same definition.
    type(mobility).objects.filter(pk=mobility.pk).update(status="draft")
    test_url = reverse("survey:test", kwargs={"slug": mobility.slug})
    assert tester.get(test_url).status_code == 200
    tester.post(test_url, filler.page1())

    after = fingerprint(definition)
    assert kept(mobility) is definition
    assert after == before


def test_a_new_version_is_used_from_the_next_request_never_mixed_with_the_old(filler, mobility):
    """A visitor on page 2 when staff add a required question to it: the next GET shows the
    new question, and the old page 2 sent without it is refused, not taken with the old
    form."""
    visitor = Client()
    visitor.get(filler.url)
    visitor.post(filler.url, filler.page1())
    old_page = visitor.get(f"{filler.url}?schritt=2").content.decode()
    section = Section.objects.get(pk=filler.section("M4"))
    question = QuestionFactory(
        section=section,
        kind=QuestionKind.SHORT_TEXT,
        text="Neu hinzugefügte Pflichtfrage?",
        required=True,
        position=99,
    )  # a save: the content version is raised

    new_page = visitor.get(f"{filler.url}?schritt=2").content.decode()
    sent_old = visitor.post(filler.url, filler.page2())

    assert "Neu hinzugefügte Pflichtfrage?" not in old_page
    assert "Neu hinzugefügte Pflichtfrage?" in new_page
    assert f'name="q{question.pk}"' in new_page
    assert sent_old.status_code == 200  # back with an error for the new question
    assert "Neu hinzugefügte Pflichtfrage?" in sent_old.content.decode()
    assert kept(mobility).question_by_id()[question.pk].text == "Neu hinzugefügte Pflichtfrage?"


def test_an_edit_without_a_signal_shows_once_the_version_is_raised(mobility):
    """Another app server changed a question and raised the version (no signal here)."""
    question = Question.objects.filter(survey=mobility).order_by("pk").first()
    assert kept(mobility).question_by_id()[question.pk].text == question.text
    Question.objects.filter(pk=question.pk).update(text="Geänderter Fragetext")
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('portal_content_version')")

    assert kept(mobility).question_by_id()[question.pk].text == "Geänderter Fragetext"


def test_a_questionnaire_with_problems_is_refused_at_once_after_the_change(filler, mobility):
    """The activation check is decided once per kept definition: a question without
    options saved meanwhile makes the next request answer "not available"."""
    assert Client().get(filler.url).status_code == 200
    section = Section.objects.get(pk=filler.section("M1"))
    QuestionFactory(section=section, kind=QuestionKind.SINGLE, required=True, position=0)

    assert Client().get(filler.url).status_code == 503


def test_the_kept_questionnaires_are_bounded():
    surveys = [SurveyFactory() for _ in range(selectors._DEFINITIONS.max_entries + 4)]
    for survey in surveys:
        QuestionFactory(section=SectionFactory(survey=survey))
        kept(survey)

    assert len(selectors._DEFINITIONS) == selectors._DEFINITIONS.max_entries


def test_a_survey_closed_or_made_a_draft_by_staff_is_so_on_the_next_request(filler, mobility):
    """The survey row is kept per worker and content version: a save by staff shows on the
    next request (closed; a draft is not found by visitors)."""
    assert Client().get(filler.url).status_code == 200  # the row is kept
    mobility.closes_at = timezone.now() - datetime.timedelta(hours=1)  # closed
    mobility.save()
    closed = Client().get(filler.url)
    mobility.status = "draft"
    mobility.save()

    assert "Die Befragung ist beendet" in closed.content.decode()
    assert Client().get(filler.url).status_code == 404


def test_every_request_gets_its_own_copy_of_the_kept_survey(mobility):
    version = selectors.content_version()
    first = selectors.survey_by_slug_cached(mobility.slug, version=version)
    first.title = "Von einer Anfrage geändert"
    first.request_only = True

    second = selectors.survey_by_slug_cached(mobility.slug, version=version)

    assert second is not first
    assert second.title == mobility.title
    assert not hasattr(second, "request_only")
    assert len(selectors._SURVEYS) == 1


def test_unknown_slugs_are_not_kept(client):
    for number in range(100):
        assert client.get(f"/befragungen/gibt-es-nicht-{number}/teilnehmen/").status_code == 404

    assert len(selectors._SURVEYS) == 0
