"""The result of one question, from the counts of a computation, before disclosure
control: the common fields here, and what differs by kind (bases, rows, items, means,
themes and the one-line summary) from the question's kind (``survey.kinds``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from survey.kinds import ResultTallies, kind_of
from survey.models import Question
from survey.results.shapes import QuestionResult


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
    kind_of(question).fill_result(
        result,
        question,
        ResultTallies(
            counts=counts.answers,
            respondents=counts.respondents,
            theme_counts=counts.themes,
            coded=counts.coded,
            ncols=counts.ncols,
            threshold=threshold,
        ),
    )
    return result
