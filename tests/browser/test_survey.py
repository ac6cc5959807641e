"""A resident fills in the open survey on a phone with the keyboard only."""

import datetime
import io

import pytest
from django.utils import timezone

from survey.demo import seed_mobility
from survey.models import Response
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mobility():
    now = timezone.now()
    return seed_mobility(
        io.StringIO(),
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=30),
    )


def focused_label(page) -> str:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
            return (el.textContent || '').trim();
        }"""
    )


def tab_to(page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element is labelled ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_label(page) == text:
            return
    raise AssertionError(f"Tab never reached {text!r}")


def check_page(page, check_accessible, width):
    check_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("h1").count() == 1


def test_keyboard_only_participation_on_a_phone(
    page, live_server, mobility, check_accessible, foreign_requests
):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + mobility.get_absolute_url())
    check_page(page, check_accessible, PHONE["width"])
    tab_to(page, "Befragung starten")
    page.keyboard.press("Enter")

    # Page 1: Enter without an answer shows the error summary.
    page.wait_for_selector("text=Schritt 1 von 4")
    check_page(page, check_accessible, PHONE["width"])
    tab_to(page, "Weiter")
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    assert page.title().startswith("Fehler: Schritt 1 von 4")
    check_page(page, check_accessible, PHONE["width"])
    tab_to(page, "Cavertitz")
    for _ in range(3):  # Cavertitz → Dahlen → Liebschützberg → Mügeln
        page.keyboard.press("ArrowDown")
    assert focused_label(page) == "Mügeln"
    page.keyboard.press("Tab")  # the age group dropdown
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # household size
    page.keyboard.type("2")
    page.keyboard.press("Enter")

    # Page 2: checkboxes with Space, a scale with arrow keys, a text.
    page.wait_for_selector("text=Schritt 2 von 4")
    check_page(page, check_accessible, PHONE["width"])
    tab_to(page, "Bus")
    page.keyboard.press("Space")
    tab_to(page, "Fahrrad oder E-Bike")
    page.keyboard.press("Space")
    tab_to(page, "1 – sehr unzufrieden")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    tab_to(page, "Welche Strecke fahren Sie am häufigsten?")
    page.keyboard.type("Mügeln – Oschatz")
    # Yes/no, and the date question on the same page shown by "Ja" (the script).
    since = page.locator(".conditional-question")
    assert since.is_hidden()
    tab_to(page, "Keine Angabe")  # the group's checked radio button
    page.keyboard.press("ArrowRight")  # Ja
    assert focused_label(page) == "Ja"
    assert since.is_visible()
    page.keyboard.press("ArrowRight")  # Nein
    assert since.is_hidden()
    page.keyboard.press("ArrowLeft")  # Ja
    assert since.is_visible()
    check_page(page, check_accessible, PHONE["width"])
    tab_to(page, "Welche Strecke fahren Sie am häufigsten?")
    page.keyboard.press("Enter")

    # Page 3: a matrix (one radio group per item) and the bike question shown by the
    # earlier answer.
    page.wait_for_selector("text=Schritt 3 von 4")
    check_page(page, check_accessible, PHONE["width"])
    for _ in range(4):
        tab_to(page, "1 – sehr schlecht")
        page.keyboard.press("ArrowRight")  # checks 2
    tab_to(page, "Wie viele Kilometer fahren Sie an einem gewöhnlichen Tag mit dem Rad?")
    page.keyboard.type("8")
    # The ranking: a place per option with the arrow keys, no dragging.
    places = {"Radwege": 2, "Busverbindungen": 1, "Gehwege": 3, "Bahnhöfe und Haltestellen": 5}
    places["Parkplätze"] = 4
    for label, place in places.items():
        tab_to(page, label)
        for _ in range(place):
            page.keyboard.press("ArrowDown")
    check_page(page, check_accessible, PHONE["width"])
    tab_to(page, "Weiter")
    page.keyboard.press("Enter")

    # Page 4: a long text, then back and forward again, then send.
    page.wait_for_selector("text=Schritt 4 von 4")
    check_page(page, check_accessible, PHONE["width"])
    tab_to(page, "Was würde Ihnen am meisten helfen, auch ohne eigenes Auto gut unterwegs zu sein?")
    page.keyboard.type("Ein Rufbus, der auch abends fährt.")
    tab_to(page, "Zurück")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Schritt 3 von 4")
    tab_to(page, "Weiter")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Schritt 4 von 4")
    assert "Ein Rufbus" in page.locator("textarea").input_value()
    tab_to(page, "Antworten absenden")
    page.keyboard.press("Enter")

    page.wait_for_selector("text=Vielen Dank für Ihre Teilnahme!")
    check_page(page, check_accessible, PHONE["width"])
    assert foreign_requests == []
    stored = Response.objects.get()
    assert stored.answers.get(question__code="M5").number == 3
    assert stored.answers.get(question__code="M8").number == 8
    assert set(stored.answers.filter(question__code="M7").values_list("number", flat=True)) == {2}
    assert stored.answers.get(question__code="M1").option.label == "Mügeln"
    assert stored.answers.get(question__code="M6a").number == 1
    ranked = stored.answers.filter(question__code="M8a").values_list("option__label", "number")
    assert dict(ranked) == places


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_survey_pages_are_accessible(page, live_server, mobility, check_accessible, viewport):
    page.set_viewport_size(viewport)
    for path in ["/befragungen/", "/", f"/befragungen/{mobility.slug}/fragebogen/"]:
        page.goto(live_server.url + path)
        check_page(page, check_accessible, viewport["width"])
    # The access-code page, also with an error.
    mobility.access_mode = "codes"
    mobility.save()
    page.goto(live_server.url + f"/befragungen/{mobility.slug}/teilnehmen/")
    check_page(page, check_accessible, viewport["width"])
    page.fill("#id_code", "FALSCH")
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    check_page(page, check_accessible, viewport["width"])


def test_staff_types_in_a_paper_sheet_with_the_keyboard(
    page, live_server, mobility, check_accessible
):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("auswertung", password="Ein-sicheres-Passwort-2026")
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + f"/befragungen/{mobility.slug}/papiererfassung/")
    page.fill("#id_username", "auswertung")
    page.fill("#id_password", "Ein-sicheres-Passwort-2026")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Papierfragebogen erfassen')")
    check_page(page, check_accessible, DESKTOP["width"])

    # The sheet number has the focus; everything else follows with Tab, arrows and Space.
    assert page.evaluate("document.activeElement.name") == "sheet_number"
    page.keyboard.type("41")
    page.keyboard.press("Tab")
    page.keyboard.type("Rathaus Dahlen")
    # Paper records the sheet as written: every group starts at "Keine Angabe" (a blank on
    # the sheet), and the arrow keys go round to the first option.
    tab_to(page, "Keine Angabe")
    page.keyboard.press("ArrowDown")  # Cavertitz
    page.keyboard.press("ArrowDown")  # Dahlen
    tab_to(page, "Auto")
    page.keyboard.press("Space")
    tab_to(page, "Keine Angabe")
    page.keyboard.press("ArrowDown")  # 1 – sehr unzufrieden
    for _ in range(4):
        tab_to(page, "Keine Angabe")
        page.keyboard.press("ArrowDown")  # 1 – sehr schlecht
    page.keyboard.press("Enter")

    page.wait_for_selector("text=Bogen 41 gespeichert")
    check_page(page, check_accessible, DESKTOP["width"])
    assert page.locator("#id_batch").input_value() == "Rathaus Dahlen"
    stored = Response.objects.get()
    assert (stored.channel, stored.sheet_number, stored.batch) == ("paper", 41, "Rathaus Dahlen")
    assert stored.answers.get(question__code="M1").option.label == "Dahlen"
