"""The statistics behind weighted results, intervals and tests, against examples computed by
hand or published in textbooks (``survey.results.statistics``)."""

import math

import numpy as np
import pytest

from survey.results.statistics import (
    MISSING,
    chi2_sf,
    chi_square_test,
    effective_size,
    kish_design_effect,
    mean_interval,
    normal_quantile,
    rake,
    wilson,
)

# Cells: municipality A/B × age young/old.
CLASSES = [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_rake_one_sweep_hand_computed():
    """A sample in which municipality and age are independent: raking ends after one sweep.
    By hand: A 40 → 60 (factor 1.5), B 60 → 40 (2/3); then young 25 → 50 (2), old 75 → 50
    (2/3): weights 3, 1, 4/3, 4/9."""
    counts = [10, 30, 15, 45]
    weights = rake(CLASSES, counts, [np.array([60, 40]), np.array([50, 50])])
    assert np.round(weights, 3).tolist() == [3.0, 1.0, 1.333, 0.444]
    # The margins are met: A 60 %, young 50 %.
    weighted = weights * counts
    assert round((weighted[0] + weighted[1]) / weighted.sum(), 3) == 0.6
    assert round((weighted[0] + weighted[2]) / weighted.sum(), 3) == 0.5
    # A question: yes per cell 5, 10, 5, 30 → unweighted 50 %, weighted 45 %.
    yes = np.array([5, 10, 5, 30])
    assert round(float((weights * yes).sum() / weighted.sum()), 3) == 0.45
    # Kish: n Σw²/(Σw)² = 100 · 155.556 / 100² = 1.556, effective n = 64.286.
    deff = kish_design_effect(weights, counts)
    assert round(deff, 3) == 1.556
    assert round(effective_size(100, deff), 3) == 64.286


def test_rake_converges_to_the_table_with_the_sample_odds_ratio():
    """Raking keeps the odds ratio of the sample (here 20·50 / (20·10) = 5) and meets the
    margins. By hand: A-young x with x(10 + x) = 5(50 − x)(40 − x), i.e. x² − 115x + 2500 = 0,
    x = (115 − √3225) / 2 = 29.1055; weights x/20, (50 − x)/20, (40 − x)/10, (10 + x)/50."""
    counts = [20, 20, 10, 50]
    weights = rake(CLASSES, counts, [np.array([50, 50]), np.array([40, 60])])
    x = (115 - math.sqrt(3225)) / 2
    assert round(x, 4) == 29.1055
    assert np.round(weights, 3).tolist() == [1.455, 1.045, 1.089, 0.782]
    assert np.round(weights, 3).tolist() == [
        round(x / 20, 3),
        round((50 - x) / 20, 3),
        round((40 - x) / 10, 3),
        round((10 + x) / 50, 3),
    ]


def test_rake_trims_weights_to_the_range():
    counts = [10, 30, 15, 45]
    weights = rake(CLASSES, counts, [np.array([60, 40]), np.array([50, 50])], bounds=(0.5, 2.0))
    assert weights.min() >= 0.5 - 1e-12
    assert weights.max() <= 2.0 + 1e-12
    assert weights.max() == pytest.approx(2.0)


def test_missing_characteristic_is_left_out_of_that_margin():
    """Respondents without an age keep the weight the municipality gives them; the age
    targets are met among those who gave one."""
    classes = [[0, 0], [0, 1], [1, MISSING], [1, 1]]
    counts = [10, 10, 20, 20]
    weights = rake(classes, counts, [np.array([50, 50]), np.array([50, 50])])
    weighted = weights * counts
    assert round(weighted[0] / (weighted[0] + weighted[1] + weighted[3]), 3) == 0.5
    assert round((weighted[0] + weighted[1]) / weighted.sum(), 3) == 0.5
    # The municipality margin holds for everyone, with or without an age.
    assert round((weighted[2] + weighted[3]) / weighted.sum(), 3) == 0.5


def test_rake_without_targets_leaves_weights_at_one():
    weights = rake([[MISSING], [MISSING]], [3, 4], [np.array([1.0, 1.0])])
    assert weights.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        # Newcombe RG (1998): Two-sided confidence intervals for the single proportion:
        # comparison of seven methods. Statistics in Medicine 17, 857–872, table II
        # (method 3, the Wilson score interval without continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_against_newcombe(count, n, low, high):
    assert [round(v, 4) for v in wilson(count / n, n)] == [low, high]


def test_wilson_is_wider_on_a_smaller_effective_size():
    narrow = wilson(0.3, 400)
    wide = wilson(0.3, 400 / 1.5)
    assert wide[0] < narrow[0]
    assert wide[1] > narrow[1]
    assert wilson(0.5, 0) == (0.0, 1.0)


def test_mean_interval_hand_computed():
    """Values 1, 2, 2, 5: mean 2.5, sample variance 3, standard error √(3/4) = 0.866,
    interval 2.5 ± 1.96 · 0.866 = 0.803 … 4.197."""
    mean, low, high = mean_interval([1, 2, 5], [1, 2, 1], 4)
    assert (round(mean, 3), round(low, 3), round(high, 3)) == (2.5, 0.803, 4.197)
    assert mean_interval([3], [1], 1) is None


@pytest.mark.parametrize(
    ("statistic", "df", "p"),
    [
        # Critical values of the chi-square distribution (any table, e.g. Agresti 2007,
        # appendix table C.2 / NIST/SEMATECH e-Handbook 1.3.6.7.4).
        (3.841459, 1, 0.05),
        (5.991465, 2, 0.05),
        (11.070498, 5, 0.05),
        (23.209251, 10, 0.01),
        (0.454936, 1, 0.5),
        (0.0, 3, 1.0),
    ],
)
def test_chi2_sf_against_table_values(statistic, df, p):
    assert chi2_sf(statistic, df) == pytest.approx(p, abs=1e-6)


def test_normal_quantile():
    assert normal_quantile(0.975) == pytest.approx(1.959964, abs=1e-6)
    # Bonferroni for 6 cells at 5 %: 1 − 0.05/12.
    assert normal_quantile(1 - 0.05 / 12) == pytest.approx(2.638257, abs=1e-5)


def test_chi_square_against_agresti():
    """Agresti, A. (2007): An Introduction to Categorical Data Analysis, 2nd ed., Wiley,
    table 2.5 (party identification by gender, General Social Survey 2000): X² = 30.07 with
    df = 2, P < 0.001; table 2.6: adjusted residuals 4.50, 0.70, −5.32 for females."""
    # Rows: Democrat, Independent, Republican; columns: females, males.
    table = [[762, 484], [327, 239], [468, 477]]
    test = chi_square_test(table)
    assert round(test.statistic, 2) == 30.07
    assert test.df == 2
    assert test.p_value == pytest.approx(math.exp(-30.07 / 2), rel=1e-3)
    assert [round(row[0], 2) for row in test.residuals] == [4.50, 0.70, -5.32]
    assert [round(row[1], 2) for row in test.residuals] == [-4.50, -0.70, 5.32]
    # Bonferroni for 6 cells: |r| ≥ 2.638 → Democrats and Republicans marked.
    assert [test.marked(r, 0) for r in range(3)] == [1, 0, -1]


def test_chi_square_design_effect_divides_the_statistic():
    table = [[762, 484], [327, 239], [468, 477]]
    test = chi_square_test(table, design_effect=2.0)
    assert round(test.statistic, 3) == round(30.0701 / 2, 3)
    assert round(test.residuals[0][0], 2) == round(4.50 / math.sqrt(2), 2)


def test_chi_square_refuses_small_tables():
    assert chi_square_test([[1, 2], [3, 1]]) is None  # expected counts below 5
    assert chi_square_test([[10, 20]]) is None  # one row
    # An empty group is left out, its residuals are 0.
    test = chi_square_test([[30, 0, 10], [10, 0, 30]])
    assert test.df == 1
    assert test.residuals[0][1] == 0.0
