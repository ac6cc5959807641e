"""Kinds answered on a rating scale (``scale_min`` … ``scale_max``): the scale itself (one
value) and the matrix (one value per item, all items on the same scale)."""

from __future__ import annotations

from collections.abc import Mapping

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Fieldset
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from survey.kinds.base import (
    NUMERIC_OPERATORS,
    AnswerInput,
    AnswerRefs,
    ExportColumn,
    FormPart,
    QuestionKindSpec,
    ResultTallies,
    Sampler,
    item_field_name,
    mean_of,
    number_text,
    question_field_name,
    single_number,
)
from survey.models import Question, QuestionKind
from survey.results.shapes import Cell, ItemResult, Row


def scale_label(value: int, label: str) -> str:
    return f"{value} – {label}" if label else str(value)


def end_label(question: Question, value: int) -> str:
    """The label of ``value`` if it is an end of the scale."""
    if value == question.scale_min:
        return question.scale_min_label
    if value == question.scale_max:
        return question.scale_max_label
    return ""


def scale_codes(question: Question) -> str:
    """The codebook entry of a scale: "1 = not at all … 5 = very"."""
    low, high = question.scale_min, question.scale_max
    low_text = f"{low} = {question.scale_min_label}" if question.scale_min_label else str(low)
    high_text = f"{high} = {question.scale_max_label}" if question.scale_max_label else str(high)
    return f"{low_text} … {high_text}"


class ScaleKindBase(QuestionKindSpec):
    uses_scale = True
    is_numeric = True
    answers_add_up = True

    @staticmethod
    def scale_choices(question: Question, *, required: bool) -> list[tuple[str, str]]:
        choices = [(str(v), scale_label(v, end_label(question, v))) for v in question.scale_values]
        if not required:
            choices.append(("", gettext_lazy("No answer")))
        return choices

    def scale_field(
        self, question: Question, *, label, required: bool, help_text=""
    ) -> forms.Field:
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=required,
            choices=self.scale_choices(question, required=required),
            widget=forms.RadioSelect,
        )

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        return (
            answer.number is not None
            and question.scale_min <= answer.number <= question.scale_max
            and not answer.text
        )

    def scale_rows(self, question: Question, tallies: ResultTallies, item_id, bases) -> list:
        counts, qid = tallies.counts, question.pk
        return [
            Row(
                scale_label(v, end_label(question, v)),
                [
                    Cell(counts.get((c, qid, None, item_id, v), 0), bases[c])
                    for c in range(tallies.ncols)
                ],
                value=v,
            )
            for v in question.scale_values
        ]

    @staticmethod
    def scale_bases(question: Question, tallies: ResultTallies, item_id) -> list[int]:
        counts, qid = tallies.counts, question.pk
        return [
            sum(counts.get((c, qid, None, item_id, v), 0) for v in question.scale_values)
            for c in range(tallies.ncols)
        ]


class Scale(ScaleKindBase):
    value = QuestionKind.SCALE
    has_mean = True
    condition_operators = NUMERIC_OPERATORS

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        name = question_field_name(question)
        field = self.scale_field(
            question, label=label, required=required, help_text=question.help_text
        )
        return FormPart({name: field}, InlineRadios(name))

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        return [
            AnswerInput(question_id=question.pk, number=n) for n in single_number(question, data)
        ]

    def condition_values(self, question: Question, data: dict) -> list[int]:
        return single_number(question, data)

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        return [AnswerInput(question_id=question.pk, number=sample.scale_value())]

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return [
            ExportColumn(
                question.code, question.text, question, "number", codes=scale_codes(question)
            )
        ]

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        values = question.scale_values
        result.bases = self.scale_bases(question, tallies, None)
        result.rows = self.scale_rows(question, tallies, None, result.bases)
        result.means = [
            mean_of(tallies, c, question.pk, None, values) for c in range(tallies.ncols)
        ]
        mean = result.means[0]
        if mean.value is not None:
            result.summary = gettext("Mean %(mean)s on a scale from %(low)s to %(high)s.") % {
                "mean": number_text(mean.value),
                "low": scale_label(question.scale_min, question.scale_min_label),
                "high": scale_label(question.scale_max, question.scale_max_label),
            }


class Matrix(ScaleKindBase):
    value = QuestionKind.MATRIX
    has_items = True
    results_per_item = True
    several_answers = True

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        fields, names = {}, []
        for item in question.item_list:
            name = item_field_name(question, item)
            fields[name] = self.scale_field(question, label=item.label, required=required)
            names.append(InlineRadios(name))
        legend = label
        if question.help_text:
            legend = format_html(
                "{} <span class='matrix-help'>{}</span>", label, question.help_text
            )
        return FormPart(fields, Fieldset(legend, *names, css_class="matrix"))

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        return [
            AnswerInput(question_id=question.pk, item_id=item.pk, number=int(value))
            for item in question.item_list
            if (value := data.get(item_field_name(question, item))) not in (None, "")
        ]

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        return [
            AnswerInput(question_id=question.pk, item_id=item.pk, number=sample.scale_value(item))
            for item in question.item_list
        ]

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        in_question = refs.items.get(answer.item_id) == question.pk
        return in_question and super().value_fits(question, answer, refs)

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return [
            ExportColumn(
                f"{question.code}_{position}",
                f"{question.text} – {item.label}",
                question,
                "item",
                item_id=item.pk,
                codes=scale_codes(question),
            )
            for position, item in enumerate(question.items.all(), start=1)
        ]

    def export_value(self, column: ExportColumn, answers: list, option_values: Mapping):
        for answer in answers:
            if answer.item_id == column.item_id:
                return answer.number
        return ""

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        cols = range(tallies.ncols)
        for item in question.items.all():
            bases = self.scale_bases(question, tallies, item.pk)
            result.items.append(
                ItemResult(
                    item.label,
                    bases,
                    self.scale_rows(question, tallies, item.pk, bases),
                    [
                        mean_of(tallies, c, question.pk, item.pk, question.scale_values)
                        for c in cols
                    ],
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
                "mean": number_text(best.means[0].value),
                "low": question.scale_min,
                "high": question.scale_max,
            }
