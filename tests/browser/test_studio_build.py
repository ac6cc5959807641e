"""The survey studio as an analyst uses it: building “Dorfladen und Nahversorgung 2026”
(3 pages, 8 questions, one condition) in the admin takes at most 12 page loads, login
included (issue 14: it took about 31 before the studio)."""

import pytest

from survey import selectors
from survey.models import Question, Survey
from tests.browser.conftest import DESKTOP
from tests.browser.studio import analyst_create, build_dorfladen, log_in

pytestmark = pytest.mark.django_db(transaction=True)

MAX_PAGE_LOADS = 12


def test_an_analyst_builds_a_survey_in_at_most_twelve_page_loads(
    page, live_server, django_user_model, check_accessible
):
    analyst_create(django_user_model)
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

    log_in(page, live_server, "/admin/survey/survey/add/")

    def check_condition_page(page):
        before = len(problems)
        check_accessible(page)
        del problems[before:]  # axe-core's own injected styles, not the page's

    build_dorfladen(page, at_condition=check_condition_page)

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
