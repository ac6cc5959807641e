"""Test mode: staff with the survey permission take a draft or scheduled survey before it
opens, every page marked; what they send never counts and is deleted when it opens."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from survey import services
from survey.answers import SubmissionError
from survey.kinds import AnswerInput
from survey.models import (
    AccessCode,
    ContinuationState,
    PooledResponse,
    ProgressCount,
    Question,
    QuestionKind,
    Response,
    SurveyStatus,
    TrialResponse,
)
from survey.participation import DONE_COOKIE
from survey.trial import trial_response_store
from tests.factories import OptionFactory, UserFactory
from tests.survey.test_activation import change_form

pytestmark = pytest.mark.django_db

BANNER = "Testmodus – Antworten zählen nicht"


@pytest.fixture
def draft(mobility):
    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    return mobility


@pytest.fixture
def scheduled(mobility):
    now = timezone.now()
    mobility.status = SurveyStatus.OPEN
    mobility.opens_at = now + datetime.timedelta(days=2)
    mobility.closes_at = now + datetime.timedelta(days=30)
    mobility.save()
    return mobility


@pytest.fixture
def tester():
    client = Client()
    client.force_login(UserFactory(is_staff=True, permissions=["survey.change_survey"]))
    return client


def test_url(survey) -> str:
    return reverse("survey:test", kwargs={"slug": survey.slug})


test_url.__test__ = False  # a helper, not a test


def fill_in_test_mode(client, filler) -> list:
    """Every page of the questionnaire through the test URL; the pages seen on the way."""
    filler.url = test_url(filler.survey)
    seen = [client.get(filler.url)]
    for data in [filler.page1(), filler.page2(), filler.page3(), filler.page_ideas()]:
        response = client.post(filler.url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        seen.append(client.get(response["Location"]))
    return seen


def nothing_real_stored(survey) -> bool:
    return (
        not Response.objects.filter(survey=survey).exists()
        and not PooledResponse.objects.filter(survey=survey).exists()
        and not ProgressCount.objects.filter(survey=survey).exists()
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("permission_but_not_staff", 403),
        ("staff_without_permission", 403),
        ("staff_with_paper_permission_only", 403),
        ("staff_with_permission", 200),
    ],
)
def test_only_staff_with_the_survey_permission_may_test(draft, filler, who, status):
    client = Client()
    permissions = {
        "permission_but_not_staff": ["survey.change_survey"],
        "staff_with_paper_permission_only": ["survey.enter_paper_response"],
        "staff_with_permission": ["survey.change_survey"],
    }.get(who, [])
    if who != "anonymous":
        client.force_login(
            UserFactory(is_staff=who != "permission_but_not_staff", permissions=permissions)
        )
    url = test_url(draft)
    assert client.get(url).status_code == status
    assert client.get(reverse("survey:test_responses", args=[draft.slug])).status_code == status
    post = client.post(url, filler.page1())
    assert post.status_code == (302 if status == 200 else status)
    if status != 200:
        assert (
            client.post(reverse("survey:test_responses", args=[draft.slug])).status_code == status
        )
    assert nothing_real_stored(draft)


def test_a_draft_is_tested_with_the_banner_on_every_page_and_counts_nowhere(draft, filler, tester):
    pages = fill_in_test_mode(tester, filler)

    for page in pages:
        assert page.status_code == 200
        assert BANNER in page.content.decode()
    trial = TrialResponse.objects.get()
    assert trial.survey == draft
    assert {a["question_id"] for a in trial.answers} >= {filler.questions["M1"].pk}
    assert nothing_real_stored(draft)
    assert DONE_COOKIE not in tester.cookies
    # Listed apart, readable, and the tester may go again.
    listing = pages[-1].content.decode()
    assert "1 Testantwort" in listing
    assert "Mügeln" in listing
    assert "Ein Rufbus am Abend." in listing
    assert 'href="/befragungen/mobilitaet-2026/testen/"' in listing
    assert tester.get(test_url(draft)).status_code == 200
    second = tester.post(test_url(draft), filler.page1())
    assert second["Location"].endswith("/testen/?schritt=2")


def test_a_scheduled_code_survey_is_tested_without_spending_a_code(scheduled, filler, tester):
    codes = filler.use_codes(3)

    pages = fill_in_test_mode(tester, filler)

    assert all(BANNER in page.content.decode() for page in pages)
    assert "Zugangscode" not in pages[0].content.decode().split(BANNER)[1][:200]
    assert AccessCode.objects.filter(code__in=codes, used=False).count() == 3
    assert TrialResponse.objects.count() == 1
    assert nothing_real_stored(scheduled)


@pytest.mark.parametrize("status", [SurveyStatus.OPEN, SurveyStatus.CLOSED, SurveyStatus.PUBLISHED])
def test_test_mode_is_refused_once_the_survey_runs_or_is_over(mobility, filler, tester, status):
    mobility.status = status
    mobility.save()
    url = test_url(mobility)

    page = tester.get(url)
    post = tester.post(url, filler.page1())

    assert page.status_code == post.status_code == 409
    text = page.content.decode()
    assert "Der Testmodus ist nicht verfügbar" in text
    assert BANNER in text
    assert not TrialResponse.objects.exists()
    assert nothing_real_stored(mobility)


def test_a_test_session_cannot_send_into_the_real_results_after_opening(draft, filler, tester):
    filler.url = test_url(draft)
    tester.get(filler.url)
    for data in [filler.page1(), filler.page2(), filler.page3()]:
        assert tester.post(filler.url, data).status_code == 302
    services.survey_open(survey=draft)

    # The last page sent to the test URL: refused, nothing anywhere.
    last = tester.post(filler.url, filler.page_ideas())
    assert last.status_code == 409
    # The same session on the real questionnaire: the test state is not there.
    real = reverse("survey:participate", kwargs={"slug": draft.slug})
    for data in [filler.page2(), filler.page3(), filler.page_ideas()]:
        response = tester.post(real, data)
        assert response.status_code == 302
        assert "schritt=1" in response["Location"]
    assert not TrialResponse.objects.exists()
    assert nothing_real_stored(draft)


def test_tampered_answers_in_test_mode_are_refused_like_real_ones(draft, filler, tester):
    """Another survey's option id on the last page: the same check as a real submission."""
    foreign = OptionFactory()
    filler.url = test_url(draft)
    tester.get(filler.url)
    for data in [filler.page1(), filler.page2(), filler.page3()]:
        assert tester.post(filler.url, data).status_code == 302
    page = tester.post(filler.url, filler.page_ideas(**{"section": "999999999"}))
    assert page.status_code == 400
    with pytest.raises(SubmissionError):
        trial_response_store(
            survey=draft,
            answers=[AnswerInput(question_id=foreign.question_id, option_id=foreign.pk)],
            user=None,
        )
    assert not TrialResponse.objects.exists()
    assert nothing_real_stored(draft)


