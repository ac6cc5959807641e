"""The variables of the statistical exports (SPSS, Stata, R) and their values per response.

One place describes every variable – name, label, value labels, measurement level, type and
missing-value codes – on top of the raw export's columns (``survey.results.exports``, which
asks each question kind for its ``export_columns``/``export_value``), plus one 0/1 variable
per coded theme of a free-text question. The writers (``survey.results.stats_exports``) only
translate this model into their file format.

Why a cell is empty is derived from what is stored, without storing anything new about a
person:

- *not shown* (-1): the question's page or the question itself has a display condition that
  the response's own stored answers do not meet (conditions refer to earlier pages only, and
  a hidden question never stores an answer, so the stored answers decide it exactly as the
  questionnaire did);
- *skipped* (-2): shown, but the response holds no answer to the question;
- *deleted* (-3): the retention clean-up replaced a free text by "–" or emptied the text
  typed next to "other" (``survey_raw_data_delete``);
- *not coded* (-4): a theme variable of a free text that nobody has coded yet.

A numeric variable whose answers may themselves be negative (a number without a lower
bound of 0, a scale or option codes below 0) gets the codes -1000000001 … -1000000004
instead, so that no real answer is taken for a missing value.

Dates are dates: a column is a date column when its kind says so (``ExportColumn.kind ==
"date"`` or a ``value_type`` of "date"), and ISO strings in it become ``datetime.date``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from survey import selectors
from survey.conditions import stored_facts
from survey.kinds import NUMBER_LIMIT, ExportColumn, kind_of
from survey.kinds.yes_no import yes_no_labels
from survey.models import (
    Answer,
    AnswerTheme,
    QuestionKind,
    Response,
    ResultsPublication,
    Survey,
    Theme,
)
from survey.results.exports import CHUNK_SIZE, export_columns
from survey.results.services import DELETED_TEXT

NOT_SHOWN = -1
SKIPPED = -2
DELETED = -3
NOT_CODED = -4

VALUES_CODES = "codes"
VALUES_TEXTS = "texts"

NUMERIC, STRING, DATE, AUTO = "numeric", "string", "date", "auto"
NOMINAL, ORDINAL, SCALE = "nominal", "ordinal", "scale"

# Names that SPSS or Stata reserve; a column code equal to one gets a prefix.
RESERVED = frozenset(
    [
        "all",
        "and",
        "by",
        "eq",
        "ge",
        "gt",
        "le",
        "lt",
        "ne",
        "not",
        "or",
        "to",
        "with",
        "_all",
        "_b",
        "_coef",
        "_cons",
        "_n",
        "_pi",
        "_pred",
        "_rc",
        "_se",
        "_skip",
        "byte",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "str",
        "strl",
        "using",
    ]
)
# Missing codes of variables whose answers may be negative: -1000000001 … -1000000004,
# below every number an answer can hold (survey.kinds.NUMBER_LIMIT).
NEGATIVE_BASE = -NUMBER_LIMIT
NAME_MAX = 32  # Stata's limit; SPSS allows 64 bytes


def missing_labels() -> dict[int, str]:
    return {
        NOT_SHOWN: _("not shown (condition)"),
        SKIPPED: _("skipped (no answer)"),
        DELETED: _("deleted (retention period)"),
        NOT_CODED: _("not coded"),
    }


@dataclass
class Variable:
    """One variable of a statistical export."""

    name: str
    label: str
    type: str = NUMERIC
    measure: str = NOMINAL
    value_labels: dict = field(default_factory=dict)  # code → label (without missing codes)
    missing: tuple[int, ...] = ()  # the reasons a value can be missing (NOT_SHOWN …)
    # Added to each reason to give its code: 0 (codes -1 … -4), or far below any answer
    # for a variable whose answers may themselves be negative.
    missing_base: int = 0

    def code(self, reason: int) -> int:
        return self.missing_base + reason

    def missing_codes(self) -> dict[int, str]:
        """Code → label of each missing value this variable can hold."""
        labels = missing_labels()
        return {self.code(reason): labels[reason] for reason in self.missing}

    column: ExportColumn | None = None
    theme_id: int | None = None
    meta: str = ""  # id, channel, submitted_on, sheet_number


def safe_name(code: str, taken: set[str]) -> str:
    """A variable name SPSS, Stata and R all accept, unique in ``taken`` (which it joins)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", code)[:NAME_MAX] or "v"
    if not name[0].isalpha() or name.lower() in RESERVED:
        name = f"v_{name}"[:NAME_MAX]
    base, number = name, 1
    while name.lower() in taken:
        number += 1
        suffix = f"_{number}"
        name = base[: NAME_MAX - len(suffix)] + suffix
    taken.add(name.lower())
    return name


NUMERIC_COLUMNS = frozenset({"value", "option", "item", "number"})


def _column_type(column: ExportColumn) -> str:
    if column.kind == "date" or getattr(column, "value_type", "") == DATE:
        return DATE
    if column.kind in ("text", "other"):
        return STRING
    if column.kind in NUMERIC_COLUMNS:
        return NUMERIC
    return AUTO  # a column of a kind this module does not know: decided by its values


