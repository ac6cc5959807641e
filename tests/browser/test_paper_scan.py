"""Scanned paper questionnaires in the browser: staff upload a stack printed from the
survey's own PDF and scanned by the test-set generator, the real reading process (started
by the upload, as in production) reads it while the page shows progress, staff review the
one ambiguous answer with the keyboard, and the responses are in the monitoring. On the
way, staff order more numbered copies from the print page linked on the upload.

With ``SHOTS_DIR`` set, the print order, upload, progress and review pages are saved as
screenshots."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from playwright.sync_api import expect

from survey.models import Channel, Response, ScanBatch
from tests.browser.conftest import DESKTOP
from tests.survey.scan_stacks import small_survey, stack_write

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Erfassung-Test-2026"


def shot(page, name):
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def reading_process_uses_this_database(monkeypatch, settings):
    """The upload starts ``manage.py paper_scan_batch`` as its own process, which reads the
    environment: point it at the test database and the test's private folder."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DJANGO_PRIVATE_ROOT", str(settings.PRIVATE_ROOT))
    settings.SURVEY_SCAN_SPAWN = True


def test_staff_upload_a_scanned_stack_review_it_and_see_the_responses(
    page,
    live_server,
    django_user_model,
    check_accessible,
    foreign_requests,
    tmp_path,
    settings,
    monkeypatch,
):
    survey = small_survey()
    stack = tmp_path / "Stapel Rathaus Oschatz.pdf"
    numbers = stack_write(
        survey,
        stack,
        [
            {"E1": ["Oschatz"], "E2": ["wöchentlich"]},
            {"E1": ["Mügeln"], "E2": ["nie"]},
            {"E1": ["Oschatz", "Dahlen"], "E2": ["monatlich"]},  # two ticks: for review
        ],
    )
    user = django_user_model.objects.create_user("erfassung", password=PASSWORD, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["enter_paper_response", "view_monitoring"])
    )
    reading_process_uses_this_database(monkeypatch, settings)
    page.set_viewport_size(DESKTOP)
    upload = f"/admin/survey/scanbatch/add/?survey={survey.pk}"
    page.goto(f"{live_server.url}/admin/login/?next={upload}")
    page.fill("#id_username", "erfassung")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")

    # The numbered copies are ordered on their own page, linked from the upload (a POST:
    # only the button issues numbers, never a GET).
    expect(page.locator("h1")).to_have_text("Gescannte Fragebögen hochladen")
    with page.expect_navigation():
        page.get_by_role("link", name=survey.title).click()
    expect(page.locator("h1")).to_have_text("Fragebögen zum Scannen drucken")
    expect(page.locator("tbody tr")).to_have_count(1)  # the copies the stack was printed from
    check_accessible(page)
    page.fill("#id_anzahl", "0")
    with page.expect_navigation():
        page.get_by_role("button", name="PDF erstellen").click()
    expect(page.get_by_role("alert")).to_contain_text("mindestens 1 Exemplar")
    check_accessible(page)
    shot(page, "print-order-error.png")
    page.fill("#id_anzahl", "2")
    with page.expect_download() as download:
        page.get_by_role("button", name="PDF erstellen").click()
    last = numbers[-1]
    assert download.value.suggested_filename == (
        f"fragebogen-{survey.slug}-{last + 1}-{last + 2}.pdf"
    )
    page.goto(f"{live_server.url}/befragungen/{survey.slug}/fragebogen-drucken/")
    expect(page.locator("tbody tr").first).to_contain_text(f"{last + 1}–{last + 2}")
    expect(page.locator("tbody tr").first).to_contain_text("erfassung")
    shot(page, "print-order.png")
    page.goto(f"{live_server.url}{upload}")

    # Upload.
    expect(page.locator("h1")).to_have_text("Gescannte Fragebögen hochladen")
    check_accessible(page)
    page.set_input_files("#id_file", str(stack))
    page.fill("#id_label", "Rathaus Oschatz")
    shot(page, "scan-upload.png")
    with page.expect_navigation():
        page.click("input[type=submit]")

    # Progress: the page follows the reading process by itself, then lists the sheets.
    assert "/admin/survey/scanbatch/" in page.url
    check_accessible(page)
    shot(page, "scan-progress.png")
    review_link = page.get_by_role("link", name="1 Bogen prüfen")
    expect(review_link).to_be_visible(timeout=120_000)
    expect(page.locator("#scan-progress-text")).to_contain_text("Gelesen")
    expect(page.locator("#scan-progress-text")).to_contain_text("3 von 3 Seiten gelesen")
    assert page.locator("#scan-sheets tbody tr").count() == 3
    check_accessible(page)
    shot(page, "scan-progress-done.png")
    batch = ScanBatch.objects.get()
    assert (batch.pages_done, batch.pages_total) == (3, 3)

    # Review: one answer, its cut-out beside it, the paper-entry field in focus.
    with page.expect_navigation():
        review_link.click()
    expect(page.locator("h1")).to_have_text("Gescannte Fragebögen prüfen")
    expect(page.get_by_text("1 Antwort ist noch zu prüfen.")).to_be_visible()
    crop = page.get_by_role("img", name=re.compile(f"Frage E1 auf Bogen {numbers[2]}"))
    expect(crop).to_be_visible()
    assert crop.evaluate("image => image.naturalWidth") > 50  # the cut-out really loads
    check_accessible(page)
    shot(page, "scan-review.png")
    focused = page.evaluate("document.activeElement.name")
    assert focused.startswith("r-q")
    # The machine proposes "no answer" (two ticks); keyboard only: the arrow key chooses
    # "Dahlen" (the tick that was meant), Enter confirms.
    expect(page.get_by_label("Keine Angabe")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Dahlen")).to_be_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text(f"Bogen {numbers[2]} gespeichert.")).to_be_visible()
    expect(page.get_by_text("Nichts mehr zu prüfen")).to_be_visible()
    check_accessible(page)
    shot(page, "scan-review-done.png")

    # The responses are counted.
    page.goto(f"{live_server.url}/befragungen/{survey.slug}/auswertung/verlauf/")
    expect(page.locator(".lead")).to_contain_text("Bisher 3 Antwortbögen.")
    expect(page.locator(".lead")).to_contain_text("Papier: 3")
    check_accessible(page)
    stored = Response.objects.filter(survey=survey, channel=Channel.PAPER)
    assert sorted(stored.values_list("sheet_number", flat=True)) == numbers
    dahlen = stored.get(sheet_number=numbers[2]).answers.get(question__code="E1")
    assert dahlen.option.label == "Dahlen"
    assert stored.get(sheet_number=numbers[2]).entered_by == user
    assert foreign_requests == []
