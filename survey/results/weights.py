"""Weighted results: the weight of every response from the survey's weighting targets, and
the answers counted with those weights.

Weights come from raking (``survey.results.statistics.rake``) over the characteristics
that have targets (``WeightingTarget``: municipality, age group, gender …). Responses are
put into cells by their answers to those questions; every response of a cell has the same
weight, so the weighted counts are the counted answers per cell times the cell's weight,
counted by the database like the tallies, grouped by cell.

Disclosure control: the classes of a characteristic are exactly the columns its breakdown
publishes (``breakdown_columns``): a group with fewer responses than the threshold is not a
class of its own, and its members (like those who did not answer the question) are left out
of that margin. So every class has at least threshold members, and differencing weighted
against unweighted figures cannot single out a small group (README, "Gewichtung").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import Count, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import formats
from django.utils.translation import gettext

from survey.kinds import kind_of
from survey.models import Answer, AnswerTheme, Question, Response, Survey, WeightingTarget
from survey.results.dimensions import OTHERS, Dimension, group_key, grouped
from survey.results.protection import breakdown_columns
from survey.results.question_results import Counts
from survey.results.shapes import WeightingInfo
from survey.results.statistics import MISSING, kish_design_effect, rake


@dataclass
class Weights:
    """The weight of the responses of each cell (their answers to the margin questions)."""

    margins: list[Question]
    weight_of: dict[tuple, float]
    info: WeightingInfo


@dataclass
class WeightedCounts:
    """Answers counted with weights (``counts``) and with squared weights (for the design
    effect), and per column the design effect of its responses."""

    counts: Counts
    design_effects: list[float] = field(default_factory=list)


def _alias(index: int) -> str:
    return f"weighting_{index}"


def _with_cells(queryset: QuerySet, margins: list[Question], path: str) -> QuerySet:
    """Annotate the option each row's response chose in every margin question."""
    prefix = f"{path}__" if path else ""
    for index, question in enumerate(margins):
        queryset = queryset.annotate(
            **{
                _alias(index): FilteredRelation(
                    f"{prefix}answers", condition=Q(**{f"{prefix}answers__question": question})
                )
            }
        )
    return queryset


def _cell_fields(margins: list[Question]) -> list[str]:
    return [f"{_alias(index)}__option_id" for index in range(len(margins))]


def _cell(row: dict, margins: list[Question]) -> tuple:
    return tuple(group_key(row[name]) for name in _cell_fields(margins))