def settle_types(variables: list[Variable], rows: list[list]) -> None:
    """Give the variables of unknown column kinds their type from the values: numeric if
    every value is a number, else text (so that no value is ever lost)."""
    for index, variable in enumerate(variables):
        if variable.type != AUTO:
            continue
        numeric = all(
            row[index] is None or (isinstance(row[index], int | float) and row[index] is not True)
            for row in rows
        )
        if numeric:
            variable.type = NUMERIC
            continue
        # Text: the missing codes become the short ones, which no number can be mistaken for.
        short = {variable.code(reason): reason for reason in variable.missing}
        variable.type, variable.missing_base = STRING, 0
        for row in rows:
            row[index] = short.get(row[index], row[index])


def _option_labels(question) -> dict[int, str]:
    return {option.value: option.label for option in question.options.all()}


def _scale_labels(question) -> dict[int, str]:
    labels = {}
    if question.scale_min_label:
        labels[question.scale_min] = question.scale_min_label
    if question.scale_max_label:
        labels[question.scale_max] = question.scale_max_label
    return labels


def _labels_and_measure(column: ExportColumn) -> tuple[dict, str]:
    """Value labels and measurement level of a question's column."""
    spec = kind_of(column.question)
    if column.kind == "option":
        return {1: _("chosen"), 0: _("not chosen")}, NOMINAL
    if column.kind == "value":
        return _option_labels(column.question), NOMINAL
    if column.question.kind == QuestionKind.YES_NO:
        return dict(yes_no_labels()), NOMINAL
    if column.kind == "rank":
        return {}, ORDINAL
    if spec.uses_scale:
        return _scale_labels(column.question), ORDINAL
    if column.kind == "number" or spec.is_numeric:
        return {}, SCALE
    return {}, NOMINAL


def _may_be_negative(column: ExportColumn) -> bool:
    """Whether a real answer in this numeric column could be -1 … -4."""
    question = column.question
    if column.kind in ("option", "rank") or question.kind == QuestionKind.YES_NO:
        return False  # 0/1, a place from 1 on, 1 = yes / 0 = no
    if column.kind == "value":
        return any(option.value < 0 for option in question.options.all())
    if kind_of(question).uses_scale:
        return question.scale_min < 0
    if column.kind == "number":
        return question.number_min is None or question.number_min < 0
    return True  # a kind this module does not know: play safe


def _question_variable(column: ExportColumn, taken: set[str], values: str) -> Variable:
    labels, measure = _labels_and_measure(column)
    variable = Variable(
        safe_name(column.code, taken),
        column.label,
        type=_column_type(column),
        measure=measure,
        value_labels=labels,
        column=column,
    )
    if variable.type == DATE:
        variable.measure = SCALE
    elif column.kind == "value" and values == VALUES_TEXTS:
        # Answer texts instead of codes: the option's label is the value.
        variable.type, variable.value_labels = STRING, {}
    variable.missing = () if variable.type == DATE else (NOT_SHOWN, SKIPPED, DELETED)
    if variable.type in (NUMERIC, AUTO) and _may_be_negative(column):
        variable.missing_base = NEGATIVE_BASE
    return variable


def _theme_variables(question, themes: list[Theme], taken: set[str]) -> list[Variable]:
    return [
        Variable(
            safe_name(f"{question.code}_T{number}", taken),
            f"{question.text} – {_('theme')}: {theme.label}",
            value_labels={1: _("mentioned"), 0: _("not mentioned")},
            missing=(NOT_SHOWN, SKIPPED, NOT_CODED),
            theme_id=theme.pk,
            column=ExportColumn(question.code, question.text, question, "theme"),
        )
        for number, theme in enumerate(themes, start=1)
    ]


def _meta_variables(taken: set[str]) -> list[Variable]:
    return [
        Variable(safe_name("id", taken), _("Response number"), measure=SCALE, meta="id"),
        Variable(safe_name("channel", taken), _("Channel"), type=STRING, meta="channel"),
        Variable(
            safe_name("submitted_on", taken),
            _("Submitted on"),
            type=DATE,
            measure=SCALE,
            meta="submitted_on",
        ),
        Variable(
            safe_name("sheet_number", taken),
            _("Sheet number (paper)"),
            measure=SCALE,
            meta="sheet_number",
        ),
    ]


def survey_variables(*, survey: Survey, values: str = VALUES_CODES) -> list[Variable]:
    """Every variable of the survey's statistical export, in questionnaire order."""
    taken: set[str] = set()
    variables = _meta_variables(taken)
    themes: dict[int, list[Theme]] = {}
    for theme in Theme.objects.filter(question__survey=survey).order_by(
        "question_id", "position", "label"
    ):
        themes.setdefault(theme.question_id, []).append(theme)
    last_question = None
    columns = export_columns(survey=survey)[4:]
    for index, column in enumerate(columns):
        variables.append(_question_variable(column, taken, values))
        last_question = column.question
        next_question = columns[index + 1].question if index + 1 < len(columns) else None
        if next_question != last_question and last_question.pk in themes:
            variables.extend(_theme_variables(last_question, themes[last_question.pk], taken))
    return variables


