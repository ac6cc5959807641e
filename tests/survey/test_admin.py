"""The questionnaire builder in the admin: frozen once responses exist; actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from survey.models import AccessCode, Option, Question, Section, Survey, SurveyStatus
from survey.synthetic import responses_generate
from tests.survey.conftest import question_form

pytestmark = pytest.mark.django_db


def test_admin_pages_render(admin_client, mobility):
    question = Question.objects.get(survey=mobility, code="M7")
    section = question.section
    for url in [
        reverse("admin:survey_survey_changelist"),
        reverse("admin:survey_survey_change", args=[mobility.pk]),
        reverse("admin:survey_section_change", args=[section.pk]),
        reverse("admin:survey_question_change", args=[question.pk]),
        reverse("admin:survey_question_changelist"),
        reverse("admin:survey_response_changelist"),
        reverse("admin:survey_accesscode_changelist"),
        reverse("admin:survey_survey_add"),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_questionnaire_is_editable_before_responses(admin_client, mobility):
    question = Question.objects.get(survey=mobility, code="M6")
    page = admin_client.get(reverse("admin:survey_question_change", args=[question.pk]))
    assert 'name="text"' in page.content.decode()


def test_frozen_questionnaire_takes_wording_corrections_only(admin_client, mobility):
    from auditlog.models import LogEntry

    responses_generate(survey=mobility, count=1)
    question = Question.objects.get(survey=mobility, code="M1")
    url = reverse("admin:survey_question_change", args=[question.pk])

    page = admin_client.get(url).content.decode()
    assert 'name="text"' in page  # wording stays editable
    assert 'name="kind"' not in page  # structure read-only
    assert 'name="code"' not in page
    assert "Wortlaut" in page
    options = list(question.options.order_by("position", "id"))
    data = {
        "text": "Wo wohnen Sie zurzeit?",
        "help_text": "",
        # A careless or hostile post of structural fields: ignored.
        "kind": "short_text",
        "code": "HACK",
        "section": question.section_id,
        "options-TOTAL_FORMS": len(options) + 1,
        "options-INITIAL_FORMS": len(options),
        "items-TOTAL_FORMS": 0,
        "items-INITIAL_FORMS": 0,
        "conditions-TOTAL_FORMS": 0,  # read-only once frozen, its management form stays
        "conditions-INITIAL_FORMS": 0,
    }
    for index, option in enumerate(options):
        data[f"options-{index}-id"] = option.pk
        data[f"options-{index}-question"] = question.pk
        data[f"options-{index}-label"] = option.label + " (korr.)"
        data[f"options-{index}-value"] = 99 + index
        data[f"options-{index}-DELETE"] = "on" if index == 0 else ""
    data[f"options-{len(options)}-label"] = "Neue Option"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert question.text == "Wo wohnen Sie zurzeit?"
    assert (question.kind, question.code) == ("single", "M1")
    after = list(question.options.order_by("position", "id"))
    assert [o.pk for o in after] == [o.pk for o in options]  # none added, none deleted
    assert [o.value for o in after] == [o.value for o in options]
    assert after[0].label.endswith("(korr.)")
    history = LogEntry.objects.get_for_object(question)
    assert any("text" in (entry.changes_dict or {}) for entry in history)

    survey_page = admin_client.get(
        reverse("admin:survey_survey_change", args=[mobility.pk])
    ).content.decode()
    assert "duplizieren" in survey_page
    assert 'name="sections-0-title"' in survey_page
    assert 'name="sections-0-position"' not in survey_page
    delete = reverse("admin:survey_question_delete", args=[question.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_adding_a_question_to_a_frozen_survey_is_refused(admin_client, mobility):
    responses_generate(survey=mobility, count=1)
    section = Section.objects.filter(survey=mobility).first()
    response = admin_client.post(
        reverse("admin:survey_question_add"),
        question_form(section, "NEU", "short_text", text="Neue Frage?"),
    )
    assert "nichts mehr hinzufügen" in response.content.decode()
    assert not Question.objects.filter(code="NEU").exists()


def test_question_code_must_be_unique_and_condition_earlier(admin_client, mobility):
    first = Question.objects.get(survey=mobility, code="M1")
    later = Question.objects.get(survey=mobility, code="M10")
    data = {
        "section": first.section_id,
        "position": 9,
        "code": "M2",
        "kind": "short_text",
        "text": "Neue Frage?",
        "scale_min": 1,
        "scale_max": 5,
        "condition_question": later.pk,
        "options-TOTAL_FORMS": 0,
        "options-INITIAL_FORMS": 0,
        "items-TOTAL_FORMS": 0,
        "items-INITIAL_FORMS": 0,
        "conditions-TOTAL_FORMS": 0,  # read-only once frozen, its management form stays
        "conditions-INITIAL_FORMS": 0,
    }
    page = admin_client.post(reverse("admin:survey_question_add"), data).content.decode()
    assert "Eine andere Frage dieser Befragung hat schon diesen Code." in page
    # The picker lists only choice questions on earlier pages: anything else is refused.
    assert "gültige Auswahl" in page

    choice_later = Question.objects.get(survey=mobility, code="M9")
    data |= {"code": "NEU", "condition_question": choice_later.pk}
    data["condition_options"] = [choice_later.options.first().pk]
    page = admin_client.post(reverse("admin:survey_question_add"), data).content.decode()
    assert "gültige Auswahl" in page
    assert not Question.objects.filter(code="NEU").exists()


def test_duplicate_action(admin_client, mobility):
    admin_client.post(
        reverse("admin:survey_survey_changelist"),
        {"action": "duplicate", ACTION_CHECKBOX_NAME: [mobility.pk]},
    )
    copy = Survey.objects.get(slug="mobilitaet-2026-kopie")
    assert copy.status == SurveyStatus.DRAFT
    assert Option.objects.filter(question__survey=copy).exists()


def test_generate_codes_action_asks_then_generates(admin_client, mobility):
    url = reverse("admin:survey_survey_changelist")
    ask = admin_client.post(
        url, {"action": "generate_access_codes", ACTION_CHECKBOX_NAME: [mobility.pk]}
    )
    assert "Anzahl der Codes" in ask.content.decode()
    admin_client.post(
        url,
        {
            "action": "generate_access_codes",
            ACTION_CHECKBOX_NAME: [mobility.pk],
            "apply": "1",
            "count": "25",
        },
    )
    assert AccessCode.objects.filter(survey=mobility).count() == 25


def test_responses_are_read_only_in_admin(admin_client, mobility):
    responses_generate(survey=mobility, count=1)
    response = mobility.responses.get()
    page = admin_client.get(reverse("admin:survey_response_change", args=[response.pk]))
    assert 'name="channel"' not in page.content.decode()
    assert admin_client.get(reverse("admin:survey_response_add")).status_code == 403
