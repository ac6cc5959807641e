"""Computing the results of a survey from its tallies.

Everything is counted by the database, never by loading responses into Python: the
tallies (``survey.results.tallies``) hold the answers counted per breakdown group, theme
codings of free texts are counted live, and the results are built from those few thousand
rows; the number of queries is fixed for a survey, whatever the number of responses.
Disclosure control (``survey.results.protection``) then withholds what could identify
someone. Callers want ``survey.results.selectors.survey_results``, which caches this.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch

from survey.kinds import kind_of
from survey.models import AnswerTheme, Channel, Option, Question, Quote, ResultsPublication, Survey
from survey.results.dimensions import (
    Dimension,
    breakdown_choices,
    breakdown_questions,
    dimension_for,
    group_key,
    grouped,
)
from survey.results.municipalities import municipality_question_id, participation_rows
from survey.results.protection import breakdown_columns, min_group_size, protect
from survey.results.question_results import Counts, question_result
from survey.results.shapes import ParticipationRow, SectionResult, SurveyResults, share
from survey.results.significance import (
    add_diverging,
    add_intervals,
    compare_groups,
    merge_weighted,
)
from survey.results.tallies import Tallied, tallies_read, tallies_update
from survey.results.weights import (
    WeightedCounts,
    survey_weights,
    weighted_counts,
    with_targets,
)


def compute_results(
    *, survey: Survey, breakdown: str | None = None, weighted: bool = True
) -> SurveyResults:
    """The results of a survey, broken down by a question code, the channel or not at all
    (an unknown or unpublished breakdown counts as none). Counts responses that arrived
    since the last computation into the tallies first (``tallies_update``). With weighting
    targets the percentages and means are weighted unless ``weighted`` is False (counts
    never are; ``survey.results.weights``)."""
    questions = _questions(survey)
    threshold, hidden = _publication_settings(survey)
    dimension, breakdown_label = dimension_for(questions, breakdown, hidden)

    # 1. Bring the tallies up to date (counts new responses only) and read them: group
    #    sizes, channels, every option, matrix cell, scale value and number per group, and
    #    the people who answered each multiple-choice question.
    last_day = tallies_update(survey=survey, questions=questions)
    tallied = tallies_read(survey=survey, dimension=dimension)
    total = sum(tallied.sizes.values())
    columns, column_of, merged, suppressed = breakdown_columns(
        dimension, tallied.sizes, total, threshold
    )
    counts = Counts(ncols=len(columns))
    _count_answers(counts, tallied, column_of)
    # 2. Theme codings of free-text answers, counted live (staff change them any time).
    _count_codings(counts, questions, dimension, column_of)
    # 3. Weighted counts when the survey has weighting targets (a few grouped queries).
    weights = survey_weights(survey=survey, questions=questions, threshold=threshold)
    weighted_by = None
    if weights is not None and weighted and total:
        weighted_by = weighted_counts(
            survey=survey,
            questions=questions,
            dimension=dimension,
            column_of=column_of,
            ncols=counts.ncols,
            weights=weights,
        )

    sections = _sections(questions, counts, dimension, hidden, threshold, columns, weighted_by)
    municipality_id = municipality_question_id(
        (option for question in questions for option in question.options.all()), hidden=hidden
    )
    return SurveyResults(
        survey_id=survey.pk,
        total=total,
        breakdown=breakdown if dimension is not None else None,
        breakdown_label=breakdown_label,
        columns=columns,
        merged_groups=merged,
        suppressed=suppressed,
        by_channel=_by_channel(tallied.channels, total),
        by_municipality=_by_municipality(questions, municipality_id, counts, total),
        municipality_question_id=municipality_id,
        sections=sections,
        last_response_on=last_day,
        min_group_size=threshold,
        breakdown_choices=breakdown_choices(questions, hidden),
        weighting=weights.info if weights is not None else None,
        weighted=weighted_by is not None,
    )


def _questions(survey: Survey) -> list[Question]:
    """The questions in questionnaire order, with everything their results need."""
    return list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related(
            Prefetch(
                "options", queryset=with_targets(Option.objects.select_related("municipality"))
            ),
            "items",
            "themes",
            Prefetch("quotes", queryset=Quote.objects.filter(is_released=True)),
        )
        .order_by("section__position", "section_id", "position", "id")
    )


def _publication_settings(survey: Survey) -> tuple[int, set[int]]:
    """The publication's threshold and the questions it keeps internal, in one query."""
    threshold = min_group_size()
    hidden = set()
    for size, question_id in ResultsPublication.objects.filter(survey=survey).values_list(
        "min_group_size", "hidden_questions"
    ):
        threshold = size or threshold
        if question_id is not None:
            hidden.add(question_id)
    return threshold, hidden


