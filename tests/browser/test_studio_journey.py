"""Issue 14's "must show", one journey as staff and citizens do it: an analyst builds
“Dorfladen und Nahversorgung 2026” in the admin (at most 12 page loads), takes it in test
mode (the banner on every page, the test response listed apart and counted nowhere), opens
it (the test response is deleted), a citizen takes it on a phone, the analyst types in a
paper sheet with a typo and corrects it, and downloads the SPSS file: labels, value labels,
missing codes and one row per online and paper response. With SHOTS_DIR set, screenshots
are saved there."""

import datetime
import os
from pathlib import Path

import pyreadstat
import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from survey.models import (
    Answer,
    Channel,
    PooledResponse,
    Question,
    Response,
    Survey,
    SurveyStatus,
    TrialResponse,
)
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.studio import TITLE, analyst_create, build_dorfladen, log_in

pytestmark = pytest.mark.django_db(transaction=True)

BANNER = "Testmodus – Antworten zählen nicht"
MAX_BUILD_LOADS = 12
SHEET = 23


def shot(page, name: str) -> None:
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def typed(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


class Sheet:
    """Fills the questionnaire's fields by question code, on the participants' pages
    (no prefix) or on the paper entry page (one form prefix per page)."""

    def __init__(self, survey: Survey, *, paper: bool = False):
        self.questions = {q.code: q for q in Question.objects.filter(survey=survey)}
        self.paper = paper

    def name(self, code: str, item: str | None = None) -> str:
        question = self.questions[code]
        name = f"q{question.pk}"
        if item is not None:
            name += f"_i{question.items.get(label=item).pk}"
        return f"s{question.section_id}-{name}" if self.paper else name

    def choose(self, page, code: str, *labels: str) -> None:
        for label in labels:
            option = self.questions[code].options.get(label=label)
            page.check(f"input[name='{self.name(code)}'][value='{option.pk}']")

    def pick(self, page, code: str, label: str) -> None:
        page.select_option(f"select[name='{self.name(code)}']", label=label)

    def rate(self, page, code: str, value: int, item: str | None = None) -> None:
        page.check(f"input[name='{self.name(code, item)}'][value='{value}']")

    def type(self, page, code: str, text: str) -> None:
        page.fill(f"[name='{self.name(code)}']", text)


def next_page(page, button: str = "Weiter") -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")


def build(page, live_server, django_user_model) -> Survey:
    """Step 1: the analyst builds the survey, open from yesterday for a month."""
    analyst_create(django_user_model)
    loads = []
    count = lambda loaded: loads.append(loaded.url)  # noqa: E731
    page.on("load", count)
    log_in(page, live_server, "/admin/survey/survey/add/")
    today = timezone.localdate()
    build_dorfladen(
        page,
        opens=typed(today - datetime.timedelta(days=1)),
        closes=typed(today + datetime.timedelta(days=30)),
        shot=lambda page, name: shot(page, f"builder-{name}"),
    )
    page.remove_listener("load", count)
    assert len(loads) <= MAX_BUILD_LOADS, loads
    survey = Survey.objects.get(title=TITLE)
    assert survey.status == SurveyStatus.DRAFT
    assert Question.objects.filter(survey=survey).count() == 8
    return survey


def take_in_test_mode(page, live_server, survey: Survey, check_accessible) -> None:
    """Step 2: test mode at phone width, the banner on every page; the test response is
    listed apart and counts nowhere."""
    sheet = Sheet(survey)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/befragungen/{survey.slug}/testen/")
    for step in range(3):
        assert page.locator(f"text={BANNER}").is_visible(), f"page {step + 1}"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if step == 0:
            check_accessible(page)
            shot(page, "test-mode-banner-390")
            sheet.choose(page, "F1", "täglich")
        if step == 1:  # the condition: who shops daily is not asked why not
            assert page.locator(f"[name='{sheet.name('F6')}']").count() == 0
        if step == 2:
            sheet.choose(page, "F7", "Dahlen")
        next_page(page, "Antworten absenden" if step == 2 else "Weiter")
    assert page.url.endswith(f"/befragungen/{survey.slug}/testen/antworten/")
    assert page.locator(f"text={BANNER}").is_visible()
    listed = page.locator("main").inner_text()
    assert "Testfragebogen gespeichert" in listed
    assert "Dahlen" in listed
    assert "täglich" in listed
    check_accessible(page)
    shot(page, "test-responses-390")
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + f"/befragungen/{survey.slug}/auswertung/verlauf/")
    assert "Bisher 0 Antwortbögen." in page.locator("main .lead").inner_text()
    assert TrialResponse.objects.filter(survey=survey).count() == 1
    assert not Response.objects.filter(survey=survey).exists()
    assert not PooledResponse.objects.filter(survey=survey).exists()


