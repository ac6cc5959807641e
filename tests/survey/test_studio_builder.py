"""The survey studio's question form: fields of its kind only, options on the same form with
codes and positions filled in, pickers that list only what fits."""

import pytest
from django.urls import reverse

from survey.models import Option, Question, Section
from tests.factories import SectionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

ADD = "admin:survey_question_add"


def rows(prefix, labels, **extra) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": len(labels), f"{prefix}-INITIAL_FORMS": 0}
    for index, label in enumerate(labels):
        data[f"{prefix}-{index}-label"] = label
        for name, values in extra.items():
            data[f"{prefix}-{index}-{name}"] = values[index]
    return data


def new_question(section, kind, text, **extra) -> dict:
    return {
        "section": section.pk,
        "kind": kind,
        "text": text,
        "scale_min": 1,
        "scale_max": 5,
        **rows("options", []),
        **rows("items", []),
        **rows("conditions", []),
        **extra,
    }


@pytest.fixture
def draft_page(db):
    survey = SurveyFactory(title="Dorfladen und Nahversorgung 2026", slug="dorfladen-2026")
    return SectionFactory(survey=survey, title="Einkauf", position=1)


def test_options_are_created_with_the_question_codes_and_positions_filled(admin_client, draft_page):
    data = new_question(
        draft_page,
        "single",
        "Wie oft kaufen Sie im Dorfladen ein?",
        **rows(
            "options",
            ["täglich", "wöchentlich", "seltener", "nie"],
            position=["", "", "1", ""],  # without JavaScript: typed positions win, rest follow
        ),
    )
    response = admin_client.post(reverse(ADD), data)
    assert response.status_code == 302
    question = Question.objects.get(survey=draft_page.survey)
    assert (question.code, question.position) == ("F1", 1)
    options = list(question.options.order_by("position"))
    assert [o.label for o in options] == ["seltener", "täglich", "wöchentlich", "nie"]
    assert [o.position for o in options] == [1, 2, 3, 4]
    assert sorted(o.value for o in options) == [1, 2, 3, 4]
    # The next question gets the next code and position.
    admin_client.post(reverse(ADD), new_question(draft_page, "short_text", "Was fehlt?"))
    second = Question.objects.get(survey=draft_page.survey, text="Was fehlt?")
    assert (second.code, second.position) == ("F2", 2)


def test_reordering_keeps_the_codes(admin_client, draft_page):
    admin_client.post(
        reverse(ADD),
        new_question(draft_page, "single", "Wie?", **rows("options", ["a", "b", "c"])),
    )
    question = Question.objects.get(survey=draft_page.survey)
    options = list(question.options.order_by("position"))
    data = new_question(draft_page, "single", "Wie?", code="F1")
    data |= {"options-TOTAL_FORMS": 3, "options-INITIAL_FORMS": 3}
    for index, (option, position) in enumerate(zip(options, [3, 1, 2], strict=True)):
        data |= {
            f"options-{index}-id": option.pk,
            f"options-{index}-question": question.pk,
            f"options-{index}-label": option.label,
            f"options-{index}-value": option.value,
            f"options-{index}-position": position,
        }
    url = reverse("admin:survey_question_change", args=[question.pk])
    assert admin_client.post(url, data).status_code == 302
    after = list(question.options.order_by("position"))
    assert [(o.label, o.value) for o in after] == [("b", 2), ("c", 3), ("a", 1)]


def test_a_saved_question_shows_only_the_fields_of_its_kind(admin_client, draft_page):
    admin_client.post(reverse(ADD), new_question(draft_page, "short_text", "Was fehlt?"))
    text = Question.objects.get(survey=draft_page.survey)
    page = admin_client.get(reverse("admin:survey_question_change", args=[text.pk]))
    html = page.content.decode()
    assert 'name="scale_min"' not in html
    assert 'name="options-TOTAL_FORMS"' not in html
    assert 'name="items-TOTAL_FORMS"' not in html
    assert 'name="max_choices"' not in html

    admin_client.post(
        reverse(ADD),
        new_question(
            draft_page, "matrix", "Wie zufrieden?", **rows("items", ["Preise", "Angebot"])
        ),
    )
    matrix = Question.objects.get(survey=draft_page.survey, kind="matrix")
    html = admin_client.get(
        reverse("admin:survey_question_change", args=[matrix.pk])
    ).content.decode()
    assert 'name="scale_min"' in html
    assert 'name="items-TOTAL_FORMS"' in html
    assert 'name="options-TOTAL_FORMS"' not in html
    assert 'name="number_min"' not in html
    assert list(matrix.items.values_list("label", "position")) == [("Preise", 1), ("Angebot", 2)]


