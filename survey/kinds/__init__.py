"""One home per question kind: ``kind_of(question)`` gives the object that knows everything
that differs between kinds (form fields, answer rows, the answer check, export columns,
results, sample answers, the print and results fragments). See
``survey.kinds.base.QuestionKindSpec`` for what a kind provides, and the README
("Fragearten") for how to add one.
"""

from survey.kinds.base import (
    LONG_TEXT_MAX,
    NUMBER_LIMIT,
    OTHER_TEXT_MAX,
    SHORT_TEXT_MAX,
    AnswerInput,
    AnswerRefs,
    ExportColumn,
    FormPart,
    QuestionKindSpec,
    ResultTallies,
    Sampler,
    item_field_name,
    other_field_name,
    question_field_name,
)
from survey.kinds.choice import Dropdown, MultipleChoice, SingleChoice
from survey.kinds.date import DateKind
from survey.kinds.info import Info
from survey.kinds.number import Number
from survey.kinds.ranking import RANKING_MAX_OPTIONS, RANKING_MIN_OPTIONS, Ranking
from survey.kinds.scale import Matrix, Scale
from survey.kinds.text import LongText, ShortText
from survey.kinds.yes_no import YesNo

__all__ = [
    "KINDS",
    "LONG_TEXT_MAX",
    "NUMBER_LIMIT",
    "OTHER_TEXT_MAX",
    "RANKING_MAX_OPTIONS",
    "RANKING_MIN_OPTIONS",
    "SHORT_TEXT_MAX",
    "AnswerInput",
    "AnswerRefs",
    "ExportColumn",
    "FormPart",
    "QuestionKindSpec",
    "ResultTallies",
    "Sampler",
    "item_field_name",
    "kind_of",
    "kind_values",
    "other_field_name",
    "question_field_name",
]

# Every kind, keyed by its QuestionKind value. A new kind: a class here and its print and
# results templates (survey/kinds/{print,results}/<value>.html); tests check every
# QuestionKind has them.
KINDS: dict[str, QuestionKindSpec] = {
    spec.value: spec
    for spec in (
        SingleChoice(),
        MultipleChoice(),
        Dropdown(),
        Scale(),
        Matrix(),
        ShortText(),
        LongText(),
        Number(),
        Ranking(),
        DateKind(),
        YesNo(),
        Info(),
    )
}


def kind_of(question_or_value) -> QuestionKindSpec:
    """The kind of a question, a ``QuestionResult`` or a kind value ("single" …)."""
    value = getattr(question_or_value, "kind", question_or_value)
    return KINDS[value]


def kind_values(flag: str) -> frozenset[str]:
    """The kind values whose ``flag`` is set, for queries: ``kind__in=kind_values(
    "is_free_text")``."""
    return frozenset(value for value, spec in KINDS.items() if getattr(spec, flag))
