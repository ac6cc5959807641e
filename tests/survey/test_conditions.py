"""Display conditions with operators, AND/OR and questions on the same page: decided on the
server from the answers given (a hidden question's answers are dropped, whatever was
posted), mirrored by a script on the page, checked before a survey opens."""

import datetime
import io

import pytest
from django import forms
from django.urls import reverse

from survey.admin.conditions import validate_rule
from survey.conditions import Rule, is_shown
from survey.demo import seed_code_survey
from survey.models import Condition, ConditionMode, ConditionOperator, Question, Response
from survey.selectors import survey_activation_problems, survey_definition
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EQ, ONE_OF, GT, LT = (
    ConditionOperator.EQUALS,
    ConditionOperator.ONE_OF,
    ConditionOperator.GREATER,
    ConditionOperator.LESS,
)


class Element:
    """A page or question with rules, as ``survey_definition`` loads them."""

    def __init__(self, rules, mode=ConditionMode.ALL):
        self.condition_rules = rules
        self.condition_mode = mode


@pytest.mark.parametrize(
    ("rule", "facts", "shown"),
    [
        (Rule(1, ONE_OF, frozenset({5, 6})), {1: [6]}, True),
        (Rule(1, ONE_OF, frozenset({5, 6})), {1: [7]}, False),
        (Rule(1, EQ, frozenset({5})), {1: [5, 9]}, True),  # a multiple choice ticked
        (Rule(1, EQ, value=1), {1: [1]}, True),  # yes
        (Rule(1, EQ, value=1), {1: [0]}, False),  # no
        (Rule(1, GT, value=2), {1: [3]}, True),
        (Rule(1, GT, value=2), {1: [2]}, False),
        (Rule(1, LT, value=2), {1: [1]}, True),
        (Rule(1, LT, value=2), {1: [2]}, False),
        (Rule(1, GT, value=2), {}, False),  # not answered: not shown
        (Rule(1, LT, value=None), {1: [0]}, False),
    ],
)
def test_a_rule_compares_the_answer(rule, facts, shown):
    assert is_shown(Element([rule]), facts) is shown


def test_rules_combine_with_and_or():
    rules = [Rule(1, EQ, value=1), Rule(2, GT, value=17)]
    facts = {1: [1], 2: [16]}
    assert not is_shown(Element(rules, ConditionMode.ALL), facts)
    assert is_shown(Element(rules, ConditionMode.ANY), facts)
    assert is_shown(Element(rules, ConditionMode.ALL), {1: [1], 2: [18]})
    assert not is_shown(Element(rules, ConditionMode.ANY), {1: [0], 2: [3]})
    assert is_shown(Element([]), {})


# --- The same page ---------------------------------------------------------------------------


def test_the_page_carries_the_condition_for_the_script(client, filler):
    client.get(filler.url)
    client.post(filler.url, filler.page1())
    page = client.get(f"{filler.url}?schritt=2").content.decode()
    assert 'src="/static/js/survey-conditions.js"' in page
    since = filler.questions["M6b"]
    assert f'id="bedingt-{since.pk}"' in page
    field = filler.name("M6a")
    expected = (
        f'data-condition="{{&quot;mode&quot;: &quot;all&quot;, &quot;rules&quot;: '
        f"[{{&quot;field&quot;: &quot;{field}&quot;, &quot;op&quot;: &quot;equals&quot;, "
        f"&quot;options&quot;: [], &quot;value&quot;: 1}}]}}"
    )
    assert expected in page
    # Without the script the question is there (not hidden on the server's side).
    assert f'name="{filler.name("M6b")}"' in page


def _through(client, filler, page2_extra):
    client.get(filler.url)
    client.post(filler.url, filler.page1())
    return client.post(filler.url, filler.page2(**page2_extra))


def test_a_question_hidden_on_its_page_is_dropped_even_if_posted(client, filler):
    # "No" ticked, yet a date sent (no script, or a tampered request): not stored.
    response = _through(client, filler, {filler.name("M6a"): "0", filler.name("M6b"): "2023-05-01"})
    assert response.status_code == 302
    for data in (filler.page3(), filler.page_ideas()):
        assert client.post(filler.url, data).status_code == 302
    stored = Response.objects.get()
    assert stored.answers.get(question__code="M6a").number == 0
    assert not stored.answers.filter(question__code="M6b").exists()


def test_a_hidden_questions_errors_do_not_block_the_page(client, filler):
    response = _through(client, filler, {filler.name("M6a"): "0", filler.name("M6b"): "kaputt"})
    assert response.status_code == 302


def test_a_shown_questions_errors_do(client, filler):
    response = _through(client, filler, {filler.name("M6a"): "1", filler.name("M6b"): "kaputt"})
    assert response.status_code == 200
    assert "Bitte ein gültiges Datum eingeben." in response.content.decode()