def _targets(column_of: dict[str, int], group) -> tuple[int, ...]:
    """The columns a group's count goes to: always the total (0), and its own column if it
    has one (small groups without a column count only in the total)."""
    column = column_of.get(group_key(group))
    return (0, column) if column else (0,)


def _count_answers(counts: Counts, tallied: Tallied, column_of: dict[str, int]) -> None:
    for group, question_id, option_id, item_id, number, people, n in tallied.answers:
        for c in _targets(column_of, group):
            if people:
                counts.respondents[(c, question_id, None)] += n
            else:
                counts.answers[(c, question_id, option_id, item_id, number)] += n


def _count_codings(
    counts: Counts, questions: list[Question], dimension: Dimension, column_of: dict[str, int]
) -> None:
    text_ids = [q.pk for q in questions if kind_of(q).is_free_text]
    codings = grouped(
        AnswerTheme.objects.filter(answer__question_id__in=text_ids), dimension, "answer__response"
    )
    for row in codings.values("g", "theme_id").annotate(n=Count("id")).order_by():
        for c in _targets(column_of, row["g"]):
            counts.themes[(c, row["theme_id"])] += row["n"]
    for row in (
        codings.values("g", "answer__question_id")
        .annotate(n=Count("answer_id", distinct=True))
        .order_by()
    ):
        for c in _targets(column_of, row["g"]):
            counts.coded[(c, row["answer__question_id"])] += row["n"]


def _shown_one_way(questions: list[Question], dimension: Dimension) -> set[int]:
    """The questions shown without their cross table in this breakdown.

    A cross of two breakdown questions (municipality × age group) is published from one
    side only: the breakdown by the earlier question. Published from both sides, the
    cells withheld on one side could be read off the other."""
    plain = set()
    if isinstance(dimension, Question):
        for question in breakdown_questions(questions):
            plain.add(question.pk)
            if question.pk == dimension.pk:
                break
    return plain


def _sections(
    questions: list[Question],
    counts: Counts,
    dimension: Dimension,
    hidden: set[int],
    threshold: int,
    columns: list,
    weighted: WeightedCounts | None = None,
) -> list[SectionResult]:
    """Every question's result, protected, grouped into its section, with weighted
    figures, intervals, tests and diverging bars (``survey.results.significance``)."""
    plain = _shown_one_way(questions, dimension)
    sizes = [column.n for column in columns]
    design_effects = weighted.design_effects if weighted else [1.0] * counts.ncols
    sections: dict[int, SectionResult] = {}
    for question in questions:
        if not kind_of(question).has_answers:
            continue  # an information block
        result = question_result(question, counts, threshold)
        result.is_hidden = question.pk in hidden
        result.crossed = counts.ncols > 1 and question.pk not in plain
        if weighted is not None:
            merge_weighted(result, question_result(question, weighted.counts, threshold))
        protect(result, threshold, sizes)
        source = weighted.counts if weighted is not None else counts
        add_intervals(result, question, source.answers, design_effects)
        compare_groups(result, columns, design_effects[0])
        add_diverging(result, question)
        section = sections.setdefault(
            question.section_id, SectionResult(question.section_id, question.section.title, [])
        )
        section.questions.append(result)
    return list(sections.values())


def _by_municipality(
    questions: Iterable[Question], question_id: int | None, counts: Counts, total: int
) -> list[ParticipationRow]:
    question = next((q for q in questions if q.pk == question_id), None)
    if question is None:
        return []
    options = list(question.options.all())
    per_option = {
        option.pk: counts.answers.get((0, question.pk, option.pk, None, None), 0)
        for option in options
    }
    return participation_rows(options, per_option, total)


def _by_channel(channels: dict[str, int], total: int) -> list[ParticipationRow]:
    return [
        ParticipationRow(str(label), channels.get(value, 0), share(channels.get(value, 0), total))
        for value, label in Channel.choices
    ]
