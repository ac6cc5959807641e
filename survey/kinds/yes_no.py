"""The yes/no kind: like a single choice with two fixed answers, stored as 1 (yes) or 0 (no)
so that staff cannot rename or remove them."""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from django import forms
from django.utils.translation import gettext, gettext_lazy

from survey.kinds.base import (
    AnswerInput,
    AnswerRefs,
    ExportColumn,
    FormPart,
    QuestionKindSpec,
    ResultTallies,
    Sampler,
    number_text,
    question_field_name,
    single_number,
)
from survey.models import ConditionOperator, Question, QuestionKind
from survey.results.shapes import Cell, Row

YES, NO = 1, 0


def yes_no_labels() -> list[tuple[int, str]]:
    return [(YES, gettext("Yes")), (NO, gettext("No"))]


class YesNo(QuestionKindSpec):
    value = QuestionKind.YES_NO
    answers_add_up = True
    condition_operators = frozenset({ConditionOperator.EQUALS})

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        name = question_field_name(question)
        choices = [(str(YES), gettext_lazy("Yes")), (str(NO), gettext_lazy("No"))]
        if not required:
            choices.append(("", gettext_lazy("No answer")))
        field = forms.ChoiceField(
            label=label,
            help_text=question.help_text,
            required=required,
            choices=choices,
            widget=forms.RadioSelect,
        )
        return FormPart({name: field}, InlineRadios(name))

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        return [
            AnswerInput(question_id=question.pk, number=n) for n in single_number(question, data)
        ]

    def condition_values(self, question: Question, data: dict) -> list[int]:
        return single_number(question, data)

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        return answer.number in (YES, NO) and not answer.text

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        return [AnswerInput(question_id=question.pk, number=sample.number(NO, YES))]

    def export_columns(self, question: Question) -> list[ExportColumn]:
        codes = "; ".join(f"{value} = {label}" for value, label in yes_no_labels())
        return [ExportColumn(question.code, question.text, question, "number", codes=codes)]

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        qid, cols = question.pk, range(tallies.ncols)
        counts = tallies.counts
        result.bases = [
            sum(counts.get((c, qid, None, None, value), 0) for value in (YES, NO)) for c in cols
        ]
        result.rows = [
            Row(
                label,
                [Cell(counts.get((c, qid, None, None, value), 0), result.bases[c]) for c in cols],
                value=value,
            )
            for value, label in yes_no_labels()
        ]
        if result.base >= tallies.threshold:
            yes = result.rows[0].cells[0]
            result.summary = gettext("%(percent)s %% answered “yes”.") % {
                "percent": number_text(yes.percent)
            }