def test_a_required_question_on_the_page_is_required_only_when_shown(client, filler, mobility):
    Question.objects.filter(survey=mobility, code="M6b").update(required=True)
    shown = _through(client, filler, {filler.name("M6a"): "1"})
    assert shown.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in shown.content.decode()
    hidden = client.post(filler.url, filler.page2(**{filler.name("M6a"): "0"}))
    assert hidden.status_code == 302


# --- Earlier pages, numbers, OR --------------------------------------------------------------


def test_a_number_condition_on_an_earlier_page(client, filler, mobility):
    ideas = Question.objects.get(survey=mobility, code="M10")
    household = Question.objects.get(survey=mobility, code="M3")
    Condition.objects.create(question=ideas, source=household, operator=GT, value=2)
    assert survey_activation_problems(survey=mobility) == []

    client.get(filler.url)
    client.post(filler.url, filler.page1(**{filler.name("M3"): "1"}))  # one person: hidden
    client.post(filler.url, filler.page2())
    client.post(filler.url, filler.page3())
    page = client.get(f"{filler.url}?schritt=4").content.decode()
    assert filler.name("M10") not in page
    response = client.post(filler.url, filler.page_ideas())  # posted anyway
    assert response.status_code == 302
    assert not Response.objects.get().answers.filter(question=ideas).exists()


def test_or_shows_the_page_when_one_condition_holds(client, filler, mobility):
    oschatz_page = mobility.sections.get(title="Stadtverkehr Oschatz")
    oschatz_page.condition_mode = ConditionMode.ANY
    oschatz_page.save()
    ticket = Question.objects.get(survey=mobility, code="M6a")
    Condition.objects.create(section=oschatz_page, source=ticket, operator=EQ, value=1)
    assert survey_activation_problems(survey=mobility) == []

    client.get(filler.url)
    client.post(filler.url, filler.page1(residence="Mügeln"))
    client.post(filler.url, filler.page2(**{filler.name("M6a"): "1"}))
    client.post(filler.url, filler.page3())
    page = client.get(f"{filler.url}?schritt=4").content.decode()
    assert "Stadtverkehr Oschatz" in page


def test_the_print_version_says_the_conditions_in_words(client, mobility):
    ideas = Question.objects.get(survey=mobility, code="M10")
    ideas.condition_mode = ConditionMode.ANY
    ideas.save()
    household = Question.objects.get(survey=mobility, code="M3")
    Condition.objects.create(question=ideas, source=household, operator=GT, value=2)
    Condition.objects.create(question=ideas, source=household, operator=LT, value=2)
    page = client.get(reverse("survey:print", kwargs={"slug": mobility.slug})).content.decode()
    assert (
        "Nur beantworten, wenn Ihre Antwort auf Frage M3 größer als 2 ist oder "
        "Ihre Antwort auf Frage M3 kleiner als 2 ist."
    ) in page


# --- The activation check and the admin ------------------------------------------------------


@pytest.fixture
def other_survey(mobility):
    return seed_code_survey(io.StringIO())


def _problems_with(mobility, **condition):
    ideas = Question.objects.get(survey=mobility, code="M10")
    Condition.objects.create(question=ideas, **condition)
    return survey_activation_problems(survey=mobility)


def test_activation_refuses_a_condition_on_another_surveys_question(mobility, other_survey):
    foreign = other_survey.questions.first()
    problems = _problems_with(mobility, source=foreign, operator=ONE_OF)
    assert problems == [
        "Frage M10 auf Seite 5: ihre Bedingung bezieht sich auf eine Frage einer anderen Befragung."
    ]


def test_activation_refuses_a_condition_on_a_later_question(mobility):
    ticket, since = (Question.objects.get(survey=mobility, code=c) for c in ("M6a", "M6b"))
    Condition.objects.create(question=ticket, source=since, operator=EQ, value=1)
    problems = survey_activation_problems(survey=mobility)
    assert problems[0].startswith("Frage M6a auf Seite 2: ihre Bedingung bezieht sich auf M6b")


@pytest.mark.parametrize(
    ("code", "operator", "value", "problem"),
    [
        ("M1", GT, 3, "ihre Bedingung kann die Antworten auf M1 so nicht vergleichen"),
        ("M3", GT, None, "ihre Bedingung nennt keinen Wert"),
        ("M3", ONE_OF, 3, "ihre Bedingung bezieht sich auf M3, die keine Auswahlfrage ist"),
        ("M6", EQ, 1, "ihre Bedingung kann die Antworten auf M6 so nicht vergleichen"),
        ("M1", EQ, None, "ihre Bedingung nennt keine Antwortmöglichkeit von M1"),
    ],
)
def test_activation_refuses_a_comparison_that_does_not_fit(
    mobility, code, operator, value, problem
):
    source = Question.objects.get(survey=mobility, code=code)
    problems = _problems_with(mobility, source=source, operator=operator, value=value)
    assert len(problems) == 1
    assert problem in problems[0]


