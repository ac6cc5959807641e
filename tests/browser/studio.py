"""Shared steps of the survey studio journeys: an analyst building “Dorfladen und
Nahversorgung 2026” (3 pages, 8 questions, one condition) in the admin as staff do
(``test_studio_build.py`` measures it, ``test_studio_journey.py`` goes on with it)."""

import os
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import Group

from portal.permissions import ANALYSTS

TITLE = "Dorfladen und Nahversorgung 2026"
PASSWORD = "Auswertung-Test-2026"
ANALYST = "analystin"


def shoot(page, name):
    """Screenshots for a person to look at, when SCREENSHOT_DIR names a folder."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def analyst_create(django_user_model, username: str = ANALYST):
    """A staff member with the Auswertung group's permissions only."""
    analyst = django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True)
    analyst.groups.add(Group.objects.get(name=ANALYSTS))
    return analyst


def log_in(page, live_server, path: str, username: str = ANALYST) -> None:
    """Open ``path`` of the live server, which asks for the admin login, and log in."""
    page.goto(live_server.url + path)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("load")


def fill_rows(page, prefix, labels):
    for index, label in enumerate(labels):
        if page.locator(f"#id_{prefix}-{index}-label").count() == 0:
            page.locator(f"#{prefix}-group .add-row a").click()
        page.fill(f"#id_{prefix}-{index}-label", label)


def question(page, kind, text, *, options=(), items=(), section=None):
    if section is not None:
        page.select_option("#id_section", label=f"{TITLE} · {section}")
    page.select_option("#id_kind", kind)
    page.fill("#id_text", text)
    fill_rows(page, "options", options)
    fill_rows(page, "items", items)


def save(page, button):
    page.click(f"input[name={button}]")
    page.wait_for_load_state("load")


def build_dorfladen(
    page,
    *,
    opens: str = "01.03.2026",
    closes: str = "31.03.2026",
    shot: Callable = shoot,
    at_condition: Callable | None = None,
) -> None:
    """On the admin's "add survey" page (logged in): the survey with its three pages and
    eight questions, saved with "save and add question" / "save and add another" as staff
    do, ending on the survey's change page. ``opens``/``closes`` are dates as typed
    (DD.MM.YYYY); ``at_condition(page)`` runs on the form of the conditional question."""
    page.fill("#id_title", TITLE)
    page.fill("#id_opens_at_0", opens)
    page.fill("#id_opens_at_1", "00:00:00")
    page.fill("#id_closes_at_0", closes)
    page.fill("#id_closes_at_1", "00:00:00")
    for index, title in enumerate(["Einkaufen im Ort", "Angebot und Wege", "Über Sie"]):
        page.fill(f"#id_sections-{index}-title", title)
    shot(page, "01-survey-with-pages")
    save(page, "_addquestion")

    question(
        page,
        "single",
        "Wie oft kaufen Sie im Dorfladen ein?",
        options=["täglich", "mehrmals pro Woche", "einmal pro Woche", "seltener", "nie"],
    )
    # Reordered by keyboard: "nie" one up, then back down.
    page.locator("#options-group tr.form-row").nth(4).locator(".sortable-handle").focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    shot(page, "02-single-choice-with-options")
    save(page, "_addanother")

    question(
        page,
        "multiple",
        "Was kaufen Sie dort?",
        options=["Brot und Backwaren", "Obst und Gemüse", "Milchprodukte", "Getränke"],
    )
    save(page, "_addanother")

    question(page, "scale", "Wie zufrieden sind Sie mit der Nahversorgung in Ihrem Ort?")
    page.fill("#id_scale_min_label", "gar nicht zufrieden")
    page.fill("#id_scale_max_label", "sehr zufrieden")
    shot(page, "03-scale-fields-only")
    save(page, "_addanother")

    question(
        page,
        "matrix",
        "Wie wichtig ist Ihnen …",
        items=["lange Öffnungszeiten", "niedrige Preise", "regionale Produkte", "Paketstation"],
        section="Angebot und Wege",
    )
    save(page, "_addanother")

    question(page, "number", "Wie viele Minuten brauchen Sie zum nächsten Supermarkt?")
    page.fill("#id_number_min", "0")
    page.fill("#id_number_max", "180")
    save(page, "_addanother")

    # The condition: only who rarely or never shops in the village store is asked why.
    question(page, "long_text", "Was müsste sich ändern, damit Sie öfter im Dorfladen kaufen?")
    page.select_option("#id_condition_question", label="F1: Wie oft kaufen Sie im Dorfladen ein?")
    page.get_by_label("F1 · seltener").check()
    page.get_by_label("F1 · nie").check()
    shot(page, "04-condition-picker")
    if at_condition is not None:
        at_condition(page)
    save(page, "_addanother")

    # The last two start from answer lists instead of typed options.
    question(page, "single", "Wo wohnen Sie?", section="Über Sie")
    page.select_option("#id_label_set", label="Die sieben Kommunen")
    shot(page, "05-answer-list")
    save(page, "_addanother")

    question(page, "dropdown", "Wie alt sind Sie?")
    page.select_option("#id_label_set", label="Altersgruppen")
    save(page, "_save")
    shot(page, "06-survey-overview")
