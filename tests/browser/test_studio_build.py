"""The survey studio as an analyst uses it: building “Dorfladen und Nahversorgung 2026”
(3 pages, 8 questions, one condition) in the admin takes at most 12 page loads, login
included (issue 14: it took about 31 before the studio)."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from portal.permissions import ANALYSTS
from survey import selectors
from survey.models import Question, Survey
from tests.browser.conftest import DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Auswertung-Test-2026"
MAX_PAGE_LOADS = 12


def shoot(page, name):
    """Screenshots for a person to look at, when SCREENSHOT_DIR names a folder."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def fill_rows(page, prefix, labels):
    for index, label in enumerate(labels):
        if page.locator(f"#id_{prefix}-{index}-label").count() == 0:
            page.locator(f"#{prefix}-group .add-row a").click()
        page.fill(f"#id_{prefix}-{index}-label", label)


def question(page, kind, text, *, options=(), items=(), section=None, then="_addanother"):
    if section is not None:
        page.select_option("#id_section", label=f"Dorfladen und Nahversorgung 2026 · {section}")
    page.select_option("#id_kind", kind)
    page.fill("#id_text", text)
    fill_rows(page, "options", options)
    fill_rows(page, "items", items)
    return then


def save(page, button):
    page.click(f"input[name={button}]")
    page.wait_for_load_state("load")


def test_an_analyst_builds_a_survey_in_at_most_twelve_page_loads(
    page, live_server, django_user_model, check_accessible
):
    analyst = django_user_model.objects.create_user("analystin", password=PASSWORD, is_staff=True)
    analyst.groups.add(Group.objects.get(name=ANALYSTS))
    loads = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    problems = []
    # Blocked by the CSP, or a script error (the browser's own favicon request may 404).
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.set_viewport_size(DESKTOP)

    page.goto(live_server.url + "/admin/survey/survey/add/")  # → login
    page.fill("#id_username", "analystin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state("load")

    # The survey with its three pages, then straight on to the first question.
    page.fill("#id_title", "Dorfladen und Nahversorgung 2026")
    page.fill("#id_opens_at_0", "01.03.2026")
    page.fill("#id_opens_at_1", "00:00:00")
    page.fill("#id_closes_at_0", "31.03.2026")
    page.fill("#id_closes_at_1", "00:00:00")
    for index, title in enumerate(["Einkaufen im Ort", "Angebot und Wege", "Über Sie"]):
        page.fill(f"#id_sections-{index}-title", title)
    shoot(page, "01-survey-with-pages")
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
    shoot(page, "02-single-choice-with-options")
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
    shoot(page, "03-scale-fields-only")
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
    shoot(page, "04-condition-picker")
    before = len(problems)
    check_accessible(page)
    del problems[before:]  # axe-core's own injected styles, not the page's
    save(page, "_addanother")

    # The last two start from answer lists instead of typed options.
    question(page, "single", "Wo wohnen Sie?", section="Über Sie")
    page.select_option("#id_label_set", label="Die sieben Kommunen")
    shoot(page, "05-answer-list")
    save(page, "_addanother")

    question(page, "dropdown", "Wie alt sind Sie?")
    page.select_option("#id_label_set", label="Altersgruppen")
    save(page, "_save")
    shoot(page, "06-survey-overview")

    print(f"\nPage loads to build the survey: {len(loads)}")  # noqa: T201 (the measurement)
    assert len(loads) <= MAX_PAGE_LOADS, loads
    assert page.url.endswith(f"/admin/survey/survey/{Survey.objects.get().pk}/change/")
    assert problems == [], problems

    survey = Survey.objects.get()
    assert survey.slug == "dorfladen-und-nahversorgung-2026"
    assert list(survey.sections.values_list("title", "position")) == [
        ("Einkaufen im Ort", 1),
        ("Angebot und Wege", 2),
        ("Über Sie", 3),
    ]
    questions = list(
        Question.objects.filter(survey=survey).order_by("section__position", "position")
    )
    assert [q.code for q in questions] == [f"F{n}" for n in range(1, 9)]
    assert [q.kind for q in questions] == [
        "single",
        "multiple",
        "scale",
        "matrix",
        "number",
        "long_text",
        "single",
        "dropdown",
    ]
    first = questions[0]
    assert list(first.options.values_list("label", "value", "position")) == [
        ("täglich", 1, 1),
        ("mehrmals pro Woche", 2, 2),
        ("einmal pro Woche", 3, 3),
        ("seltener", 4, 4),
        ("nie", 5, 5),
    ]
    assert list(questions[6].options.values_list("label", flat=True))[5] == "Oschatz"
    assert questions[6].options.count() == 7
    assert questions[7].options.count() == 6
    assert questions[3].items.count() == 4
    conditional = questions[5]
    assert conditional.condition_question == first
    assert sorted(conditional.condition_options.values_list("label", flat=True)) == [
        "nie",
        "seltener",
    ]
    assert selectors.survey_activation_problems(survey=survey) == []
