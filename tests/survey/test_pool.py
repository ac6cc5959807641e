"""The mixing pool: online responses wait sealed and are written in random order in
batches; codes are spent at once; the session is not written by the submission."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from survey import participation, selectors
from survey.models import AccessCode, AccessMode, PooledResponse, Response
from survey.sealing import seal
from survey.services import access_codes_generate, response_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool_of_three(settings):
    settings.SURVEY_POOL_SIZE = 3
    settings.SURVEY_SUBMISSIONS_PER_HOUR = settings.SURVEY_SUBMISSIONS_PER_DAY = 1000


def _take_part(filler, marker="Mügeln – Oschatz"):
    from django.test import Client

    client = Client()
    filler_pages = [filler.page1(), filler.page2(**{filler.name("M6"): marker})]
    filler_pages += [filler.page3(), filler.page_ideas()]
    for data in filler_pages:
        assert client.post(filler.url, data).status_code == 302
    return client


def test_responses_wait_in_the_pool_until_two_batches_wait(filler, mobility, pool_of_three):
    for marker in ["eins", "zwei", "drei", "vier", "fünf"]:
        _take_part(filler, marker)
    assert Response.objects.count() == 0
    assert PooledResponse.objects.filter(survey=mobility).count() == 5

    _take_part(filler, "sechs")

    # A random three of the six are written; three stay, so the day's last arrivals are
    # never a group of their own.
    assert PooledResponse.objects.count() == 3
    texts = set(Response.objects.filter(survey=mobility).values_list("answers__text", flat=True))
    assert len(texts & {"eins", "zwei", "drei", "vier", "fünf", "sechs"}) == 3
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {timezone.localdate()}


def test_daily_job_leaves_today_and_writes_the_days_that_are_over(
    filler, mobility, pool_of_three, monkeypatch
):
    _take_part(filler, "eins")
    call_command("survey_flush_pool", verbosity=0)
    assert PooledResponse.objects.count() == 1
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    call_command("survey_flush_pool", verbosity=0)
    assert PooledResponse.objects.count() == 0
    assert Response.objects.get().submitted_on == tomorrow - datetime.timedelta(days=1)


def test_pool_rows_hold_nothing_readable_nothing_dated_nothing_ordered(
    filler, mobility, pool_of_three
):
    long_text = "Ein ganz besonderer Weg über Mügeln nach Schmannewitz " * 4
    short_text = "Kurzstrecke Zschöllau"
    _take_part(filler, long_text)
    _take_part(filler, short_text)
    rows = list(PooledResponse.objects.all())
    assert {field.name for field in PooledResponse._meta.get_fields()} == {
        "id",
        "survey",
        "sealed",
    }
    for row in rows:
        raw = bytes(row.sealed)
        # Whole texts: a few bytes of ciphertext match any short word now and then.
        assert "besonderer Weg über Mügeln".encode() not in raw
        assert short_text.encode() not in raw
        assert "Mügeln".encode() not in raw
        assert timezone.localdate().isoformat().encode() not in raw
    # Padding: a long and a short free text give boxes of one size; ids are random.
    assert len({len(bytes(row.sealed)) for row in rows}) == 1
    assert all(row.id.version == 4 for row in rows)


def test_daily_job_writes_what_waits_with_its_day(filler, mobility, pool_of_three, capsys):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    question = mobility.questions.get(code="M3")
    PooledResponse.objects.create(
        survey=mobility,
        sealed=seal(
            {
                "day": yesterday.isoformat(),
                "answers": [
                    {
                        "question_id": question.pk,
                        "option_id": None,
                        "item_id": None,
                        "number": 4,
                        "text": "",
                    },
                    # An option deleted meanwhile: that answer is left out, the rest stored.
                    {
                        "question_id": question.pk,
                        "option_id": 999999,
                        "item_id": None,
                        "number": None,
                        "text": "",
                    },
                ],
            },
            purpose="pool",
        ),
    )
    call_command("survey_flush_pool")
    assert "1 Antworten aus dem Pool geschrieben" in capsys.readouterr().out
    stored = Response.objects.get()
    assert stored.submitted_on == yesterday
    assert list(stored.answers.values_list("number", flat=True)) == [4]
    assert PooledResponse.objects.count() == 0


def test_daily_job_writes_today_too_when_told(filler, mobility, pool_of_three):
    _take_part(filler, "eins")
    call_command("survey_flush_pool", "--include-today", verbosity=0)
    assert PooledResponse.objects.count() == 0
    assert Response.objects.get().submitted_on == timezone.localdate()


def test_code_is_spent_at_once_while_the_response_waits(filler, mobility, pool_of_three):
    from django.test import Client

    mobility.access_mode = AccessMode.CODES
    mobility.save()
    code = access_codes_generate(survey=mobility, count=1)[0]
    client = Client()
    client.post(filler.url, {"action": "code", "code": code.code})
    for data in [filler.page1(), filler.page2(), filler.page3(), filler.page_ideas()]:
        assert client.post(filler.url, data).status_code == 302
    assert AccessCode.objects.get(pk=code.pk).used
    assert Response.objects.count() == 0
    assert PooledResponse.objects.count() == 1
    other = Client()
    page = other.post(filler.url, {"action": "code", "code": code.code}).content.decode()
    assert "Diesen Code kennen wir nicht" in page


def test_monitoring_says_how_many_wait(admin_client, filler, mobility, pool_of_three):
    _take_part(filler)
    _take_part(filler)
    url = reverse("survey:monitoring", kwargs={"slug": mobility.slug})
    page = admin_client.get(url).content.decode()
    assert "2 Online-Antworten warten im Mischpool und sind noch nicht gezählt." in page
    assert "um bis zu zwei Gruppen bzw. einen Tag" in page


def test_two_hundred_visits_without_a_cookie_write_no_session(client, filler):
    from django.test import Client

    before = Session.objects.count()
    for _ in range(200):
        response = Client().get(filler.url)
        assert response.status_code == 200
        assert "sessionid" not in response.cookies
    assert Session.objects.count() == before
    # The first page sent starts the session.
    assert client.post(filler.url, filler.page1()).status_code == 302
    assert Session.objects.count() == before + 1


def test_sending_the_questionnaire_does_not_touch_the_session_row(client, filler, mobility):
    client.post(filler.url, filler.page1())
    for data in [filler.page2(), filler.page3()]:
        client.post(filler.url, data)
    key = client.session.session_key

    def row():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xmin::text, ctid::text, expire_date, session_data FROM django_session"
                " WHERE session_key = %s",
                [key],
            )
            return cursor.fetchone()

    before = row()
    response = client.post(filler.url, filler.page_ideas())
    assert response["Location"].endswith("/danke/")
    client.get(response["Location"])
    assert Response.objects.count() == 1
    assert row() == before  # same row version: no time, no transaction id of the sending

    # "Already taken part" is a signed cookie with the survey and a random token, no time.
    cookie = client.cookies[participation.DONE_COOKIE]
    value = signing.Signer(salt="survey.participation.done").unsign_object(cookie.value)
    assert list(value) == [str(mobility.pk)]
    assert len(value[str(mobility.pk)]) == 32
    assert ":" not in cookie.value.rsplit(":", 1)[0]  # no timestamp part (TimestampSigner)
    assert cookie["path"] == filler.url
    assert "Sie haben bereits teilgenommen" in client.get(filler.url).content.decode()


def test_a_failing_batch_leaves_the_answers_in_the_pool_and_thanks_the_participant(
    client, filler, mobility, settings, monkeypatch
):
    from survey import services

    settings.SURVEY_POOL_SIZE = 1

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "_pool_write", broken)
    response = filler.fill_all(client)
    assert response["Location"].endswith("/danke/")
    assert PooledResponse.objects.count() == 1
    assert Response.objects.count() == 0

    monkeypatch.undo()
    call_command("survey_flush_pool", verbosity=0)
    assert PooledResponse.objects.count() == 0
    assert Response.objects.count() == 1


def test_pool_refuses_a_closed_survey_and_an_unknown_code(mobility):
    from survey.services import SubmissionError, response_pool

    mobility.access_mode = AccessMode.CODES
    mobility.save()
    with pytest.raises(SubmissionError):
        response_pool(survey=mobility, answers=[], access_code="NOPENOPE")
    mobility.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    mobility.opens_at = mobility.closes_at - datetime.timedelta(days=1)
    mobility.save()
    with pytest.raises(SubmissionError):
        response_pool(survey=mobility, answers=[])
    assert PooledResponse.objects.count() == 0


def test_questionnaire_is_frozen_while_responses_wait_in_the_pool(
    admin_client, filler, mobility, pool_of_three
):
    # A careless editor: the only response so far waits in the pool, the admin sees none and
    # deletes a question. Its answers would be dropped when the batch is written.
    _take_part(filler, "Mügeln – Oschatz")
    question = mobility.questions.get(code="M6")
    delete = reverse("admin:survey_question_delete", args=[question.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    call_command("survey_flush_pool", "--include-today", verbosity=0)
    assert Response.objects.get().answers.filter(question=question).exists()


def test_frozen_check_asks_both_tables_in_one_query(
    filler, mobility, pool_of_three, django_assert_num_queries
):
    # The admin asks it for every inline and permission on a page: one query, not two.
    with django_assert_num_queries(1):
        assert not selectors.survey_has_responses(survey=mobility)
    _take_part(filler)
    with django_assert_num_queries(1):
        assert selectors.survey_has_responses(survey=mobility)


@pytest.mark.django_db(transaction=True)
def test_a_submission_does_not_queue_behind_a_batch_being_written(mobility, pool_of_three):
    # Another app server is writing a batch of this survey (it holds the pool's lock). A
    # participant's submission must not wait for it: the thank-you page comes at once.
    holder = connection.get_new_connection(connection.get_connection_params())
    holder.autocommit = False
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('survey_pool'), %s)", [mobility.pk])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting would take 2 s per submission
        started = time.monotonic()
        for _ in range(6):
            response_pool(survey=mobility, answers=[])
        assert time.monotonic() - started < 1.5
        assert PooledResponse.objects.count() == 6  # the batch is left for later
    finally:
        holder.rollback()
        holder.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    response_pool(survey=mobility, answers=[])
    assert PooledResponse.objects.count() == 3
