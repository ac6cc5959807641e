"""The survey studio: answer lists a question starts from, and questions or pages copied
from another survey."""

import pytest
from django.urls import reverse

from survey.models import Condition, LabelSet, Option, Question, Section
from survey.synthetic import responses_generate
from tests.factories import SectionFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = "admin:survey_question_add"


def new_question(section, kind, text, **extra) -> dict:
    return {
        "section": section.pk,
        "kind": kind,
        "text": text,
        "scale_min": 1,
        "scale_max": 5,
        "options-TOTAL_FORMS": 0,
        "options-INITIAL_FORMS": 0,
        "items-TOTAL_FORMS": 0,
        "items-INITIAL_FORMS": 0,
        "conditions-TOTAL_FORMS": 0,
        "conditions-INITIAL_FORMS": 0,
        **extra,
    }


@pytest.fixture
def draft_page(db):
    survey = SurveyFactory(title="Dorfladen und Nahversorgung 2026", slug="dorfladen-2026")
    return SectionFactory(survey=survey, title="Über Sie", position=1)


def test_the_answer_lists_are_seeded():
    names = dict(LabelSet.objects.values_list("name", "id"))
    municipalities = LabelSet.objects.get(name="Die sieben Kommunen")
    assert list(municipalities.items.values_list("label", flat=True)) == [
        "Cavertitz",
        "Dahlen",
        "Liebschützberg",
        "Mügeln",
        "Naundorf",
        "Oschatz",
        "Wermsdorf",
    ]
    assert LabelSet.objects.get(name="Zustimmung (5 Stufen)").items.count() == 5
    assert "Altersgruppen" in names


def test_a_question_takes_over_an_answer_list_after_typed_options(admin_client, draft_page):
    municipalities = LabelSet.objects.get(name="Die sieben Kommunen")
    data = new_question(
        draft_page,
        "single",
        "Wo wohnen Sie?",
        label_set=municipalities.pk,
        **{"options-TOTAL_FORMS": 1, "options-0-label": "außerhalb", "options-0-value": "9"},
    )
    assert admin_client.post(reverse(ADD), data).status_code == 302
    question = Question.objects.get(survey=draft_page.survey)
    options = list(question.options.order_by("position").values_list("label", "value"))
    assert options[0] == ("außerhalb", 9)
    assert [label for label, _value in options[1:]] == list(
        municipalities.items.values_list("label", flat=True)
    )
    assert [value for _label, value in options[1:]] == list(range(10, 17))
    oschatz = question.options.get(label="Oschatz")
    assert oschatz.municipality.slug == "oschatz"  # relates answers to the population

    # A matrix takes the list as rows; a text question ignores it.
    agree = LabelSet.objects.get(name="Zustimmung (5 Stufen)")
    admin_client.post(reverse(ADD), new_question(draft_page, "matrix", "M?", label_set=agree.pk))
    assert Question.objects.get(text="M?").items.count() == 5
    admin_client.post(
        reverse(ADD), new_question(draft_page, "short_text", "T?", label_set=agree.pk)
    )
    text = Question.objects.get(text="T?")
    assert (text.options.count(), text.items.count()) == (0, 0)


def test_an_answer_list_id_that_does_not_exist_is_refused(admin_client, draft_page):
    data = new_question(draft_page, "single", "Wo?", label_set="999999")
    response = admin_client.post(reverse(ADD), data)
    assert response.status_code == 200
    assert "gültige Auswahl" in response.content.decode()
    assert not Question.objects.filter(text="Wo?").exists()


def _source_survey():
    source = SurveyFactory(title="Mobilität 2025", slug="mobilitaet-2025")
    about = SectionFactory(survey=source, title="Über Sie", position=1)
    ways = SectionFactory(survey=source, title="Wege", position=2)
    where = Question.objects.create(section=about, code="W1", kind="single", text="Wo wohnen Sie?")
    oschatz = Option.objects.create(question=where, label="Oschatz", value=6, position=1)
    car = Question.objects.create(section=ways, code="W2", kind="single", text="Auto?")
    Option.objects.create(question=car, label="ja", value=1, position=1)
    city = Question.objects.create(
        section=ways, code="W3", kind="short_text", text="Stadtverkehr?", condition_question=where
    )
    city.condition_options.set([oschatz])
    return source, about, ways, where


