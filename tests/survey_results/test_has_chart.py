"""The results page offers a chart download for a question exactly where the download
gives a chart, and decides that without building any chart (``has_chart`` runs for every
question of the hot results page)."""

import re

import pytest
from django.urls import reverse

from survey.models import SurveyStatus
from survey.results import charts
from survey.results.compute import compute_results
from survey.templatetags.survey_results_tags import has_chart
from tests.survey.conftest import mobility  # noqa: F401 (a fixture used below)
from tests.survey_results.test_weighting_withheld import tiny_heavy_group  # noqa: F401

pytestmark = pytest.mark.django_db


def _questions(results):
    return [q for section in results.sections for q in section.questions]


@pytest.mark.parametrize("breakdown", [None, "F1"])
def test_has_chart_answers_as_building_the_chart_would(published, request, breakdown):
    """Every kind (choice, multiple, matrix, scale, free text coded and not, number, date,
    ranking, yes/no), a base withheld, weighted and not, hidden or not."""
    seeded = request.getfixturevalue("mobility")
    heavy = request.getfixturevalue("tiny_heavy_group")
    seen = set()
    for survey in (published.survey, seeded, heavy):
        for weighted in (True, False):
            results = compute_results(survey=survey, breakdown=breakdown, weighted=weighted)
            for q in _questions(results):
                for hidden in (False, True):
                    q.is_hidden = hidden
                    built = not hidden and charts.question_chart(q) is not None
                    assert has_chart(q) is built, (survey.slug, q.code, hidden)
                    seen.add((q.kind, built))
    kinds = {kind for kind, _built in seen}
    assert {"single", "multiple", "matrix", "scale", "long_text", "number", "ranking"} <= kinds
    assert {built for _kind, built in seen} == {True, False}


def test_the_results_page_builds_no_chart_and_links_exactly_the_charts(
    client, published, monkeypatch
):
    built = []
    real = charts.question_chart

    def counting(result, **kwargs):
        built.append(result.code)
        return real(result, **kwargs)

    monkeypatch.setattr(charts, "question_chart", counting)
    url = reverse("survey:results", args=[published.survey.slug])

    page = client.get(url).content.decode()

    assert built == []  # the page asked has_chart for every question, built nothing
    linked = {int(pk) for pk in re.findall(r"/ergebnisse/diagramme/(\d+)\.svg", page)}
    results = compute_results(survey=published.survey)
    expected = {q.id for q in _questions(results) if not q.is_hidden and real(q) is not None}
    assert linked == expected
    assert expected  # the control: some questions have charts
    assert len(expected) < len([q for q in _questions(results) if not q.is_hidden])
    # Every linked chart is there, every other question's is not.
    for q in _questions(results):
        status = client.get(reverse("survey:results_chart_svg", args=[published.survey.slug, q.id]))
        assert (status.status_code == 200) is (q.id in expected), q.code
    assert published.survey.status == SurveyStatus.PUBLISHED
