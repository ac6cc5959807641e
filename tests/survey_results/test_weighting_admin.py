"""Weighting targets in the survey's admin: the inline, the figures taken from the
municipality profiles, and answers that cannot be weighted."""

import datetime

import pytest
from django.urls import reverse

from survey.models import Option, WeightingTarget
from survey.results.weighting_admin import WeightingTargetForm, weighting_targets_prefill

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("chef", password="x")
    client.force_login(user)
    return client


def test_prefill_takes_the_inhabitants_of_the_profiles(counted):
    assert weighting_targets_prefill(survey=counted.survey) == 4
    targets = {t.option.label: t for t in WeightingTarget.objects.filter(survey=counted.survey)}
    assert targets["Ahausen"].population == 1000
    assert targets["Bedorf"].population == 2000
    assert targets["Ahausen"].as_of == counted.places[0].population_as_of
    assert not targets["Ahausen"].is_demo
    # Again: nothing twice.
    assert weighting_targets_prefill(survey=counted.survey) == 0


def test_form_fills_a_municipality_from_its_profile(counted):
    option = Option.objects.get(question=counted.f1, label="Bedorf")
    form = WeightingTargetForm(
        data={"option": option.pk, "population": "", "source": "", "as_of": ""},
        instance=WeightingTarget(survey=counted.survey),
    )
    assert form.is_valid(), form.errors
    target = form.save()
    assert target.population == 2000
    assert target.source == "Gemeindeprofil auf diesem Portal"


def test_form_needs_figures_for_other_groups(counted):
    """A careless entry: an age group without a figure gets a German message, no 500."""
    option = Option.objects.filter(question=counted.f3).first()
    form = WeightingTargetForm(
        data={"option": option.pk, "population": "", "source": "", "as_of": ""},
        instance=WeightingTarget(survey=counted.survey),
    )
    assert not form.is_valid()
    assert "Bitte geben Sie diese Angabe ein." in str(form.errors)
    # Several answers per person (multiple choice) cannot be weighted.
    form = WeightingTargetForm(
        data={"option": option.pk, "population": "100", "source": "x", "as_of": "2024-12-31"},
        instance=WeightingTarget(survey=counted.survey),
    )
    assert not form.is_valid()
    assert "einer Antwort je Person" in str(form.errors)


def test_survey_change_page_has_the_inline_and_action(admin, counted):
    url = reverse("admin:survey_survey_change", args=[counted.survey.pk])
    page = admin.get(url).content.decode()
    assert "Gewichtungsziele" in page
    assert "kleinstes gewicht" in page.lower()
    response = admin.post(
        reverse("admin:survey_survey_changelist"),
        {"action": "prefill_weighting", "_selected_action": [counted.survey.pk]},
        follow=True,
    )
    assert "4 Gewichtungsziele angelegt" in response.content.decode()


def test_an_answer_of_another_survey_is_refused(counted):
    from tests.factories import QuestionFactory, SectionFactory, SurveyFactory

    now = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    other = SurveyFactory(slug="andere", opens_at=now, closes_at=now + datetime.timedelta(days=1))
    question = QuestionFactory(section=SectionFactory(survey=other), kind="single")
    option = Option.objects.create(question=question, label="X", value=1, position=1)
    form = WeightingTargetForm(
        data={"option": option.pk, "population": "10", "source": "x", "as_of": "2024-12-31"},
        instance=WeightingTarget(survey=counted.survey),
    )
    assert not form.is_valid()
    assert "anderen Befragung" in str(form.errors)
