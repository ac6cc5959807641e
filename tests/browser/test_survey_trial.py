"""Staff test a draft survey (every page marked as test mode), look at the drop-out figures
on the monitoring page and correct a paper sheet; each page passes axe-core and fits the
screen. With SHOTS_DIR set, screenshots are saved there."""

import datetime
import io
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from survey.demo import seed_mobility
from survey.models import ProgressStage, SurveyStatus, TrialResponse
from survey.progress import progress_count
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Ein-sicheres-Passwort-2026"
BANNER = "Testmodus – Antworten zählen nicht"


@pytest.fixture
def mobility():
    now = timezone.now()
    return seed_mobility(
        io.StringIO(),
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=30),
    )


def shot(page, name: str) -> None:
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def log_in(page, live_server, path: str) -> None:
    get_user_model().objects.create_superuser("auswertung", password=PASSWORD)
    page.goto(live_server.url + path)
    page.fill("#id_username", "auswertung")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")


def check_page(page, check_accessible, width):
    check_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_test_a_draft_with_the_banner_on_every_page(
    page, live_server, mobility, check_accessible, viewport
):
    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    page.set_viewport_size(viewport)
    log_in(page, live_server, f"/befragungen/{mobility.slug}/testen/")
    page.wait_for_selector(f"text={BANNER}")
    check_page(page, check_accessible, viewport["width"])
    shot(page, f"test-mode-{viewport['width']}")

    # An empty required page: the error page is marked too.
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_selector(".error-summary")
    assert BANNER in page.content()
    check_page(page, check_accessible, viewport["width"])
    assert not TrialResponse.objects.exists()


def test_monitoring_shows_the_drop_out(page, live_server, mobility, check_accessible):
    sections = list(mobility.sections.order_by("position"))
    for count, stage, section in [
        (40, ProgressStage.STARTED, None),
        (40, ProgressStage.REACHED, sections[0]),
        (31, ProgressStage.REACHED, sections[1]),
        (27, ProgressStage.REACHED, sections[2]),
        (6, ProgressStage.REACHED, sections[3]),
        (24, ProgressStage.REACHED, sections[4]),
        (22, ProgressStage.FINISHED, None),
    ]:
        for _ in range(count):
            progress_count(survey=mobility, stage=stage, section=section)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, f"/befragungen/{mobility.slug}/auswertung/verlauf/")
    page.wait_for_selector("#progress-table")
    check_page(page, check_accessible, DESKTOP["width"])
    assert "55,0 %" in page.locator("#progress-table").inner_text()
    shot(page, "monitoring-1280")
    page.set_viewport_size(PHONE)
    page.reload()
    check_page(page, check_accessible, PHONE["width"])
    shot(page, "monitoring-390")


def test_test_responses_and_paper_corrections_are_accessible(
    page, live_server, mobility, check_accessible
):
    from survey.kinds import AnswerInput
    from survey.models import Channel, Question
    from survey.submission import paper_sheet_submit
    from survey.trial import trial_response_store

    residence = Question.objects.get(survey=mobility, code="M1")
    dahlen = residence.options.get(label="Dahlen")
    paper_sheet_submit(
        survey=mobility,
        answers=[AnswerInput(question_id=residence.pk, option_id=dahlen.pk)],
        sheet_number=41,
        batch="Rathaus Dahlen",
        entered_by=None,
    )
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, f"/befragungen/{mobility.slug}/papiererfassung/boegen/")
    page.wait_for_selector("h1:has-text('Papierbögen')")
    check_page(page, check_accessible, DESKTOP["width"])
    page.fill("#id_bogen", "41")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Papierbogen 41 korrigieren')")
    check_page(page, check_accessible, DESKTOP["width"])
    shot(page, "paper-correction-1280")
    assert mobility.responses.filter(channel=Channel.PAPER).count() == 1

    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    mobility.responses.all().delete()
    user = get_user_model().objects.get(username="auswertung")
    trial_response_store(
        survey=mobility,
        answers=[AnswerInput(question_id=residence.pk, option_id=dahlen.pk)],
        user=user,
    )
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/befragungen/{mobility.slug}/testen/antworten/")
    page.wait_for_selector(f"text={BANNER}")
    check_page(page, check_accessible, PHONE["width"])
    shot(page, "test-responses-390")
