"""The result of one question, from the counts of a computation: one builder per question
kind (bases, rows, items, means, themes and the one-line summary), before disclosure
control."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext, ngettext

from survey.models import Question, QuestionKind
from survey.results.shapes import Cell, ItemResult, Mean, QuestionResult, Row, round_half_up


def _number(value, digits: int = 1) -> str:
    return formats.number_format(value, digits, use_l10n=True)


@dataclass
class Counts:
    """The counts of one computation, spread onto the columns of its breakdown (column 0 is
    everyone)."""

    ncols: int
    # (column, question, option, item, number) → answer rows
    answers: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))
    # (column, question, None) → people who answered a multiple-choice question
    respondents: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))
    # (column, theme) → answers coded with the theme
    themes: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))
    # (column, question) → coded answers of a free-text question
    coded: dict[tuple, int] = field(default_factory=lambda: defaultdict(int))


def question_result(question: Question, counts: Counts, threshold: int) -> QuestionResult:
    """The result of one question, before disclosure control: its bases per column, and
    rows, items, means, themes and summary as its kind has them."""
    result = QuestionResult(
        id=question.pk,
        code=question.code,
        text=question.text,
        kind=question.kind,
        section_id=question.section_id,
        is_hidden=False,
        bases=[0] * counts.ncols,
        scale_min_label=question.scale_min_label,
        scale_max_label=question.scale_max_label,
    )
    if question.is_choice:
        _choice_result(result, question, counts, threshold)
    elif question.kind == QuestionKind.SCALE:
        _scale_result(result, question, counts)
    elif question.kind == QuestionKind.MATRIX:
        _matrix_result(result, question, counts)
    elif question.kind == QuestionKind.NUMBER:
        _number_result(result, question, counts, threshold)
    else:
        _text_result(result, question, counts)
    return result


def _choice_result(
    result: QuestionResult, question: Question, counts: Counts, threshold: int
) -> None:
    qid, cols = question.pk, range(counts.ncols)
    options = list(question.options.all())
    if question.kind == QuestionKind.MULTIPLE:
        result.bases = [counts.respondents.get((c, qid, None), 0) for c in cols]
    else:
        result.bases = [
            sum(counts.answers.get((c, qid, o.pk, None, None), 0) for o in options) for c in cols
        ]
    result.rows = [
        Row(
            option.label,
            [
                Cell(counts.answers.get((c, qid, option.pk, None, None), 0), result.bases[c])
                for c in cols
            ],
            is_other=option.is_other,
        )
        for option in options
    ]
    if result.rows and result.base >= threshold:
        top = max(result.rows, key=lambda row: row.cells[0].count)
        result.summary = gettext("Most frequent answer: “%(label)s” (%(percent)s %%).") % {
            "label": top.label,
            "percent": _number(top.cells[0].percent),
        }


def _scale_result(result: QuestionResult, question: Question, counts: Counts) -> None:
    qid, cols = question.pk, range(counts.ncols)
    values = question.scale_values
    result.bases = [
        sum(counts.answers.get((c, qid, None, None, v), 0) for v in values) for c in cols
    ]
    result.rows = [
        Row(
            str(v),
            [Cell(counts.answers.get((c, qid, None, None, v), 0), result.bases[c]) for c in cols],
            value=v,
        )
        for v in values
    ]
    result.rows[0].label = _scale_label(values[0], question.scale_min_label)
    result.rows[-1].label = _scale_label(values[-1], question.scale_max_label)
    result.means = [_mean(counts.answers, (c, qid, None), values) for c in cols]
    result.summary = _scale_summary(question, result.means[0])


def _matrix_result(result: QuestionResult, question: Question, counts: Counts) -> None:
    qid, cols = question.pk, range(counts.ncols)
    values = question.scale_values
    for item in question.items.all():
        bases = [
            sum(counts.answers.get((c, qid, None, item.pk, v), 0) for v in values) for c in cols
        ]
        result.items.append(
            ItemResult(
                item.label,
                bases,
                [
                    Row(
                        _scale_label(v, _end_label(question, v)),
                        [
                            Cell(counts.answers.get((c, qid, None, item.pk, v), 0), bases[c])
                            for c in cols
                        ],
                        value=v,
                    )
                    for v in values
                ],
                [_mean(counts.answers, (c, qid, item.pk), values) for c in cols],
            )
        )
    result.bases = [max((i.bases[c] for i in result.items), default=0) for c in cols]
    rated = [item for item in result.items if item.means[0].value is not None]
    if rated:
        best = max(rated, key=lambda item: item.means[0].value)
        result.summary = gettext(
            "Rated highest: “%(label)s” (mean %(mean)s on a scale from %(low)s to %(high)s)."
        ) % {
            "label": best.label,
            "mean": _number(best.means[0].value),
            "low": question.scale_min,
            "high": question.scale_max,
        }


def _number_result(
    result: QuestionResult, question: Question, counts: Counts, threshold: int
) -> None:
    qid, cols = question.pk, range(counts.ncols)
    numbers = {
        key[4]: n
        for key, n in counts.answers.items()
        if key[1] == qid and key[0] == 0 and key[4] is not None
    }
    values = sorted(numbers)
    result.bases = [
        sum(n for key, n in counts.answers.items() if key[0] == c and key[1] == qid) for c in cols
    ]
    result.means = [_mean(counts.answers, (c, qid, None), values) for c in cols]
    if not values:
        return
    # The smallest and the largest answer are one person's answer each (the oldest
    # resident, the largest household): published only when at least threshold people
    # gave it.
    if numbers[values[0]] >= threshold:
        result.minimum = values[0]
    if numbers[values[-1]] >= threshold:
        result.maximum = values[-1]
    figures = {
        "mean": _number(result.means[0].value),
        "minimum": result.minimum,
        "maximum": result.maximum,
    }
    if result.minimum is not None and result.maximum is not None:
        result.summary = gettext("On average %(mean)s (from %(minimum)s to %(maximum)s).") % figures
    else:
        result.summary = gettext("On average %(mean)s.") % figures


def _text_result(result: QuestionResult, question: Question, counts: Counts) -> None:
    qid, cols = question.pk, range(counts.ncols)
    result.bases = [counts.answers.get((c, qid, None, None, None), 0) for c in cols]
    result.coded = [counts.coded.get((c, qid), 0) for c in cols]
    result.themes = [
        Row(
            theme.label,
            [Cell(counts.themes.get((c, theme.pk), 0), result.bases[c]) for c in cols],
        )
        for theme in question.themes.all()
    ]
    result.themes.sort(key=lambda row: -row.cells[0].count)
    result.quotes = [quote.text for quote in question.quotes.all()]
    if result.themes and result.themes[0].cells[0].count:
        top = result.themes[0]
        result.summary = ngettext(
            "Mentioned most often: “%(label)s” (%(count)s mention).",
            "Mentioned most often: “%(label)s” (%(count)s mentions).",
            top.cells[0].count,
        ) % {"label": top.label, "count": top.cells[0].count}


def _scale_label(value: int, label: str) -> str:
    return f"{value} – {label}" if label else str(value)


def _end_label(question, value: int) -> str:
    if value == question.scale_min:
        return question.scale_min_label
    if value == question.scale_max:
        return question.scale_max_label
    return ""


def _mean(counts, prefix: tuple, values) -> Mean:
    col, qid, item = prefix
    n = 0
    weighted = 0
    for v in values:
        count = counts.get((col, qid, None, item, v), 0)
        n += count
        weighted += count * v
    low, high = (values[0], values[-1]) if values else (0, 0)
    return Mean(round_half_up(weighted, n), n, low, high)


def _scale_summary(question, mean: Mean) -> str:
    if mean.value is None:
        return ""
    return gettext("Mean %(mean)s on a scale from %(low)s to %(high)s.") % {
        "mean": _number(mean.value),
        "low": _scale_label(question.scale_min, question.scale_min_label),
        "high": _scale_label(question.scale_max, question.scale_max_label),
    }
