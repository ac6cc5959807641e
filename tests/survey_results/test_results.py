"""The computed results against the hand-counted survey in conftest.py."""

from decimal import Decimal

import pytest

from survey.results.caching import survey_results_invalidate
from survey.results.compute import compute_results
from survey.results.selectors import survey_results

pytestmark = pytest.mark.django_db


def _cells(row):
    return [cell.count for cell in row.cells]


def test_participation_by_channel_and_municipality(counted):
    results = compute_results(survey=counted.survey)

    assert results.total == 12
    assert [(row.label, row.count) for row in results.by_channel] == [
        ("Online", 8),
        ("Papier", 4),
    ]
    rows = {row.label: row for row in results.by_municipality}
    assert [(label, row.count) for label, row in rows.items()] == [
        ("Ahausen", 6),
        ("Bedorf", 4),
        ("Cestadt", 1),
        ("Dewitz", 1),
    ]
    assert rows["Ahausen"].per_thousand == Decimal("6.0")
    assert rows["Bedorf"].per_thousand == Decimal("2.0")
    assert rows["Ahausen"].percent == Decimal("50.0")


def test_multiple_choice_counts_each_option_with_other_against_respondents(counted):
    q = compute_results(survey=counted.survey).question(counted.f3.pk)

    assert q.base == 10  # r5 and r11 did not answer
    assert [(row.label, row.cells[0].count) for row in q.rows] == [
        ("Radwege", 6),
        ("Bus", 4),
        ("Internet", 3),
        ("anderes", 2),
    ]
    assert [row.cells[0].percent for row in q.rows] == [60.0, 40.0, 30.0, 20.0]
    assert q.rows[3].is_other
    assert q.summary == "Am häufigsten genannt: „Radwege“ (60,0 %)."


def test_matrix_distribution_and_mean_per_item(counted):
    q = compute_results(survey=counted.survey).question(counted.f4.pk)

    streets, schools = q.items
    assert streets.bases == [3]
    assert [row.cells[0].count for row in streets.rows] == [0, 0, 0, 2, 1]
    # No mean over fewer than 5 people (13 / 3 would be 4,3), nor a summary quoting one.
    assert streets.means[0].value is None
    assert streets.means[0].suppressed
    assert schools.means[0].value is None
    assert schools.means[0].n == 2
    assert streets.rows[0].label == "1 – schlecht"
    assert q.summary == ""


def test_scale_number_and_text_results(counted):
    results = compute_results(survey=counted.survey)
    scale = results.question(counted.f5.pk)
    number = results.question(counted.f7.pk)
    text = results.question(counted.f6.pk)

    assert scale.base == 4
    assert [row.cells[0].count for row in scale.rows] == [1, 2, 0, 0, 1]
    # Means over 4 and 3 people are withheld: with the smallest and largest answer, the
    # mean of three (40) gives away the third person's answer.
    assert scale.means[0].value is None
    assert number.means[0].value is None
    assert number.summary == ""
    # Each of 30 and 50 is one person's answer: not published as smallest or largest.
    assert (number.minimum, number.maximum) == (None, None)
    assert text.base == 3
    assert text.coded == [2]
    assert [(row.label, row.cells[0].count) for row in text.themes] == [
        ("Verkehr", 2),
        ("Kultur", 1),
    ]


def test_breakdown_merges_small_groups_into_others(counted):
    # Ahausen 6 stays; Bedorf 4, Cestadt 1 and Dewitz 1 are below 5 and merged (6).
    results = compute_results(survey=counted.survey, breakdown="F1")

    assert [(c.label, c.n) for c in results.columns] == [
        ("Alle", 12),
        ("Ahausen", 6),
        ("Weitere", 6),
    ]
    assert sorted(results.merged_groups) == ["Bedorf", "Cestadt", "Dewitz"]
    q = results.question(counted.f3.pk)
    assert q.bases == [10, 5, 5]
    # Radwege: r1 r2 r4 r6 in Ahausen, r8 r12 elsewhere.
    assert _cells(q.rows[0]) == [6, 4, 2]
    # 4 of Ahausen's 5 and 2 of the others' are counts under 5: withheld (the row total 6
    # is published, so both go), and no percentage either.
    assert [cell.suppressed for cell in q.rows[0].cells] == [False, True, True]
    assert q.rows[0].cells[1].percent is None
    assert results.question(counted.f6.pk).themes[0].cells[1].count == 2


def test_breakdown_with_lower_threshold_shows_more_groups(counted, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 2
    results = compute_results(survey=counted.survey, breakdown="F1")

    assert [c.label for c in results.columns] == ["Alle", "Ahausen", "Bedorf", "Weitere"]
    assert [c.n for c in results.columns] == [12, 6, 4, 2]


def test_a_single_small_remainder_pulls_the_smallest_group_in(counted, settings):
    # Cestadt + Dewitz = 2 < 3, so Bedorf (4) joins them; nobody can be subtracted out.
    settings.SURVEY_MIN_GROUP_SIZE = 3
    results = compute_results(survey=counted.survey, breakdown="F1")

    assert [(c.label, c.n) for c in results.columns] == [
        ("Alle", 12),
        ("Ahausen", 6),
        ("Weitere", 6),
    ]


def test_breakdown_is_suppressed_when_no_group_is_large_enough(counted, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 7
    results = compute_results(survey=counted.survey, breakdown="F1")

    assert not results.has_breakdown
    assert results.suppressed


def test_breakdown_by_channel(counted, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 4
    results = compute_results(survey=counted.survey, breakdown="kanal")

    assert [(c.label, c.n) for c in results.columns] == [
        ("Alle", 12),
        ("Online", 8),
        ("Papier", 4),
    ]
    assert _cells(results.question(counted.f3.pk).rows[0]) == [6, 5, 1]


def test_unknown_breakdown_is_ignored(counted):
    results = compute_results(survey=counted.survey, breakdown="F3")  # not a breakdown

    assert results.breakdown is None
    assert len(results.columns) == 1


def test_cached_results_are_invalidated(counted, django_assert_num_queries):
    survey_results(survey=counted.survey)
    with django_assert_num_queries(1):  # the survey's results version, read from the database
        survey_results(survey=counted.survey)

    survey_results_invalidate(counted.survey.pk)

    assert survey_results(survey=counted.survey).total == 12
    with django_assert_num_queries(1):
        survey_results(survey=counted.survey)
