"""The date kind: one calendar date (a move, a birth, a last visit). Results count the
answers per month; the export gives the date as YYYY-MM-DD."""

from __future__ import annotations

import datetime

from crispy_forms.layout import Field
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import dateformat
from django.utils.translation import gettext

from survey.kinds.base import (
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

# What a date answer may be: a birth date of the oldest resident to a plan years ahead.
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
# The sample draws dates of the two years before the survey's era.
SAMPLE_START = datetime.date(2025, 1, 1)


def month_key(date: datetime.date) -> int:
    """How the tallies count a date: its month as YYYYMM."""
    return date.year * 100 + date.month


def month_label(key: int) -> str:
    return dateformat.format(datetime.date(key // 100, key % 100, 1), "F Y")


def parse_date(value) -> datetime.date | None:
    """A cleaned date (kept as YYYY-MM-DD in the session) back as a date."""
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class AnswerDateField(forms.DateField):
    """A date typed or picked; anything but text (a list of values from a tampered form)
    is an invalid date, not a crash."""

    def to_python(self, value):
        if value is not None and not isinstance(value, str | datetime.date):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class DateKind(QuestionKindSpec):
    value = QuestionKind.DATE
    stores_date = True
    answers_add_up = True

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        name = question_field_name(question)
        field = AnswerDateField(
            label=label,
            help_text=question.help_text or gettext("e.g. 24.12.2026"),
            required=required,
            input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"],
            validators=[MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)],
            widget=forms.DateInput(
                format="%Y-%m-%d",
                attrs={"type": "date", "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            ),
        )
        return FormPart({name: field}, Field(name))

    def clean(
        self, question: Question, cleaned: dict, add_error, *, required: bool = False
    ) -> None:
        # The participation state is JSON: the date waits there as YYYY-MM-DD.
        name = question_field_name(question)
        if isinstance(cleaned.get(name), datetime.date):
            cleaned[name] = cleaned[name].isoformat()

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        date = parse_date(data.get(question_field_name(question)))
        return [AnswerInput(question_id=question.pk, date=date)] if date else []

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        return (
            answer.date is not None
            and DATE_MIN <= answer.date <= DATE_MAX
            and answer.number is None
            and not answer.text
        )

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        date = SAMPLE_START + datetime.timedelta(days=sample.number(0, 729))
        return [AnswerInput(question_id=question.pk, date=date)]

    def export_columns(self, question: Question) -> list[ExportColumn]:
        return [ExportColumn(question.code, question.text, question, "date", codes="YYYY-MM-DD")]

    def export_value(self, column: ExportColumn, answers: list, option_values):
        for answer in answers:
            if answer.date:
                return answer.date.isoformat()
        return ""

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        qid, cols = question.pk, range(tallies.ncols)
        counts = tallies.counts
        months = sorted(
            {key[4] for key in counts if key[1] == qid and key[0] == 0 and key[4] is not None}
        )
        result.bases = [
            sum(counts.get((c, qid, None, None, month), 0) for month in months) for c in cols
        ]
        result.rows = [
            Row(
                month_label(month),
                [Cell(counts.get((c, qid, None, None, month), 0), result.bases[c]) for c in cols],
                value=month,
            )
            for month in months
        ]
        # The first and the last month may be one person's answer: named only when at
        # least threshold people gave it.
        first, last = (result.rows[0], result.rows[-1]) if result.rows else (None, None)
        if first and min(first.cells[0].count, last.cells[0].count) >= tallies.threshold:
            result.summary = gettext("Dates from %(first)s to %(last)s.") % {
                "first": first.label,
                "last": last.label,
            }
