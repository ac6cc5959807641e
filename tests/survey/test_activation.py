"""The activation check: a survey whose questionnaire would break for participants cannot be
opened, neither in its change form nor with the list action, and opening says why in German.

Each defect is made the way staff make it in the admin (a question saved without options,
pages reordered after a condition was set, an option deleted), then a logged-in editor tries
to open the survey as she would: by submitting the change form as the browser shows it."""

import datetime
import html.parser

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from survey import selectors, services
from survey.models import MatrixItem, Option, Question, QuestionKind, Survey, SurveyStatus
from tests.factories import QuestionFactory, SectionFactory, SurveyFactory, UserFactory
from tests.survey.conftest import question_form

pytestmark = pytest.mark.django_db


class FormFields(html.parser.HTMLParser):
    """What a browser submits with the admin's change form (lists for every name)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.in_form = False
        self._textarea = None
        self._select = None

    def add(self, name, value):
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.add(a["name"], a.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = [""]
        elif tag == "select":
            self._select = a["name"]
            self.fields.setdefault(a["name"], [])
        elif tag == "option" and self._select and "selected" in a:
            self.add(self._select, a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][-1] += data.removeprefix("\n")


def change_form(client, survey) -> dict:
    url = reverse("admin:survey_survey_change", args=[survey.pk])
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    return parser.fields


@pytest.fixture
def editor(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def draft(mobility):
    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    return mobility


def break_questionnaire(editor, survey):
    """Four careless edits in the admin, each accepted there on its own."""
    pages = list(survey.sections.order_by("position", "id"))
    ideas = pages[-1]
    # A required single choice and a matrix, saved before their options and rows.
    add = reverse("admin:survey_question_add")
    response = editor.post(add, question_form(ideas, "M11", "single", required="on"))
    assert response.status_code == 302
    assert editor.post(add, question_form(ideas, "M12", "matrix")).status_code == 302
    # Page 2 (where M4 is asked) moved to the end: M8 on page 3 depends on M4.
    fields = change_form(editor, survey)
    index = next(i for i, p in enumerate(pages) if p.pk == pages[1].pk)
    fields[f"sections-{index}-position"] = ["9"]
    fields["_continue"] = ["1"]
    response = editor.post(reverse("admin:survey_survey_change", args=[survey.pk]), fields)
    assert response.status_code == 302
    # The option "Oschatz" of M1 deleted: the Oschatz page's condition names no option.
    Option.objects.get(question__survey=survey, question__code="M1", label="Oschatz").delete()


EXPECTED = [
    "Frage M8 auf Seite 2: ihre Bedingung bezieht sich auf M4, "
    "die nicht auf einer früheren Seite steht.",
    "Seite 3 „Stadtverkehr Oschatz“: ihre Bedingung nennt keine Antwortmöglichkeit von M1.",
    "Frage M11 auf Seite 4 ist eine Auswahlfrage ohne Antwortmöglichkeiten.",
    "Frage M12 auf Seite 4 ist eine Matrix ohne Aspekte (Zeilen).",
]


def test_a_broken_survey_cannot_be_opened_in_its_change_form(editor, draft):
    break_questionnaire(editor, draft)
    fields = change_form(editor, draft)
    fields["status"] = [SurveyStatus.OPEN]

    response = editor.post(reverse("admin:survey_survey_change", args=[draft.pk]), fields)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Die Befragung kann noch nicht geöffnet werden:" in page
    errors = [str(e) for e in response.context["adminform"].form.errors["status"]]
    assert errors == ["Die Befragung kann noch nicht geöffnet werden:", *EXPECTED]
    for problem in EXPECTED:
        assert problem in page
    draft.refresh_from_db()
    assert draft.status == SurveyStatus.DRAFT
    editor.logout()
    assert editor.get(draft.get_absolute_url()).status_code == 404  # not public


def test_a_broken_survey_cannot_be_opened_with_the_list_action(editor, draft):
    break_questionnaire(editor, draft)

    response = editor.post(
        reverse("admin:survey_survey_changelist"),
        {"action": "open_surveys", ACTION_CHECKBOX_NAME: [draft.pk]},
        follow=True,
    )

    message = [str(m) for m in response.context["messages"]][-1]
    assert message.startswith("„Mobilität im Oschatzer Land 2026“ kann noch nicht geöffnet")
    for problem in EXPECTED:
        assert f"<li>{problem}</li>" in message.replace("&quot;", '"')
    draft.refresh_from_db()
    assert draft.status == SurveyStatus.DRAFT


def test_a_sound_survey_opens_in_its_change_form_and_with_the_action(editor, draft):
    fields = change_form(editor, draft)
    fields["status"] = [SurveyStatus.OPEN]
    response = editor.post(reverse("admin:survey_survey_change", args=[draft.pk]), fields)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SurveyStatus.OPEN

    draft.status = SurveyStatus.CLOSED
    draft.save()
    response = editor.post(
        reverse("admin:survey_survey_changelist"),
        {"action": "open_surveys", ACTION_CHECKBOX_NAME: [draft.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages[-1] == "„Mobilität im Oschatzer Land 2026“ ist geöffnet."
    draft.refresh_from_db()
    assert draft.status == SurveyStatus.OPEN


def test_a_new_survey_cannot_be_created_open(editor):
    now = timezone.localtime()
    response = editor.post(
        reverse("admin:survey_survey_add"),
        {
            "title": "Schnellschuss",
            "slug": "schnellschuss",
            "status": SurveyStatus.OPEN,
            "opens_at_0": now.date().isoformat(),
            "opens_at_1": "00:00:00",
            "closes_at_0": (now + datetime.timedelta(days=9)).date().isoformat(),
            "closes_at_1": "00:00:00",
            "access_mode": "open",
            "sections-TOTAL_FORMS": 0,
            "sections-INITIAL_FORMS": 0,
        },
    )
    assert "Eine neue Befragung hat noch keine Fragen" in response.content.decode()
    assert not Survey.objects.filter(slug="schnellschuss").exists()


def test_activation_check_finds_every_kind_of_broken_condition(mobility):
    """The remaining defects, which the admin's own forms refuse but which arise when a
    question moves to another survey or the condition question changes its kind."""
    other = SurveyFactory(slug="andere")
    foreign = QuestionFactory(section=SectionFactory(survey=other), code="X1")
    oschatz_page = mobility.sections.get(title="Stadtverkehr Oschatz")
    oschatz_page.condition_question = foreign
    oschatz_page.save()
    m3 = Question.objects.get(survey=mobility, code="M3")
    m3.kind = QuestionKind.NUMBER
    m3.save()
    m10 = Question.objects.get(survey=mobility, code="M10")
    m10.condition_question = m3
    m10.save()
    m9 = Question.objects.get(survey=mobility, code="M9")
    m7 = Question.objects.get(survey=mobility, code="M7")
    MatrixItem.objects.filter(question=m7).delete()

    problems = selectors.survey_activation_problems(survey=mobility)

    assert problems == [
        "Frage M7 auf Seite 3 ist eine Matrix ohne Aspekte (Zeilen).",
        "Seite 4 „Stadtverkehr Oschatz“: ihre Bedingung bezieht sich auf eine Frage einer "
        "anderen Befragung.",
        "Frage M10 auf Seite 5: ihre Bedingung bezieht sich auf M3, die keine Auswahlfrage ist.",
    ]
    # A question that depends on one that is never shown is never shown either.
    m10.condition_question = m9
    m10.save()
    m10.condition_options.set(m9.options.all()[:1])
    assert selectors.survey_activation_problems(survey=mobility)[-1] == (
        "Frage M10 auf Seite 5: ihre Bedingung bezieht sich auf M9, die nie angezeigt wird."
    )


def test_a_survey_without_questions_cannot_be_opened(editor):
    survey = SurveyFactory(slug="leer", status=SurveyStatus.DRAFT)
    SectionFactory(survey=survey, title="Leere Seite")
    assert selectors.survey_activation_problems(survey=survey) == [
        "Der Fragebogen hat noch keine Fragen.",
        "Seite 1 „Leere Seite“ hat keine Fragen.",
    ]


def test_survey_open_service_outcomes(mobility):
    survey_open = services.survey_open
    survey_open(survey=mobility)  # already open: nothing to do
    mobility.refresh_from_db()
    assert mobility.status == SurveyStatus.OPEN

    mobility.status = SurveyStatus.PUBLISHED
    mobility.save()
    with pytest.raises(ValidationError) as published:
        survey_open(survey=mobility)
    assert published.value.messages == [
        "Die Ergebnisse dieser Befragung sind veröffentlicht; nehmen Sie sie zuerst offline."
    ]

    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    MatrixItem.objects.filter(question__survey=mobility).delete()
    with pytest.raises(ValidationError) as broken:
        survey_open(survey=mobility)
    assert broken.value.messages == ["Frage M7 auf Seite 3 ist eine Matrix ohne Aspekte (Zeilen)."]
    mobility.refresh_from_db()
    assert mobility.status == SurveyStatus.DRAFT
