"""The number kind: one whole number, optionally between ``number_min`` and ``number_max``."""

from __future__ import annotations

from crispy_forms.layout import Field
from django import forms
from django.utils.translation import gettext

from survey.kinds.base import (
    NUMBER_LIMIT,
    NUMERIC_OPERATORS,
    AnswerInput,
    AnswerRefs,
    ExportColumn,
    FormPart,
    QuestionKindSpec,
    ResultTallies,
    Sampler,
    mean_of,
    number_text,
    question_field_name,
    single_number,
)
from survey.models import Question, QuestionKind


def number_bounds(question: Question) -> tuple[int, int]:
    low = question.number_min if question.number_min is not None else -NUMBER_LIMIT
    high = question.number_max if question.number_max is not None else NUMBER_LIMIT
    return low, high


class Number(QuestionKindSpec):
    value = QuestionKind.NUMBER
    is_numeric = True
    has_mean = True
    condition_operators = NUMERIC_OPERATORS

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        name = question_field_name(question)
        low, high = number_bounds(question)
        field = forms.IntegerField(
            label=label,
            help_text=question.help_text,
            required=required,
            min_value=low,
            max_value=high,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
        return FormPart({name: field}, Field(name))

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        return [
            AnswerInput(question_id=question.pk, number=n) for n in single_number(question, data)
        ]

    def condition_values(self, question: Question, data: dict) -> list[int]:
        return single_number(question, data)

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        low, high = number_bounds(question)
        return answer.number is not None and low <= answer.number <= high and not answer.text

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        # Without bounds, an age or a count of people: from 0 to 100.
        low = question.number_min if question.number_min is not None else 0
        high = question.number_max if question.number_max is not None else 100
        return [AnswerInput(question_id=question.pk, number=sample.number(low, high))]

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return [
            ExportColumn(question.code, question.text, question, "number", codes=gettext("number"))
        ]

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        qid, cols = question.pk, range(tallies.ncols)
        counts = tallies.counts
        numbers = {
            key[4]: n
            for key, n in counts.items()
            if key[1] == qid and key[0] == 0 and key[4] is not None
        }
        values = sorted(numbers)
        result.bases = [
            sum(n for key, n in counts.items() if key[0] == c and key[1] == qid) for c in cols
        ]
        result.means = [mean_of(tallies, c, qid, None, values) for c in cols]
        if not values:
            return
        # The smallest and the largest answer are one person's answer each (the oldest
        # resident, the largest household): published only when at least threshold people
        # gave it.
        if numbers[values[0]] >= tallies.threshold:
            result.minimum = values[0]
        if numbers[values[-1]] >= tallies.threshold:
            result.maximum = values[-1]
        figures = {
            "mean": number_text(result.means[0].value),
            "minimum": result.minimum,
            "maximum": result.maximum,
        }
        if result.minimum is not None and result.maximum is not None:
            result.summary = (
                gettext("On average %(mean)s (from %(minimum)s to %(maximum)s).") % figures
            )
        else:
            result.summary = gettext("On average %(mean)s.") % figures