def test_test_responses_go_when_the_survey_opens_with_the_service(draft, filler, tester):
    fill_in_test_mode(tester, filler)
    assert TrialResponse.objects.count() == 1
    services.survey_open(survey=draft)
    assert not TrialResponse.objects.exists()


def test_test_responses_go_when_opened_with_the_admin_action_and_form(
    draft, filler, tester, client
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    fill_in_test_mode(tester, filler)
    client.post(
        reverse("admin:survey_survey_changelist"),
        {"action": "open_surveys", ACTION_CHECKBOX_NAME: [draft.pk]},
    )
    assert not TrialResponse.objects.exists()

    draft.status = SurveyStatus.DRAFT
    draft.save()
    fill_in_test_mode(tester, filler)
    fields = change_form(client, draft)
    fields["status"] = [SurveyStatus.OPEN]
    response = client.post(reverse("admin:survey_survey_change", args=[draft.pk]), fields)
    assert response.status_code == 302
    assert not TrialResponse.objects.exists()


def test_a_scheduled_survey_keeps_its_test_responses_until_its_time(scheduled, filler, tester):
    fill_in_test_mode(tester, filler)
    call_command("survey_flush_pool")
    assert TrialResponse.objects.count() == 1

    scheduled.opens_at = timezone.now() - datetime.timedelta(minutes=1)
    scheduled.save()
    call_command("survey_flush_pool")  # the daily job
    assert not TrialResponse.objects.exists()


def test_the_first_participant_of_a_scheduled_survey_clears_its_test_responses(
    scheduled, filler, tester
):
    fill_in_test_mode(tester, filler)
    scheduled.opens_at = timezone.now() - datetime.timedelta(minutes=1)
    scheduled.save()
    filler.url = reverse("survey:participate", kwargs={"slug": scheduled.slug})
    Client().post(filler.url, filler.page1())
    assert not TrialResponse.objects.exists()


def test_a_scheduled_survey_broken_before_its_time_is_not_handed_out(scheduled, filler):
    """Opening by the clock runs the activation check too: the questionnaire was edited
    after it was scheduled, so at its time it says it is unavailable (and stores nothing)."""
    Question.objects.create(
        section=scheduled.sections.last(),
        code="M99",
        kind=QuestionKind.SINGLE,
        text="Ohne Antworten?",
        required=True,
    )
    scheduled.opens_at = timezone.now() - datetime.timedelta(minutes=1)
    scheduled.save()
    client = Client()
    filler.url = reverse("survey:participate", kwargs={"slug": scheduled.slug})

    page = client.get(filler.url)
    post = client.post(filler.url, filler.page1())

    assert page.status_code == post.status_code == 503
    assert "Dieser Fragebogen kann gerade nicht ausgefüllt werden" in page.content.decode()
    assert nothing_real_stored(scheduled)


def test_the_test_page_lists_every_activation_problem(draft, tester):
    Question.objects.create(
        section=draft.sections.last(), code="M98", kind=QuestionKind.MATRIX, text="Leer?"
    )
    Question.objects.create(
        section=draft.sections.last(), code="M99", kind=QuestionKind.SINGLE, text="Ohne?"
    )
    page = tester.get(test_url(draft)).content.decode()
    assert "Die Aktivierungsprüfung findet noch Probleme" in page
    assert "Frage M98 auf Seite 5 ist eine Matrix ohne Aspekte (Zeilen)." in page
    assert "Frage M99 auf Seite 5 ist eine Auswahlfrage ohne Antwortmöglichkeiten." in page
    listing = tester.get(reverse("survey:test_responses", args=[draft.slug])).content.decode()
    assert "M98" in listing
    assert "M99" in listing


def test_test_responses_list_and_delete(draft, filler, tester, django_assert_max_num_queries):
    fill_in_test_mode(tester, filler)
    fill_in_test_mode(tester, filler)
    url = reverse("survey:test_responses", args=[draft.slug])
    with django_assert_max_num_queries(23):
        page = tester.get(url).content.decode()
    assert "2 Testantworten" in page
    fill_in_test_mode(tester, filler)
    with django_assert_max_num_queries(23):  # not one more per test response
        assert "3 Testantworten" in tester.get(url).content.decode()
    response = tester.post(url, follow=True)
    assert "3 Testantworten gelöscht." in response.content.decode()
    assert not TrialResponse.objects.exists()


def test_unknown_survey_in_test_mode_is_404(tester):
    assert tester.get("/befragungen/gibt-es-nicht/testen/").status_code == 404


def test_a_test_questionnaire_is_not_put_aside_to_be_sent_for_real_after_opening(
    draft, filler, tester
):
    # Found by the studio journey: "Continue later" in test mode stored the test answers
    # under a continuation code; once the survey opened, that code resumed them into the
    # real questionnaire and they were sent as a real response.
    filler.url = test_url(draft)
    tester.get(filler.url)
    assert tester.post(filler.url, filler.page1()).status_code == 302
    later = tester.post(filler.url, filler.page2(action="later"), follow=True)
    page = later.content.decode()
    assert "continuation-code__word" not in page
    assert "Im Testmodus wird nichts zurückgestellt" in page
    assert BANNER in page
    assert 'value="later"' not in page  # the button is not offered in test mode
    assert not ContinuationState.objects.exists()
    # The answers stay in the test session: the rest of the test goes on from page 3.
    for data in [filler.page2(), filler.page3(), filler.page_ideas()]:
        assert tester.post(filler.url, data).status_code == 302
    assert TrialResponse.objects.count() == 1
    assert nothing_real_stored(draft)
