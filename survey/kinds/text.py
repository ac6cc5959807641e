"""Free-text kinds: a short line and a longer text. Texts are never published; staff code
them into themes, and results count the themes."""

from __future__ import annotations

from crispy_forms.layout import Field
from django import forms
from django.utils.translation import gettext, ngettext

from survey.kinds.base import (
    LONG_TEXT_MAX,
    SHORT_TEXT_MAX,
    AnswerInput,
    AnswerRefs,
    ExportColumn,
    FormPart,
    QuestionKindSpec,
    ResultTallies,
    Sampler,
    question_field_name,
)
from survey.models import Question, QuestionKind
from survey.results.shapes import Cell, Row


class TextKind(QuestionKindSpec):
    is_free_text = True

    def widget(self) -> forms.Widget:
        raise NotImplementedError

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        name = question_field_name(question)
        field = forms.CharField(
            label=label,
            help_text=question.help_text,
            required=required,
            max_length=self.max_text_length,
            widget=self.widget(),
        )
        return FormPart({name: field}, Field(name))

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        text = (data.get(question_field_name(question)) or "").strip()
        return [AnswerInput(question_id=question.pk, text=text)] if text else []

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        return bool(answer.text) and answer.number is None

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        return [AnswerInput(question_id=question.pk, text=sample.text())]

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return [
            ExportColumn(question.code, question.text, question, "text", codes=gettext("free text"))
        ]

    def export_value(self, column: ExportColumn, answers: list, option_values):
        for answer in answers:
            if answer.text:
                return answer.text
        return ""

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        qid, cols = question.pk, range(tallies.ncols)
        result.bases = [tallies.counts.get((c, qid, None, None, None), 0) for c in cols]
        result.coded = [tallies.coded.get((c, qid), 0) for c in cols]
        result.themes = [
            Row(
                theme.label,
                [Cell(tallies.theme_counts.get((c, theme.pk), 0), result.bases[c]) for c in cols],
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
                round(top.cells[0].count),  # a weighted count is a float
            ) % {"label": top.label, "count": top.cells[0].count}


class ShortText(TextKind):
    value = QuestionKind.SHORT_TEXT
    max_text_length = SHORT_TEXT_MAX

    def widget(self) -> forms.Widget:
        return forms.TextInput()


class LongText(TextKind):
    value = QuestionKind.LONG_TEXT
    max_text_length = LONG_TEXT_MAX

    def widget(self) -> forms.Widget:
        return forms.Textarea(attrs={"rows": 5})