def open_survey(page, live_server, survey: Survey) -> None:
    """Step 3: the admin action "open", after the activation check."""
    page.goto(live_server.url + "/admin/survey/survey/")
    page.check(f"input[name=_selected_action][value='{survey.pk}']")
    page.select_option("select[name=action]", "open_surveys")
    page.click("button[name=index]")
    page.wait_for_load_state("load")
    assert f"„{TITLE}“ ist geöffnet." in page.locator(".messagelist").inner_text()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    assert not TrialResponse.objects.filter(survey=survey).exists()
    # Careless: testing now would mix test answers with real ones.
    response = page.goto(live_server.url + f"/befragungen/{survey.slug}/testen/")
    assert response.status == 409
    assert page.locator("h1").inner_text() == "Der Testmodus ist nicht verfügbar"


def take_on_a_phone(browser, live_server, survey: Survey, check_accessible) -> None:
    """Step 4: a citizen on a phone, from the survey's page to the thank-you page."""
    sheet = Sheet(survey)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE")
    phone = context.new_page()
    try:
        # Citizens cannot reach test mode: the link leads to the staff login.
        phone.goto(live_server.url + f"/befragungen/{survey.slug}/testen/")
        assert "/admin/login/" in phone.url
        phone.goto(live_server.url + f"/befragungen/{survey.slug}/")
        phone.get_by_role("link", name="Befragung starten").tap()
        phone.wait_for_load_state("load")
        sheet.choose(phone, "F1", "seltener")
        sheet.choose(phone, "F2", "Brot und Backwaren", "Getränke")
        sheet.rate(phone, "F3", 4)
        check_accessible(phone)
        next_page(phone)
        sheet.rate(phone, "F4", 5, item="regionale Produkte")
        sheet.rate(phone, "F4", 2, item="Paketstation")
        sheet.type(phone, "F5", "12")
        sheet.type(phone, "F6", "Frische Brötchen auch am Sonntag")
        next_page(phone)
        sheet.choose(phone, "F7", "Oschatz")
        sheet.pick(phone, "F8", "30 bis 44")
        next_page(phone, "Antworten absenden")
        assert phone.url.endswith(f"/befragungen/{survey.slug}/danke/")
        assert phone.locator("h1").inner_text() == "Vielen Dank für Ihre Teilnahme!"
        assert BANNER not in phone.content()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        check_accessible(phone)
        shot(phone, "thank-you-phone-390")
    finally:
        context.close()
    # SURVEY_POOL_SIZE 1: the pool writes each response at once.
    assert not PooledResponse.objects.filter(survey=survey).exists()
    assert Response.objects.filter(survey=survey, channel=Channel.ONLINE).count() == 1


