"""The diverging bar of a scale (``survey.results.significance.diverging``) and the
interval whisker of a mean, computed by hand."""

from decimal import Decimal

from survey.results.shapes import Cell, Mean, Row
from survey.results.significance import diverging


def _rows(counts):
    base = sum(counts)
    return [Row(str(v), [Cell(n, base)], value=v) for v, n in enumerate(counts, start=1)]


def test_diverging_bar_hand_computed():
    """1–5 with 10, 20, 40, 20, 10 of 100: the middle (40 %) spans 80 … 120 on the 0 … 200
    axis, 2 ends at 80 (60 … 80), 1 further left (50 … 60); 4 from 120 to 140, 5 to 150."""
    segments = diverging(_rows([10, 20, 40, 20, 10]), 1, 5)
    assert [(s.label, s.x, s.width, s.tone) for s in segments] == [
        ("2", "60.0", "20.0", "neg1"),
        ("1", "50.0", "10.0", "neg2"),
        ("3", "80.0", "40.0", "mid"),
        ("4", "120.0", "20.0", "pos1"),
        ("5", "140.0", "10.0", "pos2"),
    ]


def test_even_scale_has_no_middle_and_withheld_shares_no_bar():
    segments = diverging(_rows([25, 25, 25, 25]), 1, 4)
    assert [(s.x, s.width) for s in segments] == [
        ("75.0", "25.0"),
        ("50.0", "25.0"),
        ("100.0", "25.0"),
        ("125.0", "25.0"),
    ]
    rows = _rows([3, 2, 10, 10, 10])
    rows[0].cells[0].suppressed = True
    assert diverging(rows, 1, 5) == []


def test_mean_whisker_on_the_scale():
    mean = Mean(Decimal("3.0"), 100, 1, 5, low_ci=Decimal("2.8"), high_ci=Decimal("3.2"))
    assert mean.margin == Decimal("0.2")
    assert mean.whisker == ("45.0", "55.0")
    assert Mean(None, 0, 1, 5).whisker is None
