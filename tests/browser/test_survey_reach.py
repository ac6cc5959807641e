"""Reaching people: invitation letters (print view, one A4 page per code) and "Continue
later" in a real browser, with axe-core and no request to another host.

``SHOTS_DIR=/some/dir`` saves screenshots of the letter's print view and the code page."""

import datetime
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone

from survey.access_codes import access_codes_generate
from survey.demo import seed_mobility
from survey.models import AccessMode, ContinuationState
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Ein-sicheres-Passwort-2026"


@pytest.fixture
def mobility():
    now = timezone.now()
    return seed_mobility(
        io.StringIO(),
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=20),
    )


def _shot(page, name):
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_letters_print_one_page_per_code(
    page, live_server, mobility, check_accessible, foreign_requests
):
    from django.contrib.auth import get_user_model

    mobility.access_mode = AccessMode.CODES
    mobility.save()
    access_codes_generate(survey=mobility, count=3)
    get_user_model().objects.create_superuser("auswertung", password=PASSWORD)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + f"/befragungen/{mobility.slug}/zugangscodes/briefe/")
    page.fill("#id_username", "auswertung")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Einladungsbriefe')")
    check_accessible(page)
    assert page.locator("article.letter svg").count() == 3
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    # Each letter starts a new page: three letters, three A4 pages.
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    if os.environ.get("SHOTS_DIR"):
        (Path(os.environ["SHOTS_DIR"]) / "letters.pdf").write_bytes(pdf)
    page.set_viewport_size({"width": 680, "height": 998})  # A4 less the page margins, 96 dpi
    _shot(page, "letter-print.png")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 3
    assert not foreign_requests


def test_continue_later_on_a_phone(page, live_server, mobility, check_accessible, foreign_requests):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + f"/befragungen/{mobility.slug}/teilnehmen/")
    page.get_by_role("button", name="Später fortsetzen").click()
    page.wait_for_selector("h1:has-text('Ihr Fortsetzungscode')")
    check_accessible(page)
    _shot(page, "continuation-code.png")
    words = page.locator(".continuation-code__word").all_inner_texts()
    assert len(words) == 4
    assert ContinuationState.objects.count() == 1
    page.context.clear_cookies()  # "another device"
    page.goto(live_server.url + f"/befragungen/{mobility.slug}/")
    page.get_by_role("link", name="Mit Code fortsetzen").click()
    page.fill("#id_code", " ".join(words).upper())
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Schritt 1 von")
    assert ContinuationState.objects.count() == 0
    assert not foreign_requests