def enter_and_correct_paper(page, live_server, survey: Survey, check_accessible) -> None:
    """Step 5: a paper sheet typed in with a typo (81 minutes instead of 18), corrected."""
    sheet = Sheet(survey, paper=True)
    page.goto(live_server.url + f"/befragungen/{survey.slug}/papiererfassung/")
    page.fill("#id_sheet_number", str(SHEET))
    page.fill("#id_batch", "Dorfladen Sornzig")
    sheet.choose(page, "F1", "täglich")
    sheet.type(page, "F5", "81")
    sheet.choose(page, "F7", "Mügeln")
    next_page(page, "Bogen speichern")
    paper = Response.objects.get(survey=survey, channel=Channel.PAPER)
    assert paper.sheet_number == SHEET
    minutes = Answer.objects.get(response=paper, question__code="F5")
    assert minutes.number == 81

    page.goto(live_server.url + f"/befragungen/{survey.slug}/papiererfassung/boegen/")
    page.fill("#id_bogen", str(SHEET))
    page.keyboard.press("Enter")
    page.wait_for_selector(f"h1:has-text('Papierbogen {SHEET} korrigieren')")
    assert page.input_value(f"[name='{sheet.name('F5')}']") == "81"
    sheet.type(page, "F5", "18")
    check_accessible(page)
    shot(page, "paper-correction-1280")
    next_page(page, "Korrektur speichern")
    assert f"Bogen {SHEET} korrigiert" in page.locator("main").inner_text()
    assert Answer.objects.get(response=paper, question__code="F5").number == 18
    assert Answer.objects.get(response=paper, question__code="F7").option.label == "Mügeln"
    logged = LogEntry.objects.get(
        object_pk=str(survey.pk), additional_data__kind="paper_correction"
    )
    assert logged.additional_data["questions"] == ["F5"]
    assert logged.actor.username == "analystin"


def download_spss(page, live_server, survey: Survey, tmp_path) -> None:
    """Step 6: the SPSS file from the monitoring page, read back."""
    page.goto(live_server.url + f"/befragungen/{survey.slug}/auswertung/verlauf/")
    page.check("input[name=format][value=sav]")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Herunterladen").click()
    download = download_info.value
    assert download.suggested_filename == f"{survey.slug}-antworten.sav"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data, meta = pyreadstat.read_sav(str(path), user_missing=True)

    online = Response.objects.filter(survey=survey, channel=Channel.ONLINE).count()
    paper = Response.objects.filter(survey=survey, channel=Channel.PAPER).count()
    assert (online, paper) == (1, 1)
    assert len(data) == meta.number_rows == online + paper
    labels = meta.column_names_to_labels
    assert labels["F1"] == "Wie oft kaufen Sie im Dorfladen ein?"
    assert labels["F5"] == "Wie viele Minuten brauchen Sie zum nächsten Supermarkt?"
    assert meta.variable_value_labels["F1"] == {
        1.0: "täglich",
        2.0: "mehrmals pro Woche",
        3.0: "einmal pro Woche",
        4.0: "seltener",
        5.0: "nie",
        -1.0: "nicht gezeigt (Bedingung)",
        -2.0: "keine Angabe",
        -3.0: "gelöscht (Aufbewahrungsfrist)",
    }
    for name in ("F1", "F3", "F4_3", "F5", "F7"):
        assert [r["lo"] for r in meta.missing_ranges[name]] == [-1, -2, -3], name
    assert [r["lo"] for r in meta.missing_ranges["F6"]] == ["-1", "-2", "-3"]
    assert labels["F4_3"] == "Wie wichtig ist Ihnen … – regionale Produkte"
    rows = data.set_index("channel")
    assert sorted(data["channel"]) == ["online", "paper"]
    online_row, paper_row = rows.loc["online"], rows.loc["paper"]
    assert online_row["F1"] == 4  # seltener
    assert online_row["F5"] == 12
    assert online_row["F6"] == "Frische Brötchen auch am Sonntag"
    assert meta.variable_value_labels["F7"][online_row["F7"]] == "Oschatz"
    assert paper_row["sheet_number"] == SHEET
    assert paper_row["F1"] == 1  # täglich
    assert paper_row["F5"] == 18  # as corrected
    assert meta.variable_value_labels["F7"][paper_row["F7"]] == "Mügeln"
    assert paper_row["F3"] == -2  # not answered on the sheet
    assert paper_row["F6"] == "-1"  # not shown: F1 was "täglich"


def test_the_studio_journey_from_building_to_spss(
    page, browser, live_server, django_user_model, settings, check_accessible, tmp_path
):
    settings.SURVEY_POOL_SIZE = 1  # online responses are written at once, not next night
    page.set_viewport_size(DESKTOP)
    survey = build(page, live_server, django_user_model)
    take_in_test_mode(page, live_server, survey, check_accessible)
    open_survey(page, live_server, survey)
    take_on_a_phone(browser, live_server, survey, check_accessible)
    enter_and_correct_paper(page, live_server, survey, check_accessible)
    download_spss(page, live_server, survey, tmp_path)