def test_the_definition_loads_conditions_in_a_fixed_number_of_queries(
    mobility, django_assert_num_queries
):
    household = Question.objects.get(survey=mobility, code="M3")
    for code in ("M10", "M9", "M8a"):
        question = Question.objects.get(survey=mobility, code=code)
        Condition.objects.create(question=question, source=household, operator=GT, value=1)
    with django_assert_num_queries(8):
        definition = survey_definition(survey=mobility)
    rules = {q.code: q.condition_rules for q in definition.questions}
    assert rules["M10"] == [Rule(household.pk, GT, frozenset(), 1)]
    assert rules["M6b"][0].value == 1


def test_admin_validation_of_a_condition(mobility, other_survey):
    questions = {q.code: q for q in Question.objects.filter(survey=mobility)}
    ideas = questions["M10"]
    cases = [
        (other_survey.questions.first(), ONE_OF, [], None, "Frage dieser Befragung"),
        (ideas, EQ, [], 1, "vorher gestellte Frage"),
        (questions["M1"], GT, [], 1, "passt nicht zur Art der Frage „M1“"),
        (questions["M1"], ONE_OF, list(questions["M4"].options.all()[:1]), None, "Bedingungsfrage"),
        (questions["M3"], GT, [], None, "Wert an"),
        (questions["M6a"], EQ, [], 5, "1 (Ja) oder 0 (Nein)"),
    ]
    for source, operator, options, value, message in cases:
        with pytest.raises(forms.ValidationError) as error:
            validate_rule(
                owner=ideas, source=source, operator=operator, options=options, value=value
            )
        assert message in str(error.value), (source.code, operator)
    validate_rule(owner=ideas, source=questions["M3"], operator=GT, options=[], value=2)


def test_admin_shows_the_condition_inline_with_this_surveys_questions_only(
    client, mobility, other_survey
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    ideas = Question.objects.get(survey=mobility, code="M10")
    page = client.get(reverse("admin:survey_question_change", args=[ideas.pk])).content.decode()
    assert 'name="conditions-TOTAL_FORMS"' in page
    assert "Bedingungen verknüpfen" in page
    foreign = other_survey.questions.first()
    assert f'<option value="{foreign.pk}">' not in page
    section = mobility.sections.first()
    response = client.get(reverse("admin:survey_section_change", args=[section.pk]))
    assert 'name="conditions-TOTAL_FORMS"' in response.content.decode()


def test_admin_saves_a_condition_and_refuses_a_foreign_one(client, mobility, other_survey):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    ideas = Question.objects.get(survey=mobility, code="M10")
    household = Question.objects.get(survey=mobility, code="M3")
    url = reverse("admin:survey_question_change", args=[ideas.pk])
    data = {
        "section": ideas.section_id,
        "position": ideas.position,
        "code": "M10",
        "kind": ideas.kind,
        "text": ideas.text,
        "scale_min": 1,
        "scale_max": 5,
        "condition_mode": "any",
        "options-TOTAL_FORMS": 0,
        "options-INITIAL_FORMS": 0,
        "items-TOTAL_FORMS": 0,
        "items-INITIAL_FORMS": 0,
        "conditions-TOTAL_FORMS": 1,
        "conditions-INITIAL_FORMS": 0,
        "conditions-0-source": household.pk,
        "conditions-0-operator": "greater",
        "conditions-0-value": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    condition = ideas.conditions.get()
    assert (condition.source, condition.value) == (household, 2)
    ideas.refresh_from_db()
    assert ideas.condition_mode == "any"

    foreign = other_survey.questions.first()
    data |= {
        "conditions-TOTAL_FORMS": 2,
        "conditions-INITIAL_FORMS": 1,
        "conditions-0-id": condition.pk,
        "conditions-0-question": ideas.pk,
        "conditions-1-source": foreign.pk,
        "conditions-1-operator": "one_of",
        "conditions-1-value": "\x00",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert ideas.conditions.count() == 1


def test_a_date_answer_never_reaches_a_condition(mobility):
    """A date question cannot be a condition's source: no operator fits it."""
    since = Question.objects.get(survey=mobility, code="M6b")
    problems = _problems_with(mobility, source=since, operator=EQ, value=20230501)
    assert "so nicht vergleichen" in problems[0]
    assert datetime.date(2023, 5, 1)  # the date stays an answer, not a number to compare
