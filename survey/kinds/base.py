"""What every question kind provides, and the small shapes the kinds exchange with forms,
the answer check, exports and results.

A kind is one subclass of ``QuestionKindSpec``, listed for its ``QuestionKind`` value in
``survey.kinds.KINDS``. Code elsewhere asks the kind (``kind_of(question)``) instead of
comparing ``question.kind`` with values, so a new kind is one new class (and its print
template) and nothing else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from django import forms
from django.utils import formats

from survey.models import ConditionOperator, Question, QuestionKind
from survey.results.shapes import Mean, round_half_up

# Bounds that keep every value inside what the database column holds.
NUMBER_LIMIT = 1_000_000_000
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
OTHER_TEXT_MAX = 300


@dataclass(frozen=True)
class AnswerInput:
    """One answer row as submitted (form, paper entry, pool): what ``Answer`` stores."""

    question_id: int
    option_id: int | None = None
    item_id: int | None = None
    number: int | None = None
    text: str = ""
    date: datetime.date | None = None

    def as_json(self) -> dict:
        """The row as JSON-serialisable values (the date as YYYY-MM-DD), for the pool."""
        return {
            "question_id": self.question_id,
            "option_id": self.option_id,
            "item_id": self.item_id,
            "number": self.number,
            "text": self.text,
            "date": self.date.isoformat() if self.date else None,
        }

    @classmethod
    def from_json(cls, value: dict) -> AnswerInput:
        date = value.get("date")
        return cls(
            question_id=value["question_id"],
            option_id=value.get("option_id"),
            item_id=value.get("item_id"),
            number=value.get("number"),
            text=value.get("text", ""),
            date=datetime.date.fromisoformat(date) if date else None,
        )


def question_field_name(question: Question) -> str:
    return f"q{question.pk}"


def other_field_name(question: Question) -> str:
    return f"q{question.pk}_other"


def item_field_name(question: Question, item) -> str:
    return f"q{question.pk}_i{item.pk}"


@dataclass
class FormPart:
    """The form fields of one question (name → field) and the crispy layout showing them.
    The same part serves the online questionnaire and the paper-entry form."""

    fields: dict[str, forms.Field]
    layout: Any


@dataclass(frozen=True)
class AnswerRefs:
    """What the answer check needs of the survey's options and items, loaded once."""

    options: Mapping[int, int]  # option id → question id
    other_options: frozenset[int]  # ids of "other, please specify" options
    items: Mapping[int, int]  # matrix item id → question id


@dataclass
class ExportColumn:
    """One column of the raw export. ``kind`` says what the cells hold: value (the option's
    code), option (0/1), item, other, text or number."""

    code: str
    label: str
    question: Question | None = None
    kind: str = ""
    option_id: int | None = None
    item_id: int | None = None
    codes: str = ""  # codebook: what the values mean