def test_fields_of_other_kinds_are_ignored_when_posted(admin_client, draft_page):
    data = new_question(
        draft_page,
        "short_text",
        "Was fehlt?",
        scale_min_label="gar nicht",
        number_min=3,
        number_max=1,  # would be an error for a number question
        max_choices=2,
        is_breakdown="on",
    )
    assert admin_client.post(reverse(ADD), data).status_code == 302
    question = Question.objects.get(survey=draft_page.survey)
    assert (question.number_min, question.number_max, question.max_choices) == (None, None, None)
    assert question.scale_min_label == ""
    assert question.is_breakdown is False


def _condition_setup(draft_page):
    survey = draft_page.survey
    first = Question.objects.create(section=draft_page, code="F1", kind="single", text="Kaufen?")
    yes = Option.objects.create(question=first, label="ja", value=1, position=1)
    Option.objects.create(question=first, label="nein", value=2, position=2)
    later_page = Section.objects.create(survey=survey, title="Wünsche", position=2)
    other_page = SectionFactory(title="Fremd", position=1)
    foreign = Question.objects.create(section=other_page, code="X1", kind="single", text="Wo?")
    oschatz = Option.objects.create(
        question=foreign, label="Fremdoption Oschatz", value=1, position=1
    )
    return first, yes, later_page, oschatz


def test_condition_picker_lists_only_earlier_questions_of_the_survey(admin_client, draft_page):
    _first, _yes, later_page, _oschatz = _condition_setup(draft_page)
    page = admin_client.get(reverse(ADD) + f"?section={later_page.pk}").content.decode()
    assert "F1: Kaufen?" in page
    assert "F1 · ja" in page
    assert "Fremdoption" not in page  # another survey's option
    assert "Fremd" not in page  # another survey's page
    # On the first page nothing comes earlier.
    page = admin_client.get(reverse(ADD) + f"?section={draft_page.pk}").content.decode()
    assert "F1 · ja" not in page


def test_another_surveys_option_in_a_condition_is_refused(admin_client, draft_page):
    first, yes, later_page, oschatz = _condition_setup(draft_page)
    data = new_question(
        later_page,
        "short_text",
        "Was fehlt?",
        condition_question=first.pk,
        condition_options=[yes.pk, oschatz.pk],
    )
    response = admin_client.post(reverse(ADD), data)
    assert response.status_code == 200
    assert "gültige Auswahl" in response.content.decode()
    assert not Question.objects.filter(text="Was fehlt?").exists()
    # Tampered ids: huge, not a number, a NUL byte.
    for value in ["99999999999999999999", "abc", "1\x00"]:
        response = admin_client.post(reverse(ADD), data | {"condition_question": value})
        assert response.status_code == 200
    response = admin_client.post(reverse(ADD) + "?section=1%00", data)
    assert response.status_code in {200, 302, 400}  # never a 500
    # The right option is taken.
    response = admin_client.post(reverse(ADD), data | {"condition_options": [yes.pk]})
    assert response.status_code == 302
    question = Question.objects.get(text="Was fehlt?")
    assert question.condition_question == first
    assert list(question.condition_options.all()) == [yes]


def test_section_picker_stays_in_the_survey(admin_client, draft_page):
    _condition_setup(draft_page)
    page = admin_client.get(reverse(ADD) + f"?section={draft_page.pk}").content.decode()
    assert "Wünsche" in page
    assert "Fremd" not in page


def test_new_survey_with_pages_goes_on_to_its_first_question(admin_client):
    data = {
        "title": "Dorfladen und Nahversorgung 2026",
        "slug": "dorfladen-2026",
        "status": "draft",
        "opens_at_0": "01.03.2026",
        "opens_at_1": "00:00:00",
        "closes_at_0": "31.03.2026",
        "closes_at_1": "00:00:00",
        "is_anonymous": "on",
        "access_mode": "open",
        "weight_min": "0.3",
        "weighting_targets-TOTAL_FORMS": 0,
        "weighting_targets-INITIAL_FORMS": 0,
        "weight_max": "3",
        "sections-TOTAL_FORMS": 3,
        "sections-INITIAL_FORMS": 0,
        "sections-0-title": "Einkauf",
        "sections-1-title": "Angebot",
        "sections-2-title": "Über Sie",
        "_addquestion": "1",
    }
    response = admin_client.post(reverse("admin:survey_survey_add"), data)
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "errorlist" in line
    ]
    sections = list(Section.objects.order_by("position").values_list("title", "position"))
    assert sections == [("Einkauf", 1), ("Angebot", 2), ("Über Sie", 3)]
    first = Section.objects.get(title="Einkauf")
    assert response["Location"] == reverse(ADD) + f"?section={first.pk}"