# --- Values ---------------------------------------------------------------------------------


@dataclass
class _Context:
    """What the rows need besides the responses, loaded once per export."""

    definition: selectors.SurveyDefinition
    option_values: dict[int, int]
    option_labels: dict[int, str]
    other_options: frozenset[int]
    raw_deleted: bool


def _context(survey: Survey) -> _Context:
    definition = selectors.survey_definition(survey=survey)
    options = [option for q in definition.questions for option in q.option_list]
    return _Context(
        definition=definition,
        option_values={o.pk: o.value for o in options},
        option_labels={o.pk: o.label for o in options},
        other_options=frozenset(o.pk for o in options if o.is_other),
        raw_deleted=ResultsPublication.objects.filter(
            survey=survey, raw_deleted_at__isnull=False
        ).exists(),
    )


def shown_questions(definition: selectors.SurveyDefinition, answers: list[Answer]) -> set[int]:
    """The ids of the questions this response was shown, decided from its stored answers."""
    rows: dict[int, list[Answer]] = {}
    for answer in answers:
        rows.setdefault(answer.question_id, []).append(answer)
    chosen = {question_id: stored_facts(given) for question_id, given in rows.items()}
    return {
        question.pk
        for section in definition.sections
        if selectors.is_shown(section, chosen)
        for question in section.question_list
        if selectors.is_shown(question, chosen)
    }


def _is_deleted(column: ExportColumn, answers: list[Answer], context: _Context) -> bool:
    if column.kind == "text":
        return any(answer.text == DELETED_TEXT for answer in answers)
    if column.kind == "other" and context.raw_deleted:
        return any(a.option_id in context.other_options and not a.text for a in answers)
    return False


def _as_date(value):
    if isinstance(value, datetime.date) or value in ("", None):
        return value or None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _theme_value(variable: Variable, answers: list[Answer]):
    texts = [answer for answer in answers if answer.text]
    if not texts:
        return None
    themes = {coding.theme_id for answer in texts for coding in answer.codings.all()}
    if not themes:
        return variable.code(NOT_CODED)
    return int(variable.theme_id in themes)


def _raw_value(variable: Variable, answers: list[Answer], context: _Context):
    column = variable.column
    if variable.theme_id is not None:
        return _theme_value(variable, answers)
    if column.kind == "value" and variable.type == STRING:
        chosen = [a.option_id for a in answers if a.option_id in context.option_labels]
        return context.option_labels[chosen[0]] if chosen else None
    value = kind_of(column.question).export_value(column, answers, context.option_values)
    if variable.type == DATE:
        return _as_date(value)
    if column.kind == "text" and value == DELETED_TEXT:
        return None
    return None if value == "" else value


def cell_value(variable: Variable, answers: list[Answer], shown: bool, context: _Context):
    """The value of one question variable for one response: the answer, a missing code, or
    None (empty: e.g. no text next to an "other" option that was not chosen)."""
    column = variable.column
    if column.item_id is not None:  # a matrix row: skipped when this row has no answer
        answers = [answer for answer in answers if answer.item_id == column.item_id]
    value = _raw_value(variable, answers, context)
    if value is not None or not variable.missing:
        return value
    if not shown and not answers:
        return variable.code(NOT_SHOWN)
    if not answers:
        return variable.code(SKIPPED)
    if _is_deleted(column, answers, context):
        return variable.code(DELETED)
    return None


def _meta_value(variable: Variable, response: Response):
    if variable.meta == "submitted_on":
        return response.submitted_on
    return getattr(response, variable.meta)


def _responses(survey: Survey):
    codings = Prefetch("codings", queryset=AnswerTheme.objects.only("id", "answer_id", "theme_id"))
    answers = (
        Answer.objects.only(
            "id", "response_id", "question_id", "option_id", "item_id", "number", "text"
        )
        .order_by("id")
        .prefetch_related(codings)
    )
    return (
        Response.objects.filter(survey=survey)
        .order_by("id")
        .only("id", "channel", "submitted_on", "sheet_number")
        .prefetch_related(Prefetch("answers", queryset=answers))
    )


def variable_rows(*, survey: Survey, variables: list[Variable]) -> Iterator[list]:
    """One list of values per response, in variable order (memory flat per chunk)."""
    context = _context(survey)
    for response in _responses(survey).iterator(chunk_size=CHUNK_SIZE):
        answers = list(response.answers.all())
        by_question: dict[int, list[Answer]] = {}
        for answer in answers:
            by_question.setdefault(answer.question_id, []).append(answer)
        shown = shown_questions(context.definition, answers)
        row = []
        for variable in variables:
            if variable.meta:
                row.append(_meta_value(variable, response))
                continue
            question_id = variable.column.question.pk
            row.append(
                cell_value(
                    variable, by_question.get(question_id, []), question_id in shown, context
                )
            )
        yield row