def _date_text(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _sources(targets: list[tuple]) -> list[str]:
    """One line per source with its reference dates: "Gemeindeprofil, Stand 31.12.2019 /
    31.12.2022"."""
    dates: dict[str, set] = defaultdict(set)
    for *_rest, source, as_of, _demo in targets:
        dates[source].add(as_of)
    return [
        f"{source}, {gettext('as of')} " + " / ".join(_date_text(d) for d in sorted(dates[source]))
        for source in sorted(dates)
    ]


TARGET_FIELDS = ("population", "source", "as_of", "is_demo")


def with_targets(options: QuerySet) -> QuerySet:
    """Options annotated with their weighting target (``target_population`` … or None), so
    that the results read the targets with the options they load anyway."""
    targets = WeightingTarget.objects.filter(option=OuterRef("pk"))
    return options.annotate(
        **{f"target_{name}": Subquery(targets.values(name)[:1]) for name in TARGET_FIELDS}
    )


def _targets(questions: list[Question]) -> list[tuple]:
    """(option id, question id, population, source, as of, demo) of every target; the
    options come from ``with_targets``."""
    return [
        (option.pk, question.pk, *(getattr(option, f"target_{n}") for n in TARGET_FIELDS))
        for question in questions
        for option in question.options.all()
        if getattr(option, "target_population", None) is not None
    ]


def survey_weights(*, survey: Survey, questions: list[Question], threshold: int) -> Weights | None:
    """The weights of the survey's responses, or None without targets (then without a
    query; else one). ``questions`` have their options loaded ``with_targets``."""
    targets = _targets(questions)
    if not targets:
        return None
    population = {str(option): people for option, _q, people, *_rest in targets}
    targeted = {question for _o, question, *_rest in targets}
    margins = [q for q in questions if q.pk in targeted and kind_of(q).can_break_down]
    if not margins:
        return None
    rows = list(
        _with_cells(Response.objects.filter(survey=survey), margins, "")
        .values(*_cell_fields(margins))
        .annotate(n=Count("id"))
        .order_by()
    )
    cells = [_cell(row, margins) for row in rows]
    counts = np.array([row["n"] for row in rows], dtype=float)
    total = int(counts.sum())
    classes = np.full((len(cells), len(margins)), MISSING, dtype=int)
    margin_targets, left_out = [], []
    for m, question in enumerate(margins):
        sizes: dict[str, int] = defaultdict(int)
        for cell, n in zip(cells, counts, strict=True):
            sizes[cell[m]] += int(n)
        columns, _column_of, _merged, _suppressed = breakdown_columns(
            question, sizes, total, threshold
        )
        own = [c for c in columns[1:] if c.key != OTHERS and c.key in population]
        index = {column.key: i for i, column in enumerate(own)}
        margin_targets.append(np.array([population[c.key] for c in own], dtype=float))
        for i, cell in enumerate(cells):
            classes[i, m] = index.get(cell[m], MISSING)
        left_out += [
            o.label
            for o in question.options.all()
            if str(o.pk) in population and str(o.pk) not in index
        ]
    bounds = (survey.weight_min, survey.weight_max)
    weights = (
        rake(classes, counts, margin_targets, bounds=(float(bounds[0]), float(bounds[1])))
        if total
        else np.ones(len(cells))
    )
    info = WeightingInfo(
        characteristics=[q.breakdown_label or q.text for q in margins],
        sources=_sources(targets),
        is_demo=any(is_demo for *_r, is_demo in targets),
        design_effect=kish_design_effect(weights, counts) if total else 1.0,
        n=total,
        bounds=(Decimal(bounds[0]), Decimal(bounds[1])),
        left_out=left_out,
    )
    return Weights(margins, dict(zip(cells, weights.tolist(), strict=True)), info)


def _columns_of(column_of: dict[str, int], group) -> tuple[int, ...]:
    column = column_of.get(group_key(group))
    return (0, column) if column else (0,)


def weighted_counts(
    *,
    survey: Survey,
    questions: list[Question],
    dimension: Dimension,
    column_of: dict[str, int],
    ncols: int,
    weights: Weights,
) -> WeightedCounts:
    """The answers counted with weights, per column of the breakdown. At most four
    queries: responses (for the design effects), answers, multiple-choice respondents and
    theme codings."""
    counter = _Counter(weights, column_of, dimension)
    weighted = WeightedCounts(Counts(ncols=ncols))
    weighted.design_effects = counter.design_effects(survey, ncols)
    answers = Answer.objects.filter(response__survey=survey).annotate(
        tally_number=Coalesce("number", ExtractYear("date") * 100 + ExtractMonth("date"))
    )
    keys = ("question_id", "option_id", "item_id", "tally_number")
    counter.add(weighted.counts.answers, answers, "response", keys, Count("id"))
    several = [q.pk for q in questions if kind_of(q).counts_respondents]
    if several:
        people = answers.filter(question_id__in=several)
        keys = ("question_id", None)
        counter.add(
            weighted.counts.respondents,
            people,
            "response",
            keys,
            Count("response_id", distinct=True),
        )
    text_ids = [q.pk for q in questions if kind_of(q).is_free_text]
    if text_ids:
        codings = AnswerTheme.objects.filter(answer__question_id__in=text_ids)
        counter.add(weighted.counts.themes, codings, "answer__response", ("theme_id",), Count("id"))
    return weighted


class _Counter:
    """Counts rows grouped by breakdown group and cell, times the cell's weight."""

    def __init__(self, weights: Weights, column_of: dict[str, int], dimension: Dimension):
        self.weights, self.column_of, self.dimension = weights, column_of, dimension
        self.fields = _cell_fields(weights.margins)

    def weight(self, row: dict) -> float:
        return self.weights.weight_of.get(_cell(row, self.weights.margins), 1.0)

    def rows(self, queryset: QuerySet, path: str, fields, n):
        queryset = grouped(_with_cells(queryset, self.weights.margins, path), self.dimension, path)
        for row in queryset.values("g", *self.fields, *fields).annotate(n=n).order_by():
            yield row, self.weight(row), _columns_of(self.column_of, row["g"])

    def add(self, target: dict, queryset: QuerySet, path: str, keys: tuple, n) -> None:
        """Add the weighted counts to ``target`` under (column, *keys); a key None stays
        None (the respondents' key has no option)."""
        fields = [key for key in keys if key is not None]
        for row, weight, columns in self.rows(queryset, path, fields, n):
            key = tuple(None if name is None else row[name] for name in keys)
            for c in columns:
                target[(c, *key)] += weight * row["n"]

    def design_effects(self, survey: Survey, ncols: int) -> list[float]:
        """Kish's design effect of each column's responses."""
        sums = [[0.0, 0.0, 0] for _ in range(ncols)]  # Σw, Σw², n
        for row, w, columns in self.rows(
            Response.objects.filter(survey=survey), "", (), Count("id")
        ):
            for c in columns:
                sums[c][0] += w * row["n"]
                sums[c][1] += w * w * row["n"]
                sums[c][2] += row["n"]
        return [n * squares / total**2 if total else 1.0 for total, squares, n in sums]
