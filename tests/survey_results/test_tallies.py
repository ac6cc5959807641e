"""The results are counted from tallies kept in the database (``ResultTally``): counting
new responses into them, after deletions and after breakdown changes must give exactly
what counting every answer from scratch gives."""

import datetime

import pytest

from survey.models import Answer, Channel, Response, ResultTally, ResultTallyState
from survey.results.compute import compute_results
from survey.services import AnswerInput, response_submit

pytestmark = pytest.mark.django_db


def _figures(survey, breakdown=None):
    """Everything a results page shows, as plain numbers."""
    results = compute_results(survey=survey, breakdown=breakdown)
    figures = {
        "total": results.total,
        "columns": [(c.key, c.n) for c in results.columns],
        "channels": [(r.label, r.count) for r in results.by_channel],
        "municipalities": [(r.label, r.count) for r in results.by_municipality],
    }
    for section in results.sections:
        for q in section.questions:
            figures[q.code] = (
                q.bases,
                [[c.count for c in row.cells] for row in q.rows],
                [[[c.count for c in row.cells] for row in item.rows] for item in q.items],
                [m.value for m in q.means],
                [[c.count for c in row.cells] for row in q.themes],
            )
    return figures


def _from_scratch(survey, breakdown=None):
    """The figures with the tallies thrown away, so every answer is counted again."""
    ResultTally.objects.filter(survey=survey).delete()
    ResultTallyState.objects.filter(survey=survey).delete()
    Response.objects.filter(survey=survey).update(tallied=None)
    return _figures(survey, breakdown)


def _submit_paper(counted, sheet, place, choices):
    return response_submit(
        survey=counted.survey,
        channel=Channel.PAPER,
        sheet_number=sheet,
        today=datetime.date(2019, 8, 2),
        answers=[
            AnswerInput(question_id=counted.f1.pk, option_id=place.pk),
            *(AnswerInput(question_id=counted.f3.pk, option_id=o.pk) for o in choices),
            AnswerInput(question_id=counted.f5.pk, number=4),
        ],
    )


@pytest.mark.parametrize("breakdown", [None, "F1", "kanal"])
def test_responses_arriving_later_are_counted_like_from_scratch(counted, settings, breakdown):
    settings.SURVEY_MIN_GROUP_SIZE = 2
    _figures(counted.survey, breakdown)  # counts the 12 fixture responses
    bedorf = counted.f1.options.get(label="Bedorf")
    x, y = counted.f3.options.all()[:2]
    for sheet in range(200, 203):
        _submit_paper(counted, sheet, bedorf, [x, y])

    incremental = _figures(counted.survey, breakdown)

    assert incremental["total"] == 15
    assert incremental["F3"][1][0][0] == 6 + 3  # Radwege, all responses
    assert incremental == _from_scratch(counted.survey, breakdown)


def test_deleted_responses_are_no_longer_counted(counted):
    assert _figures(counted.survey)["total"] == 12
    counted.responses[0].delete()  # r1: Ahausen, online, chose Radwege and Bus

    figures = _figures(counted.survey, "F1")

    assert figures["total"] == 11
    assert figures["F3"][1][0][0] == 5  # Radwege 6 → 5
    assert figures["channels"] == [("Online", 7), ("Papier", 4)]
    assert figures == _from_scratch(counted.survey, "F1")


def test_a_new_breakdown_question_is_counted_for_every_response(counted, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 1
    counted.f1.is_breakdown = False
    counted.f1.save()
    assert compute_results(survey=counted.survey, breakdown="F1").breakdown is None

    counted.f1.is_breakdown = True
    counted.f1.save()
    results = compute_results(survey=counted.survey, breakdown="F1")

    assert [(c.label, c.n) for c in results.columns] == [
        ("Alle", 12),
        ("Ahausen", 6),
        ("Bedorf", 4),
        ("Cestadt", 1),
        ("Dewitz", 1),
    ]


def test_each_response_is_counted_once(counted):
    _figures(counted.survey)
    _figures(counted.survey, "F1")
    _figures(counted.survey, "kanal")

    state = ResultTallyState.objects.get(survey=counted.survey)
    assert state.responses == 12
    assert not Response.objects.filter(survey=counted.survey, tallied__isnull=True).exists()
    # All responses: one row with their number; each answer row counted once per breakdown.
    everyone = ResultTally.objects.get(survey=counted.survey, dimension="", question_pk=None)
    assert (everyone.group, everyone.n) == ("total", 12)
    answers = Answer.objects.filter(response__survey=counted.survey).count()
    for dimension in ["", "kanal", f"q{counted.f1.pk}"]:
        rows = ResultTally.objects.filter(
            survey=counted.survey, dimension=dimension, question_pk__isnull=False, respondents=False
        )
        assert sum(rows.values_list("n", flat=True)) == answers


def test_a_large_backlog_is_counted_in_runs(counted, monkeypatch):
    expected = _figures(counted.survey, "F1")
    monkeypatch.setattr("survey.results.tallies.TALLY_RUN", 5)

    in_runs = _from_scratch(counted.survey, "F1")  # 12 responses: runs of 5, 5 and 2

    assert in_runs == expected
    assert ResultTallyState.objects.get(survey=counted.survey).folds == 3
