"""Save and continue later: a continuation code of four words, shown once, single use, for
14 days, for one survey, and nothing else that identifies the participant."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from survey.continuation import (
    continuation_code_new,
    continuation_words,
    continuations_purge,
    normalize_continuation_code,
)
from survey.models import AccessCode, ContinuationState, Response, SurveyStatus
from tests.factories import QuestionFactory, SurveyFactory
from tests.survey.conftest import db_rows

pytestmark = pytest.mark.django_db


def _put_aside(client, filler) -> str:
    """First page answered, the second half filled, then "Continue later": the code shown."""
    client.get(filler.url)
    assert client.post(filler.url, filler.page1("Oschatz")).status_code == 302
    response = client.post(filler.url, filler.page2(action="later"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    words = re.findall(
        r'<span class="continuation-code__word">([a-z]+)</span>', response.content.decode()
    )
    assert len(words) == 4
    return " ".join(words)


def _resume(client, filler, code):
    return client.post(reverse("survey:resume", args=[filler.survey.slug]), {"code": code})


def test_word_list_gives_44_bits():
    words = continuation_words()
    assert len(set(words)) == 2048
    assert all(re.fullmatch(r"[a-z]{3,10}", word) for word in words)
    assert len({continuation_code_new() for _n in range(200)}) == 200


def test_typed_forgivingly():
    assert (
        normalize_continuation_code("  Äpfel-BOGEN,  kerze\twiese ") == "aepfel bogen kerze wiese"
    )
    assert normalize_continuation_code("x" * 100_000) == "x" * 200


def test_continue_on_another_device(client, filler):
    code = _put_aside(client, filler)
    assert ContinuationState.objects.count() == 1
    # On this device the answers are gone: the first page is empty again.
    page = client.get(filler.url).content.decode()
    assert "Schritt 1 von" in page
    other = Client()
    response = _resume(other, filler, code.upper().replace(" ", "-"))
    assert response.status_code == 302
    assert ContinuationState.objects.count() == 0  # single use: the stored copy is gone
    page = other.get(response["Location"]).content.decode()
    assert "Schritt 2 von" in page
    assert "Mügeln – Oschatz" in page  # the half-filled page came along
    for data in [filler.page2(), filler.page3(), filler.page_oschatz(), filler.page_ideas()]:
        response = other.post(filler.url, data)
    assert response["Location"].endswith("/danke/")


def test_code_works_once(client, filler):
    code = _put_aside(client, filler)
    assert _resume(Client(), filler, code).status_code == 302
    response = _resume(Client(), filler, code)
    assert response.status_code == 200
    assert "keinen zurückgestellten Fragebogen gefunden" in response.content.decode()


def test_code_expires_after_14_days(client, filler, settings):
    code = _put_aside(client, filler)
    state = ContinuationState.objects.get()
    assert state.expires_on == timezone.localdate() + datetime.timedelta(days=14)
    ContinuationState.objects.update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "keinen zurückgestellten" in _resume(Client(), filler, code).content.decode()
    call_command("survey_purge_continuations")
    assert not ContinuationState.objects.exists()


def test_purge_keeps_the_valid_ones(client, filler):
    _put_aside(client, filler)
    assert continuations_purge() == 0
    assert continuations_purge(today=timezone.localdate() + datetime.timedelta(days=15)) == 1


def test_code_of_another_survey_does_not_open_this_one(client, filler):
    code = _put_aside(client, filler)
    other = SurveyFactory(slug="andere")
    QuestionFactory(section__survey=other)
    response = Client().post(reverse("survey:resume", args=["andere"]), {"code": code})
    assert "keinen zurückgestellten" in response.content.decode()
    assert ContinuationState.objects.count() == 1  # still waiting for its own survey


def test_closed_survey_cannot_be_resumed(client, filler, mobility):
    code = _put_aside(client, filler)
    mobility.status = SurveyStatus.CLOSED
    mobility.save()
    response = _resume(Client(), filler, code)
    assert "beendet" in response.content.decode()
    assert ContinuationState.objects.count() == 1  # deleted when it expires


@pytest.mark.parametrize(
    "value", ["", "apfel", "a b c d e", "\x00\x00\x00\x00", "ä " * 5000, "' OR 1=1 --"]
)
def test_nonsense_is_a_german_form_error(client, filler, value):
    response = client.post(reverse("survey:resume", args=[filler.survey.slug]), {"code": value})
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert "Fehler:" in response.content.decode()


def test_guessing_is_limited(client, filler, settings):
    code = _put_aside(client, filler)
    settings.SURVEY_CODE_ATTEMPTS_PER_HOUR = 3
    guesser = Client()
    for _n in range(3):
        assert (
            "keinen zurückgestellten"
            in _resume(guesser, filler, "apfel bogen kerze wiese").content.decode()
        )
    response = _resume(guesser, filler, code)  # even the right code is not checked now
    assert response.status_code == 429
    assert ContinuationState.objects.count() == 1


def test_code_survey_keeps_its_access_code_and_spends_it_once(filler):
    codes = filler.use_codes(1)
    device = Client()
    device.post(filler.url, {"action": "code", "code": codes[0]})
    device.post(filler.url, filler.page1())
    response = device.post(filler.url, filler.page2(action="later"))
    words = " ".join(re.findall(r'continuation-code__word">([a-z]+)<', response.content.decode()))
    assert ContinuationState.objects.get().access_code_hash not in {"", codes[0]}
    # Meanwhile the access code is used on another device: the copy put aside is deleted
    # (it must not wait next to the response), and the code finds nothing.
    filler.send_with_code(codes[0], way="Bus")
    assert not ContinuationState.objects.exists()
    response = _resume(Client(), filler, words)
    assert "keinen zurückgestellten" in response.content.decode()


def test_resumed_code_survey_whose_access_code_was_spent(filler):
    codes = filler.use_codes(1)
    device = Client()
    device.post(filler.url, {"action": "code", "code": codes[0]})
    device.post(filler.url, filler.page1())
    response = device.post(filler.url, filler.page2(action="later"))
    words = " ".join(re.findall(r'continuation-code__word">([a-z]+)<', response.content.decode()))
    # Spent without going through the questionnaire (e.g. marked used by a script).
    AccessCode.objects.filter(code=codes[0]).update(used=True, used_on=timezone.localdate())
    response = _resume(Client(), filler, words)
    assert "bereits Antworten abgeschickt" in response.content.decode()


def test_nothing_identifies_the_participant(client, filler):
    code = _put_aside(client, filler)
    columns = {
        row[0]
        for row in db_rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            [ContinuationState._meta.db_table],
        )
    }
    assert columns == {"key_hash", "survey_id", "box", "expires_on", "access_code_hash"}
    [(key_hash, box)] = db_rows(f"SELECT key_hash, box FROM {ContinuationState._meta.db_table}")
    for word in code.split():
        assert word not in key_hash
        assert word.encode() not in bytes(box)
    assert b"M\xc3\xbcgeln" not in bytes(box)  # the answers are sealed


def test_submitted_questionnaire_leaves_no_stored_copy(client, filler):
    code = _put_aside(client, filler)
    other = Client()
    _resume(other, filler, code)
    for data in [filler.page2(), filler.page3(), filler.page_oschatz(), filler.page_ideas()]:
        other.post(filler.url, data)
    assert not ContinuationState.objects.exists()
    assert (
        Response.objects.count() + db_rows("SELECT count(*) FROM survey_pooledresponse")[0][0] == 1
    )


def test_first_page_can_be_put_aside_straight_away(client, filler):
    client.get(filler.url)
    response = client.post(filler.url, filler.page1(action="later"))
    assert response.status_code == 200
    assert ContinuationState.objects.count() == 1
