"""Weighted figures, intervals, tests and diverging bars added to computed results.

Called by ``compute_results`` after disclosure control (``protect``), so everything here
respects what is withheld: a withheld percentage has no interval, a table with a withheld
figure gets no test (its statistic would depend on the withheld cells), and the marks of a
test are put on published cells only. The residual of a cell depends only on that cell and
the published row and column totals, so a mark gives nothing away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext

from survey.kinds import kind_of
from survey.kinds.base import number_text
from survey.models import Question
from survey.results.shapes import (
    Cell,
    Column,
    Mean,
    QuestionResult,
    Row,
    Segment,
    TestSummary,
    half_up,
)
from survey.results.statistics import chi_square_test, mean_interval, normal_quantile

# --- Weighted figures -----------------------------------------------------------------------


def _theme_rows(result: QuestionResult, weighted: QuestionResult) -> list[Row | None]:
    """The weighted theme rows in the order of the unweighted ones (both are sorted by
    their own counts)."""
    by_label = {row.label: row for row in weighted.themes}
    return [by_label.get(row.label) for row in result.themes]


def _merge_rows(rows: list[Row], weighted: Iterable[Row | None]) -> None:
    for row, other in zip(rows, weighted, strict=True):
        if other is None:
            continue
        for cell, weighted_cell in zip(row.cells, other.cells, strict=True):
            cell.weighted_count = float(weighted_cell.count)
            cell.weighted_base = float(weighted_cell.base)


def _merge_means(means: list[Mean], weighted: list[Mean]) -> None:
    for mean, other in zip(means, weighted, strict=True):
        if mean.value is not None:
            mean.value = other.value


def merge_weighted(result: QuestionResult, weighted: QuestionResult) -> None:
    """Put the weighted percentages and means of ``weighted`` (the same question computed
    from weighted counts) into ``result``; counts and bases stay unweighted. The one-line
    summary quotes the weighted figures where it quotes a percentage or a mean."""
    _merge_rows(result.rows, weighted.rows)
    _merge_rows(result.themes, _theme_rows(result, weighted))
    for item, other in zip(result.items, weighted.items, strict=True):
        _merge_rows(item.rows, other.rows)
        _merge_means(item.means, other.means)
    _merge_means(result.means, weighted.means)
    kind = kind_of(result)
    if not result.summary or kind.is_free_text or kind.value == "date":
        return  # counts and months: nothing weighted to quote
    if kind.value == "number":
        figures = {
            "mean": number_text(result.means[0].value),
            "minimum": result.minimum,
            "maximum": result.maximum,
        }
        if result.minimum is not None and result.maximum is not None:
            text = gettext("On average %(mean)s (from %(minimum)s to %(maximum)s).")
        else:
            text = gettext("On average %(mean)s.")
        result.summary = text % figures
    elif weighted.summary:
        result.summary = weighted.summary


# --- Intervals ------------------------------------------------------------------------------


def _effective_sizes(rows: list[Row], design_effects: list[float]) -> None:
    for row in rows:
        for c, cell in enumerate(row.cells):
            cell.n_effective = cell.base / design_effects[c]


def _mean_intervals(
    means: list[Mean],
    counts: Mapping[tuple, float],
    key: tuple[int, int | None, int | None],
    design_effects: list[float],
) -> None:
    """The interval of each column's mean from the counted values: ``key`` is (question,
    option, item); counts are weighted when the results are."""
    question_id, option_id, item_id = key
    for c, mean in enumerate(means):
        if mean.value is None or mean.suppressed:
            continue
        values = [
            (k[4], n)
            for k, n in counts.items()
            if k[0] == c and k[1] == question_id and k[2] == option_id and k[3] == item_id
            if k[4] is not None and n
        ]
        found = mean_interval(
            [v for v, _n in values], [n for _v, n in values], mean.n / design_effects[c]
        )
        if found is not None:
            mean.low_ci, mean.high_ci = half_up(found[1]), half_up(found[2])


def add_intervals(
    result: QuestionResult,
    question: Question,
    counts: Mapping[tuple, float],
    design_effects: list[float],
) -> None:
    """Give every share its effective sample size (the interval is a property of the cell)
    and every mean its interval."""
    for rows in (result.rows, result.themes, *(item.rows for item in result.items)):
        _effective_sizes(rows, design_effects)
    kind = kind_of(question)
    if kind.value == "ranking":
        for item, option in zip(result.items, question.options.all(), strict=True):
            _mean_intervals(item.means, counts, (question.pk, option.pk, None), design_effects)
    elif kind.has_items:
        for item, matrix_item in zip(result.items, question.items.all(), strict=True):
            _mean_intervals(item.means, counts, (question.pk, None, matrix_item.pk), design_effects)
    elif kind.is_numeric:
        _mean_intervals(result.means, counts, (question.pk, None, None), design_effects)


# --- Tests ----------------------------------------------------------------------------------


def _testable(result: QuestionResult) -> bool:
    """A cross table of one answer per person, with every figure published."""
    kind = kind_of(result)
    if not (result.crossed and kind.answers_add_up and result.rows and not result.items):
        return False
    if any(result.bases_withheld):
        return False
    return not any(cell.percent_withheld for row in result.rows for cell in row.cells)


def _observed(cell: Cell) -> float:
    """The cell as a count for the test: weighted shares scaled to the unweighted base."""
    return (cell.share or 0.0) * cell.base if cell.weighted_base is not None else cell.count


def _answer_tests(rows: list[Row], shown: list[int], deff: float) -> list[tuple]:
    """(row, test) of every answer whose figures in the ``shown`` groups are published."""
    tests = []
    for row in rows:
        cells = [row.cells[c] for c in shown]
        if any(cell.percent_withheld for cell in cells):
            continue
        chosen = [_observed(cell) for cell in cells]
        table = [chosen, [cell.base - n for cell, n in zip(cells, chosen, strict=True)]]
        test = chi_square_test(table, design_effect=deff)
        if test is not None:
            tests.append((row, test))
    return tests


def _compare_each_answer(result: QuestionResult, columns: list[Column], deff: float) -> None:
    """Several answers per person: each answer is its own table (chose it / did not, per
    group), tested on its own; a Bonferroni correction over the answers for the question
    and over all cells for the marks. Answers with a withheld figure are left out."""
    withheld = result.bases_withheld or [False] * len(columns)
    # Groups whose base is withheld are left out (their figures are not published).
    shown = [c for c in range(1, len(columns)) if not withheld[c]]
    if not result.crossed or len(shown) < 2:
        return
    tests = _answer_tests(result.rows, shown, deff)
    if not tests:
        return
    critical = normal_quantile(1 - 0.05 / (2 * len(tests) * len(shown)))
    _row, best = min(tests, key=lambda pair: pair[1].p_value)
    adjusted = min(1.0, best.p_value * len(tests))
    result.test = TestSummary(best.statistic, best.df, adjusted, deff)
    if adjusted >= 0.05:
        return
    for row, test in tests:
        if test.p_value * len(tests) >= 0.05:
            continue
        for i, c in enumerate(shown):
            value = test.residuals[0][i]
            if abs(value) >= critical:
                row.cells[c].marked = 1 if value > 0 else -1
                result.findings.append(_finding(row, row.cells[c], columns[c].label))


def compare_groups(result: QuestionResult, columns: list[Column], design_effect: float) -> None:
    """Whether the groups of a cross table differ by more than chance: Pearson's chi-square
    test (on weighted shares with the Rao-Scott correction by Kish's design effect), and
    per cell the adjusted residual with a Bonferroni correction for all cells; marked
    cells are said in words."""
    if kind_of(result).counts_respondents:
        _compare_each_answer(result, columns, design_effect)
        return
    if not _testable(result):
        return
    table = [[_observed(cell) for cell in row.cells[1:]] for row in result.rows]
    test = chi_square_test(table, design_effect=design_effect)
    if test is None:
        return
    result.test = TestSummary(test.statistic, test.df, test.p_value, test.design_effect)
    for r, row in enumerate(result.rows):
        for c, cell in enumerate(row.cells[1:]):
            cell.marked = test.marked(r, c)
            if cell.marked:
                result.findings.append(_finding(row, cell, columns[c + 1].label))


def _finding(row: Row, cell: Cell, group: str) -> str:
    figures = {
        "group": group,
        "answer": row.label,
        "percent": number_text(cell.percent),
        "average": number_text(row.cells[0].percent),
    }
    if cell.marked > 0:
        text = gettext(
            "%(group)s: “%(answer)s” clearly more often than on average "
            "(%(percent)s %% against %(average)s %%)."
        )
    else:
        text = gettext(
            "%(group)s: “%(answer)s” clearly less often than on average "
            "(%(percent)s %% against %(average)s %%)."
        )
    return text % figures


# --- Diverging bars -------------------------------------------------------------------------


def _tone(value: int, middle: Decimal, step: Decimal) -> str:
    if value == middle:
        return "mid"
    side = "neg" if value < middle else "pos"
    return f"{side}{2 if abs(value - middle) > step else 1}"


def diverging(rows: list[Row], low: int, high: int) -> list[Segment]:
    """The segments of a diverging stacked bar of a scale's answers (column 0): answers
    below the middle of the scale to the left of the centre line, above it to the right,
    the middle answer split across it. Empty when a share is withheld."""
    cells = [row.cells[0] for row in rows]
    if not rows or any(cell.percent is None for cell in cells):
        return []
    middle = Decimal(low + high) / 2
    step = Decimal(high - low) / 4
    neutral = sum(
        (c.percent for r, c in zip(rows, cells, strict=True) if r.value == middle), Decimal(0)
    )
    segments = []
    left = Decimal(100) - neutral / 2
    for row, cell in sorted(
        ((r, c) for r, c in zip(rows, cells, strict=True) if r.value < middle),
        key=lambda pair: -pair[0].value,
    ):
        left -= cell.percent
        segments.append(_segment(row, cell, left, middle, step))
    for row, cell in zip(rows, cells, strict=True):
        if row.value == middle:
            segments.append(_segment(row, cell, Decimal(100) - neutral / 2, middle, step))
    right = Decimal(100) + neutral / 2
    for row, cell in ((r, c) for r, c in zip(rows, cells, strict=True) if r.value > middle):
        segments.append(_segment(row, cell, right, middle, step))
        right += cell.percent
    return segments


def _segment(row: Row, cell: Cell, x: Decimal, middle: Decimal, step: Decimal) -> Segment:
    x = min(max(x, Decimal(0)), Decimal(200))
    width = min(cell.percent, Decimal(200) - x)
    return Segment(
        row.label, cell.percent, f"{x:.1f}", f"{width:.1f}", _tone(row.value, middle, step)
    )


def add_diverging(result: QuestionResult, question: Question) -> None:
    """Diverging bars for a scale and for every item of a matrix."""
    if not kind_of(question).uses_scale:
        return
    low, high = question.scale_min, question.scale_max
    if result.items:
        for item in result.items:
            item.diverging = diverging(item.rows, low, high)
    else:
        result.diverging = diverging(result.rows, low, high)
