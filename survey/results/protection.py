"""Disclosure control applied to computed results: which groups of a breakdown get a column
of their own, and which figures of a question are withheld.

The cell suppression itself (which cells of a table must go so that none can be worked out
from the published sums) is ``survey.results.disclosure``; this module decides what the
tables are and marks the withheld figures in the results (README, "Geheimhaltung auf
Zellebene").
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext

from survey.kinds import kind_of
from survey.models import Channel, Question
from survey.results.dimensions import NO_ANSWER, OTHERS, TOTAL, Dimension
from survey.results.disclosure import Cell, suppressed_cells
from survey.results.shapes import Column, ItemResult, Mean, QuestionResult, Row


def min_group_size() -> int:
    """The default disclosure threshold; a publication can set its own."""
    return int(getattr(settings, "SURVEY_MIN_GROUP_SIZE", 5))


def breakdown_columns(dimension: Dimension, sizes: dict[str, int], total: int, threshold: int):
    """Columns of a breakdown: the total, every group large enough, and "others".

    Groups below the threshold (and people who did not answer the breakdown question) are
    merged into "others". If "others" itself stays below the threshold, the smallest shown
    groups join it until it is large enough, so no small group can be worked out by
    subtracting the shown groups from the total.
    """
    columns = [Column(TOTAL, gettext("All"), total)]
    column_of: dict[str, int] = {}
    if dimension is None:
        return columns, {TOTAL: 0}, [], False
    if isinstance(dimension, Question):
        groups = [(str(o.pk), o.label) for o in dimension.options.all()]
    else:
        groups = [(value, str(label)) for value, label in Channel.choices]
    groups.append((NO_ANSWER, gettext("no answer")))
    shown = [(k, label) for k, label in groups if k != NO_ANSWER and sizes.get(k, 0) >= threshold]
    rest = [(k, label) for k, label in groups if (k, label) not in shown and sizes.get(k, 0)]
    while shown and 0 < sum(sizes.get(k, 0) for k, _ in rest) < threshold:
        smallest = min(shown, key=lambda group: sizes.get(group[0], 0))
        shown.remove(smallest)
        rest.append(smallest)
    # Now "others" is empty or large enough, unless no group is left to show.
    if not shown or (len(shown) == 1 and not rest):
        # Nothing can be shown on its own, or one group is everyone: no breakdown at all.
        return columns, {TOTAL: 0}, [label for _, label in rest], bool(rest)
    for key, label in shown:
        column_of[key] = len(columns)
        columns.append(Column(key, label, sizes.get(key, 0)))
    if rest:
        for key, _ in rest:
            column_of[key] = len(columns)
        columns.append(Column(OTHERS, gettext("Others"), sum(sizes.get(k, 0) for k, _ in rest)))
    return columns, column_of, [label for _, label in rest], False


# --- Withheld figures of one question --------------------------------------------------------

# One table of a question: its owner (the question, or a matrix item), rows, means, bases.
Table = tuple[QuestionResult | ItemResult, list[Row], list[Mean], list[int]]


def protect(result: QuestionResult, threshold: int, sizes: list[int]) -> None:
    """Disclosure control of one question (see ``survey.results.disclosure``).

    No percentage and no mean on a base under the threshold, anywhere. In a breakdown every
    figure from which someone could learn a count from 1 to threshold - 1 of a group is
    withheld, and so is every figure from which one could be worked out. The published
    group sizes make two more counts of every group column public: the people who did not
    answer (group size − base) and, with several answers per person, those who did not
    choose an answer (base − count). They count as cells too, and so does "all but fewer
    than threshold members of the group gave this answer" (group size − count), which
    tells everyone's answer. A base that would give away a small "no answer" count is
    withheld together with the percentages of its column. If no pattern protects a table,
    the question is shown without breakdown.
    """
    tables = _tables(result)
    for _owner, rows, means, bases in tables:
        _protect_small_bases(rows, means, bases, threshold)
    _hide_summary_of_withheld_mean(result)
    if not result.crossed:
        return
    groups = sizes[1:]
    any_hidden = [False] * len(groups)
    for owner, rows, means, bases in tables:
        found = _withheld_cells(kind_of(result).answers_add_up, rows, bases, groups, threshold)
        if found is None:
            result.crossed = False
            return
        withheld, hidden_bases = found
        _mark_withheld(owner, rows, means, bases, withheld, hidden_bases, threshold)
        for c in hidden_bases:
            any_hidden[c] = True
    if result.items:
        # "Answered (n)" of a matrix is its largest item base: withheld wherever one is.
        result.bases_withheld = [False, *any_hidden]


def _tables(result: QuestionResult) -> list[Table]:
    """The tables of a question: one per matrix item, else the question's own (its answers,
    or for free texts its themes)."""
    if result.items:
        return [(item, item.rows, item.means, item.bases) for item in result.items]
    return [(result, result.rows or result.themes, result.means, result.bases)]


def _protect_small_bases(rows: list[Row], means: list[Mean], bases: list[int], threshold: int):
    """No percentage on a base under the threshold; no mean of everyone on one either."""
    for row in rows:
        for cell in row.cells:
            cell.min_base = threshold
    if means and bases[0] < threshold and means[0].value is not None:
        means[0].value, means[0].suppressed = None, True


def _hide_summary_of_withheld_mean(result: QuestionResult) -> None:
    """The one-line summary (also shown on topic pages) never quotes a withheld mean."""
    kind = kind_of(result)
    if kind.has_mean and result.means and result.means[0].suppressed:
        result.summary = ""
    if kind.results_per_item and any(item.means[0].suppressed for item in result.items):
        result.summary = ""


def _sensitive(count: int, group: int, base: int | None, threshold: int) -> bool:
    """A small count, nearly the whole group, or (several answers per person) nearly all
    who answered: base − count did not choose the answer."""
    return (
        0 < count < threshold
        or (count > 0 and group - count < threshold)
        or (base is not None and 0 < base - count < threshold)
    )


def _withhold(
    table: list[list[int]],
    groups: list[int],
    threshold: int,
    *,
    add_up: bool,
    bases: list[int | None] | None = None,
) -> set[Cell] | None:
    """The cells of ``table`` (a column per group) to withhold, primary and secondary; None
    when no pattern protects them. ``bases``: per column, the published base to check
    "not chosen"."""
    primary = {
        (r, c)
        for r, line in enumerate(table)
        for c, count in enumerate(line)
        if _sensitive(count, groups[c], bases[c] if bases else None, threshold)
    }
    return suppressed_cells(table, threshold=threshold, columns_add_up=add_up, sensitive=primary)


def _withheld_cells(
    add_up: bool, rows: list[Row], bases: list[int], groups: list[int], threshold: int
) -> tuple[set[Cell], set[int]] | None:
    """The withheld cells of a table (row, group column) and the group columns whose base
    is withheld; None when no pattern protects the table. ``add_up``: one answer per
    person (the kind's ``answers_add_up``), so a group's answers add up to its base."""
    counts = [[cell.count for cell in row.cells[1:]] for row in rows]
    no_answer = [groups[c] - bases[c + 1] for c in range(len(groups))]
    if add_up:
        # The "no answer" row joins the table: its rows and columns (the group sizes) then
        # all add up to published totals.
        withheld = _withhold([*counts, no_answer], groups, threshold, add_up=True)
        if withheld is None:
            return None
        hidden_bases = {c for r, c in withheld if r == len(rows)}
        return {(r, c) for r, c in withheld if r < len(rows)}, hidden_bases
    # Several answers per person. The bases first: the "no answer" counts add up to that of
    # the total.
    hidden = _withhold([no_answer], groups, threshold, add_up=False)
    if hidden is None:
        return None
    hidden_bases = {c for _r, c in hidden}
    shown = [None if c in hidden_bases else n for c, n in enumerate(bases[1:])]
    withheld = _withhold(counts, groups, threshold, add_up=False, bases=shown)
    if withheld is None:
        return None
    return withheld, hidden_bases


def _mark_withheld(
    owner: QuestionResult | ItemResult,
    rows: list[Row],
    means: list[Mean],
    bases: list[int],
    withheld: set[Cell],
    hidden_bases: set[int],
    threshold: int,
) -> None:
    """Mark the withheld counts, bases (with their percentages) and the group means that
    a withheld figure would give away."""
    for r, c in withheld:
        rows[r].cells[c + 1].suppressed = True
    for c in hidden_bases:
        for row in rows:
            row.cells[c + 1].base_withheld = True
    owner.bases_withheld = [False] + [c in hidden_bases for c in range(len(bases) - 1)]
    withheld_columns = {c for _r, c in withheld}
    for c, mean in enumerate(means[1:], start=1):
        if bases[c] < threshold or c - 1 in hidden_bases or c - 1 in withheld_columns:
            mean.value, mean.suppressed = None, True
            mean.n_withheld = c - 1 in hidden_bases