class Sampler(Protocol):
    """Random draws for synthetic answers (demos, benchmarks; ``survey.synthetic``). A kind's
    ``sample_answers`` says which draws make one answer; the sampler says how likely each
    value is."""

    def option(self):
        """One option of the question."""

    def options(self, limit: int) -> list:
        """From one to ``limit`` different options of the question."""

    def other_text(self) -> str:
        """The text typed next to an "other, please specify" option."""

    def scale_value(self, item=None) -> int:
        """A value of the question's scale (for one matrix item)."""

    def number(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``."""

    def order(self, count: int) -> list[int]:
        """The numbers 1 … ``count`` in a random order (ranks)."""

    def text(self) -> str:
        """A free text."""


@dataclass
class ResultTallies:
    """The counted answers of a survey as the results computation reads them; keys start
    with the column (0 = all) and the question id."""

    counts: Mapping[tuple, int]  # (column, question, option, item, number) → answers
    respondents: Mapping[tuple, int]  # (column, question, None) → people (multiple choice)
    theme_counts: Mapping[tuple, int] = field(default_factory=dict)  # (column, theme) → codings
    coded: Mapping[tuple, int] = field(default_factory=dict)  # (column, question) → coded texts
    ncols: int = 1
    threshold: int = 5


def number_text(value, digits: int = 1) -> str:
    return formats.number_format(value, digits, use_l10n=True)


def single_number(question: Question, data: dict) -> list[int]:
    """The whole number a one-field question was answered with, as a list (empty when not
    answered): the answer rows and display conditions of number, scale and yes/no."""
    value = data.get(question_field_name(question))
    if value in (None, ""):
        return []
    try:
        return [int(value)]
    except (TypeError, ValueError):
        return []


NUMERIC_OPERATORS = frozenset(
    {ConditionOperator.EQUALS, ConditionOperator.GREATER, ConditionOperator.LESS}
)


def mean_of(tallies: ResultTallies, column: int, question_id: int, item_id, values):
    """The mean of the numbers counted for a question (or one matrix item) in a column."""
    n = weighted = 0
    for value in values:
        count = tallies.counts.get((column, question_id, None, item_id, value), 0)
        n += count
        weighted += count * value
    low, high = (values[0], values[-1]) if values else (0, 0)
    return Mean(round_half_up(weighted, n), n, low, high)


class QuestionKindSpec:
    """One question kind. Subclasses set ``value`` and the flags and override what differs.

    Flags (all answer "what do the answers of this kind look like?"):
    ``has_options``: an answer picks an ``Option`` of the question (choice kinds);
    ``has_items``: answers are given per ``MatrixItem`` (the matrix);
    ``uses_scale``: answers are values from ``scale_min`` to ``scale_max`` (scale and matrix;
    not a matrix flag: a scale has no items);
    ``is_numeric``: answers are whole numbers, so results have means;
    ``is_free_text``: answers are texts, coded into themes and purged with the raw data;
    ``several_answers``: a response may hold several answer rows of the question;
    ``can_break_down``: results can be broken down by its answers (one option per person);
    ``counts_respondents``: the base of a result is the people who answered, not the answer
    rows (several options per person);
    ``answers_add_up``: one answer per person (and item), so a group's answers add up to
    its base (disclosure control relies on it);
    ``has_mean``: the question as a whole has one mean (a matrix has one per item);
    ``has_answers``: False for a kind that only shows text (an information block): no
    fields, no answers, no export columns, no result;
    ``results_per_item``: the result is a table per item (matrix rows, ranked options), each
    with its rows and mean;
    ``stores_date``: answers carry a date;
    ``condition_operators``: the operators a display condition may apply to its answers
    (empty: no condition can refer to it).
    """

    value: ClassVar[str]
    has_options: ClassVar[bool] = False
    has_items: ClassVar[bool] = False
    uses_scale: ClassVar[bool] = False
    is_numeric: ClassVar[bool] = False
    is_free_text: ClassVar[bool] = False
    several_answers: ClassVar[bool] = False
    can_break_down: ClassVar[bool] = False
    counts_respondents: ClassVar[bool] = False
    answers_add_up: ClassVar[bool] = False
    has_mean: ClassVar[bool] = False
    has_answers: ClassVar[bool] = True
    results_per_item: ClassVar[bool] = False
    stores_date: ClassVar[bool] = False
    condition_operators: ClassVar[frozenset[str]] = frozenset()
    # How many options a question of the kind must have (None: no limit but one).
    option_count: ClassVar[tuple[int, int] | None] = None
    # The longest text an answer of this kind may carry (free text or other-text).
    max_text_length: ClassVar[int] = 0

    @property
    def label(self) -> str:
        return QuestionKind(self.value).label

    @property
    def print_template(self) -> str:
        """How the question looks in the print version (a fragment, given ``question``)."""
        return f"survey/kinds/print/{self.value}.html"

    @property
    def result_template(self) -> str:
        """How the published result looks without a breakdown (a fragment, given ``q``, the
        ``QuestionResult``); the cross table of a breakdown is common to all kinds."""
        return f"survey/kinds/results/{self.value}.html"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.value}>"

    # --- The questionnaire form (online and paper entry) -------------------------------------

    def form_part(self, question: Question, *, label: str, required: bool) -> FormPart:
        """The fields asking ``question``; ``label`` is the question text as shown."""
        raise NotImplementedError

    def clean(
        self, question: Question, cleaned: dict, add_error: Callable, *, required: bool = False
    ) -> None:
        """Checks across the question's fields after each field was cleaned; ``required``:
        whether the form asks for an answer (not for a question hidden by its condition)."""

    def condition_option_ids(self, question: Question, data: dict) -> list[int]:
        """The option ids chosen in cleaned ``data``, for display conditions."""
        return []

    def condition_values(self, question: Question, data: dict) -> list[int]:
        """What display conditions compare in cleaned ``data``: option ids (choice kinds),
        the number (number, scale) or 1/0 (yes/no); empty when unanswered."""
        return []

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        """Cleaned form values of ``question`` as answer rows (none when unanswered)."""
        raise NotImplementedError

    # --- The answer check behind every submission ------------------------------------------

    def answer_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        """Whether one submitted answer row fits ``question`` (ids of this question only,
        values in range): a tampered request must not store nonsense."""
        if answer.item_id is not None and not self.has_items:
            return False
        if answer.option_id is not None and not self.has_options:
            return False
        if answer.date is not None and not self.stores_date:
            return False
        if len(answer.text) > self.max_text_length:
            return False
        return self.value_fits(question, answer, refs)

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        raise NotImplementedError

    def answers_fit(self, question: Question, answers: list[AnswerInput]) -> bool:
        """Whether the answer rows of ``question`` in one response go together (each fits
        on its own, and only kinds with ``several_answers`` get more than one)."""
        return True

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        """Plausible answer rows of one synthetic response (the question is answered),
        drawn from ``sample``; they must pass ``answer_fits`` and ``answers_fit``."""
        raise NotImplementedError

    # --- Exports -----------------------------------------------------------------------------

    def export_columns(self, question: Question) -> list[ExportColumn]:
        """The raw-export columns of ``question`` (reads ``options``/``items`` through
        ``.all()``, so prefetch them)."""
        raise NotImplementedError

    def export_value(self, column: ExportColumn, answers: list, option_values: Mapping):
        """The cell of ``column`` for one response's ``answers`` to the question ("" when
        none); ``option_values``: option id → code value."""
        for answer in answers:
            if column.kind == "number" and answer.number is not None:
                return answer.number
        return ""

    # --- Results -----------------------------------------------------------------------------

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        """Fill ``result`` (a ``QuestionResult`` with the common fields set) from the
        tallies: bases, rows or items, means, themes, summary."""
        raise NotImplementedError
