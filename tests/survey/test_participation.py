"""Taking part online: pages, navigation, display conditions, time window, storing once."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from survey.models import Answer, Channel, Response, SurveyStatus

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def test_full_journey_stores_one_online_response_with_all_answers(client, filler, mobility):
    response = filler.fill_all(client)

    assert response["Location"] == reverse("survey:thanks", kwargs={"slug": mobility.slug})
    stored = Response.objects.get()
    assert stored.channel == Channel.ONLINE
    assert stored.submitted_on == timezone.localdate()
    assert stored.sheet_number is None
    answers = {(a.question.code, a.option_id, a.item_id): a for a in stored.answers.all()}
    codes = sorted({code for code, _option, _item in answers})
    assert codes == ["M1", "M10", "M2", "M3", "M4", "M5", "M6", "M7", "M8"]
    assert sum(1 for code, *_r in answers if code == "M4") == 2
    assert sum(1 for code, *_r in answers if code == "M7") == 4
    assert stored.answers.get(question__code="M3").number == 3
    assert stored.answers.get(question__code="M10").text == "Ein Rufbus am Abend."
    thanks = client.get(response["Location"])
    assert "Vielen Dank für Ihre Teilnahme!" in body(thanks)


def test_first_page_shows_progress_fieldsets_and_required_marker(client, filler):
    page = body(client.get(filler.url))
    assert "<title>Schritt 1 von 4 – Mobilität im Oschatzer Land 2026" in page
    assert "Schritt 1 von 4" in page
    assert "<fieldset" in page
    assert "<legend" in page
    assert "Wo wohnen Sie? <span class='required-note'>(Pflichtfeld)</span>" in page
    assert "Weiter" in page
    assert "Zurück" not in page


def test_invalid_page_shows_summary_field_errors_and_keeps_input(client, filler):
    client.get(filler.url)
    data = filler.page1()
    del data[filler.name("M1")]
    data[filler.name("M3")] = "99"

    response = client.post(filler.url, data)

    page = body(response)
    assert response.status_code == 200
    assert "<title>Fehler: Schritt 1 von 4" in page
    assert 'error-summary" role="alert"' in page
    assert f'href="#id_{filler.name("M1")}_0"' in page
    assert f'href="#id_{filler.name("M3")}"' in page
    assert "Dieses Feld ist zwingend erforderlich." in page
    assert 'aria-invalid="true"' in page
    assert f'aria-describedby="id_{filler.name("M3")}_error"' in page
    # What was typed stays: the age group is still selected.
    assert f'value="{filler.option("M2", "30 bis 44")}" selected' in page
    assert Response.objects.count() == 0


def test_back_and_forth_keeps_answers(client, filler):
    client.get(filler.url)
    client.post(filler.url, filler.page1())
    # On page 2, type something and go back.
    back = client.post(filler.url, filler.page2(action="back") | {"action": "back"})
    assert back["Location"].endswith("?schritt=1")

    page1 = body(client.get(back["Location"]))
    assert re.search(rf'value="{filler.option("M1", "Mügeln")}"[^>]*checked', page1)
    assert re.search(rf'name="{filler.name("M3")}" value="3"', page1)  # household size

    client.post(filler.url, filler.page1())
    page2 = body(client.get(f"{filler.url}?schritt=2"))
    assert 'value="Mügeln – Oschatz"' in page2
    assert "Schritt 2 von 4" in page2


def test_going_back_from_an_invalid_page_keeps_its_valid_answers(client, filler):
    client.get(filler.url)
    client.post(filler.url, filler.page1())
    data = filler.page2(action="back")
    data[filler.name("M5")] = "99"  # invalid, dropped
    data["action"] = "back"
    client.post(filler.url, data)

    page2 = body(client.get(f"{filler.url}?schritt=2"))
    assert 'value="Mügeln – Oschatz"' in page2
    assert 'value="99"' not in page2


def test_cannot_skip_ahead_to_unanswered_pages(client, filler):
    client.get(filler.url)
    response = client.get(f"{filler.url}?schritt=3")
    assert response.status_code == 302
    assert response["Location"].endswith("?schritt=1")
    assert client.get(f"{filler.url}?schritt=abc").status_code == 200


def test_section_condition_shows_oschatz_page_only_to_oschatz(client, filler):
    client.get(filler.url)
    client.post(filler.url, filler.page1(residence="Oschatz"))
    page = body(client.get(f"{filler.url}?schritt=2"))
    assert "Schritt 2 von 5" in page

    filler.fill_all(client, residence="Oschatz")
    stored = Response.objects.get()
    assert stored.answers.filter(question__code="M9").count() == 1


def test_hidden_section_is_not_required_and_not_stored(client, filler):
    client.get(filler.url)
    client.post(filler.url, filler.page1(residence="Oschatz"))
    client.post(filler.url, filler.page2())
    client.post(filler.url, filler.page3())
    client.post(filler.url, filler.page_oschatz())
    # Change the residence: the Oschatz page disappears, and its answer with it.
    client.get(f"{filler.url}?schritt=1")
    client.post(filler.url, filler.page1(residence="Dahlen"))
    client.post(filler.url, filler.page2())
    client.post(filler.url, filler.page3())
    # Posting the hidden page is refused.
    assert client.post(filler.url, filler.page_oschatz()).status_code == 400
    client.post(filler.url, filler.page_ideas())

    stored = Response.objects.get()
    assert not stored.answers.filter(question__code="M9").exists()


def test_hidden_question_is_neither_required_nor_stored(client, filler):
    client.get(filler.url)
    client.post(filler.url, filler.page1())
    no_bike = filler.page2()
    no_bike[filler.name("M4")] = [filler.option("M4", "Auto")]
    client.post(filler.url, no_bike)
    page3 = body(client.get(f"{filler.url}?schritt=3"))
    assert "Kilometer" not in page3

    # A tampered request with a value for the hidden question: ignored.
    response = client.post(filler.url, filler.page3())
    assert response.status_code == 302
    client.post(filler.url, filler.page_ideas())
    stored = Response.objects.get()
    assert not stored.answers.filter(question__code="M8").exists()


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (2, 10, "Die Befragung hat noch nicht begonnen"),
        (-10, -2, "Die Befragung ist beendet"),
    ],
)
def test_outside_the_time_window_nothing_is_stored(
    client, filler, mobility, opens, closes, message
):
    client.get(filler.url)
    client.post(filler.url, filler.page1())
    client.post(filler.url, filler.page2())
    client.post(filler.url, filler.page3())
    now = timezone.now()
    mobility.opens_at = now + datetime.timedelta(days=opens)
    mobility.closes_at = now + datetime.timedelta(days=closes)
    mobility.save()

    response = client.post(filler.url, filler.page_ideas())

    assert message in body(response)
    assert "<form" not in body(response).split("<main")[1].split("</main>")[0]
    assert Response.objects.count() == 0
    assert message in body(client.get(filler.url))


def test_survey_closed_by_staff_takes_nothing(client, filler, mobility):
    mobility.status = SurveyStatus.CLOSED
    mobility.save()
    assert "Die Befragung ist beendet" in body(client.get(filler.url))
    client.post(filler.url, filler.page1())
    assert Response.objects.count() == 0


def test_draft_survey_is_not_public(client, mobility):
    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    for name in ["detail", "participate", "print", "thanks"]:
        url = reverse(f"survey:{name}", kwargs={"slug": mobility.slug})
        assert client.get(url).status_code == 404


def test_resubmitting_the_last_page_stores_once(client, filler, mobility):
    filler.fill_all(client)
    again = client.post(filler.url, filler.page_ideas())

    assert Response.objects.count() == 1
    assert "Sie haben bereits teilgenommen" in body(again)


def test_double_click_while_storing_stores_once(client, filler, mobility):
    client.get(filler.url)
    for data in [filler.page1(), filler.page2(), filler.page3()]:
        client.post(filler.url, data)
    # The first click holds the lock while it stores; the second click arrives now.
    from survey.participation import Participation, submission_lock
    from survey.selectors import survey_definition

    definition = survey_definition(survey=mobility)
    token = Participation(client.session, mobility, definition=definition).token

    assert submission_lock(token)
    response = client.post(filler.url, filler.page_ideas())

    assert response.status_code == 302
    assert Response.objects.count() == 0  # only the first request stores


def test_completion_is_remembered_in_the_session(client, filler):
    filler.fill_all(client)
    page = body(client.get(filler.url))
    assert "Sie haben bereits teilgenommen" in page
    assert Response.objects.count() == 1


def test_rate_limit_per_client_stores_nothing_beyond_the_limit(client, filler, settings):
    settings.SURVEY_SUBMISSIONS_PER_HOUR = 1
    filler.fill_all(client)
    client.session.flush()
    other = client.__class__()
    other.get(filler.url)
    for data in [filler.page1(), filler.page2(), filler.page3()]:
        other.post(filler.url, data)

    response = other.post(filler.url, filler.page_ideas())

    assert response.status_code == 429
    assert "Ihre Antworten bleiben erhalten" in body(response)
    assert Response.objects.count() == 1


def test_lost_session_says_so_and_starts_again(client, filler):
    # A later page without the session that holds the earlier ones.
    response = client.post(filler.url, filler.page2())
    assert response.status_code == 302
    page = body(client.get(response["Location"]))
    assert "Ihre bisherigen Antworten wurden nicht gefunden" in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"section": "abc", "action": "next"},
        {"section": "999999", "action": "next"},
        {"action": "jump"},
    ],
)
def test_malformed_navigation_is_a_400(client, filler, data):
    client.get(filler.url)
    if "action" in data and data["action"] == "jump":
        data = filler.page1() | {"action": "jump"}
    response = client.post(filler.url, data)
    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_section_of_another_survey_is_a_400(client, filler, db):
    from tests.factories import QuestionFactory

    foreign = QuestionFactory()
    client.get(filler.url)
    data = filler.page1() | {"section": str(foreign.section_id)}
    assert client.post(filler.url, data).status_code == 400


def test_option_of_another_question_is_a_form_error(client, filler):
    client.get(filler.url)
    data = filler.page1()
    data[filler.name("M1")] = filler.option("M2", "unter 18")
    response = client.post(filler.url, data)
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen." in body(response)


def test_extra_fields_are_ignored(client, filler):
    client.get(filler.url)
    response = client.post(
        filler.url, filler.page1(unexpected="x" * 10000, **{filler.name("M10"): "early"})
    )
    assert response.status_code == 302
    filler.fill_all(client)
    assert Response.objects.get().answers.get(question__code="M10").text != "early"


def test_no_ip_user_agent_or_time_is_stored(client, filler):
    from django.db import models

    from survey.models import AccessCode

    filler.fill_all(client)
    # The models have no field that could hold them …
    for model in (Response, Answer, AccessCode):
        for field in model._meta.get_fields():
            assert not isinstance(field, models.DateTimeField | models.GenericIPAddressField), (
                model,
                field.name,
            )
            assert not any(word in field.name for word in ("ip", "agent", "time", "session"))
    # … and the stored row holds the day and nothing about the client.
    row = Response.objects.values().get()
    assert set(row) == {
        "id",
        "survey_id",
        "channel",
        "submitted_on",
        "sheet_number",
        "batch",
        "entered_by_id",
        "tallied",  # counted into the results yet (no number, no time)
    }
    assert row["submitted_on"] == timezone.localdate()
    assert row["batch"] == ""
    assert row["entered_by_id"] is None
    assert row["tallied"] is None
    texts = " ".join(Answer.objects.values_list("text", flat=True))
    assert "127.0.0.1" not in texts


def test_a_question_edited_by_staff_shows_on_the_next_page_view(client, filler, mobility):
    """The questionnaire is read from the cache; saving a question replaces it at once."""
    assert "Wo wohnen Sie?" in body(client.get(filler.url))
    question = mobility.questions.get(code="M1")
    question.text = "In welcher Kommune wohnen Sie?"
    question.save()
    page = body(client.get(filler.url))
    assert "In welcher Kommune wohnen Sie?" in page
    assert "Wo wohnen Sie?" not in page