def test_copying_a_page_brings_options_and_drops_outside_conditions(admin_client, draft_page):
    _source, _about, ways, _where = _source_survey()
    Question.objects.create(section=draft_page, code="W2", kind="short_text", text="schon da")
    url = reverse("admin:survey_survey_copy_into", args=[draft_page.survey_id])
    page = admin_client.get(url).content.decode()
    assert "Mobilität 2025" in page
    assert "Dorfladen" not in page.split("<select")[1]  # not its own survey as source

    response = admin_client.post(
        url, {"source": f"s{ways.pk}", "section": draft_page.pk}, follow=True
    )
    html = response.content.decode()
    assert "2 Fragen kopiert: W2_2, W3." in html
    assert "entfernt" in html
    copies = Question.objects.filter(survey=draft_page.survey).exclude(text="schon da")
    assert sorted(copies.values_list("code", flat=True)) == ["W2_2", "W3"]
    assert copies.get(code="W2_2").options.get().label == "ja"
    assert copies.get(code="W3").condition_question is None


def test_copying_a_question_and_tampered_sources(admin_client, draft_page):
    _source, _about, _ways, where = _source_survey()
    url = reverse("admin:survey_survey_copy_into", args=[draft_page.survey_id])
    admin_client.post(url, {"source": f"q{where.pk}", "section": draft_page.pk})
    copy = Question.objects.get(survey=draft_page.survey, code="W1")
    assert list(copy.options.values_list("label", "value")) == [("Oschatz", 6)]

    other = SectionFactory(title="Fremde Seite")
    for tampered in [
        {"source": f"q{where.pk}", "section": other.pk},  # a page of another survey
        {"source": "q999999", "section": draft_page.pk},
        {"source": "x1\x00", "section": draft_page.pk},
        {"source": f"q{copy.pk}", "section": draft_page.pk},  # from the survey itself
    ]:
        response = admin_client.post(url, tampered)
        assert response.status_code == 200
        assert "gültige Auswahl" in response.content.decode()
    assert Question.objects.filter(survey=draft_page.survey).count() == 1
    assert not Question.objects.filter(section=other).exists()


def test_copied_question_names_its_dropped_conditions(admin_client, draft_page):
    """Conditions kept as rows (AND/OR) point into the survey copied from: the copy must not
    keep them, and staff must be told it lost them, not find out from the live survey."""
    _source, _about, ways, where = _source_survey()
    car = Question.objects.get(code="W2", section=ways)
    rule = Condition.objects.create(question=car, source=where, operator="one_of")
    rule.options.set(where.options.all())
    url = reverse("admin:survey_survey_copy_into", args=[draft_page.survey_id])
    response = admin_client.post(
        url, {"source": f"q{car.pk}", "section": draft_page.pk}, follow=True
    )
    copy = Question.objects.get(survey=draft_page.survey, code="W2")
    assert not Condition.objects.filter(question=copy).exists()
    assert "wurden bei W2 entfernt" in response.content.decode()


def test_copying_into_a_survey_with_responses_is_refused(admin_client, mobility):
    _source, _about, ways, _where = _source_survey()
    responses_generate(survey=mobility, count=1)
    target = Section.objects.filter(survey=mobility).first()
    url = reverse("admin:survey_survey_copy_into", args=[mobility.pk])
    response = admin_client.post(url, {"source": f"s{ways.pk}", "section": target.pk})
    assert response.status_code == 200
    assert "nichts mehr hinzufügen" in response.content.decode()
    assert not Question.objects.filter(survey=mobility, code="W3").exists()


def test_copying_needs_the_permission(client, draft_page):
    client.force_login(UserFactory(is_staff=True))
    url = reverse("admin:survey_survey_copy_into", args=[draft_page.survey_id])
    assert client.get(url).status_code == 403
