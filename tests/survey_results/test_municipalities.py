"""The results and the response monitoring name the same residence question and show the
same participation per municipality (one shared rule, ``survey.results.municipalities``)."""

import pytest

from survey.models import Option, QuestionKind
from survey.results.compute import compute_results
from survey.results.selectors import survey_monitoring
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def _rows(rows):
    return [(row.label, row.count, row.population, row.per_thousand) for row in rows]


def test_monitoring_shows_the_participation_of_the_results(counted):
    results = compute_results(survey=counted.survey)

    monitoring = survey_monitoring(survey=counted.survey)

    assert results.municipality_question_id == counted.f1.pk
    assert _rows(monitoring.municipalities) == _rows(results.by_municipality)
    assert _rows(monitoring.municipalities)[0] == ("Ahausen", 6, 1000, 6)


def test_a_later_question_naming_municipalities_does_not_take_over(counted):
    later = QuestionFactory(
        section=counted.f3.section, code="F9", kind=QuestionKind.SINGLE, position=9
    )
    Option.objects.create(
        question=later, label="Arbeitsort Ahausen", value=1, municipality=counted.places[0]
    )

    results = compute_results(survey=counted.survey)
    monitoring = survey_monitoring(survey=counted.survey)

    assert results.municipality_question_id == counted.f1.pk
    assert [row.label for row in monitoring.municipalities] == [
        "Ahausen",
        "Bedorf",
        "Cestadt",
        "Dewitz",
    ]