def test_save_and_add_another_stays_on_the_page(admin_client, draft_page):
    data = new_question(draft_page, "short_text", "Was fehlt?", _addanother="1")
    response = admin_client.post(reverse(ADD), data)
    assert response["Location"] == reverse(ADD) + f"?section={draft_page.pk}"
    data = new_question(draft_page, "short_text", "Noch etwas?", _save="1")
    response = admin_client.post(reverse(ADD), data)
    assert response["Location"] == reverse(
        "admin:survey_survey_change", args=[draft_page.survey_id]
    )


def _page_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as counted:
        assert client.get(url).status_code == 200
    return len(counted.captured_queries)


def test_the_overview_lists_pages_and_questions_in_constant_queries(
    admin_client, draft_page, django_assert_max_num_queries
):
    url = reverse("admin:survey_survey_change", args=[draft_page.survey_id])
    Question.objects.create(section=draft_page, code="F1", kind="short_text", text="Eins?")
    admin_client.get(url)  # warm-up: what a session asks once
    small = _page_queries(admin_client, url, django_assert_max_num_queries, 60)
    for number in range(2, 7):
        section = Section.objects.create(
            survey=draft_page.survey, title=f"Seite {number}", position=number
        )
        for code in ("a", "b", "c"):
            Question.objects.create(
                section=section, code=f"F{number}{code}", kind="short_text", text=f"{code}?"
            )
    large = _page_queries(admin_client, url, django_assert_max_num_queries, 60)
    assert large == small
    page = admin_client.get(url).content.decode()
    assert "F6c" in page
    assert f"?section={section.pk}" in page  # “Add a question” per page


def test_question_form_queries_do_not_grow_with_the_survey(
    admin_client, draft_page, django_assert_max_num_queries
):
    last = Section.objects.create(survey=draft_page.survey, title="Ende", position=10)
    url = reverse(ADD) + f"?section={last.pk}"
    admin_client.get(url)  # warm-up: what a session asks once
    small = _page_queries(admin_client, url, django_assert_max_num_queries, 60)
    for number in range(2, 6):
        section = Section.objects.create(
            survey=draft_page.survey, title=f"Seite {number}", position=number
        )
        question = Question.objects.create(
            section=section, code=f"F{number}", kind="single", text="?"
        )
        for value in range(1, 6):
            Option.objects.create(question=question, label=f"o{value}", value=value, position=value)
    large = _page_queries(admin_client, url, django_assert_max_num_queries, 60)
    assert large == small
    page = admin_client.get(url).content.decode()
    assert "F5 · o5" in page  # the options of earlier questions are listed


def test_a_frozen_page_takes_wording_and_nothing_else(admin_client, mobility):
    from auditlog.models import LogEntry

    from survey.synthetic import responses_generate

    responses_generate(survey=mobility, count=1)
    section = Section.objects.filter(survey=mobility).order_by("position").last()
    url = reverse("admin:survey_section_change", args=[section.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="title"' in html
    assert 'name="position"' not in html
    assert "duplizieren" in html
    questions = list(section.questions.order_by("position", "id"))
    data = {
        "title": "Ihre Ideen (korrigiert)",
        "description": "",
        "position": 1,  # ignored: structure
        "survey": SurveyFactory().pk,  # ignored: structure
        "questions-TOTAL_FORMS": len(questions),
        "questions-INITIAL_FORMS": len(questions),
        **rows("conditions", []),  # read-only, but its management form is on the page
    }
    for index, question in enumerate(questions):
        data |= {
            f"questions-{index}-id": question.pk,
            f"questions-{index}-section": section.pk,
            f"questions-{index}-text": question.text + " (korr.)",
            f"questions-{index}-kind": "number",  # ignored
        }
    response = admin_client.post(url, data)
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "errorlist" in line
    ]
    before = section.position
    section.refresh_from_db()
    assert (section.title, section.position, section.survey_id) == (
        "Ihre Ideen (korrigiert)",
        before,
        mobility.pk,
    )
    for question in questions:
        after = Question.objects.get(pk=question.pk)
        assert after.text.endswith("(korr.)")
        assert after.kind == question.kind
    assert any("title" in (e.changes_dict or {}) for e in LogEntry.objects.get_for_object(section))

    add = admin_client.post(
        reverse("admin:survey_section_add"), {"survey": mobility.pk, "title": "Neu"}
    )
    assert "nichts mehr hinzufügen" in add.content.decode()
    assert not Section.objects.filter(survey=mobility, title="Neu").exists()
