"""Choice kinds: single choice (radio buttons), dropdown and multiple choice. An answer row
picks an option; an "other, please specify" option carries the text typed next to it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crispy_forms.layout import Field, Layout
from django import forms
from django.utils.translation import gettext, gettext_lazy

from portal.widgets import PlainSelect
from survey.kinds.base import (
    OTHER_TEXT_MAX,
    AnswerInput,
    AnswerRefs,
    ExportColumn,
    FormPart,
    QuestionKindSpec,
    ResultTallies,
    Sampler,
    number_text,
    other_field_name,
    question_field_name,
)
from survey.models import ConditionOperator, Question, QuestionKind
from survey.results.shapes import Cell, Row


def other_option(question: Question):
    """The "other, please specify" option of a question (from ``option_list``), if any."""
    return next((option for option in question.option_list if option.is_other), None)


class ChoiceKind(QuestionKindSpec):
    has_options = True
    max_text_length = OTHER_TEXT_MAX
    condition_operators = frozenset({ConditionOperator.EQUALS, ConditionOperator.ONE_OF})

    def choices(self, question: Question, *, required: bool) -> list[tuple[str, str]]:
        return [(str(option.pk), option.label) for option in question.option_list]

    def field(self, question: Question, *, label, required: bool) -> forms.Field:
        raise NotImplementedError

    def form_part(self, question: Question, *, label, required: bool) -> FormPart:
        name = question_field_name(question)
        fields = {name: self.field(question, label=label, required=required)}
        other = other_option(question)
        if other is None:
            return FormPart(fields, Field(name))
        fields[other_field_name(question)] = forms.CharField(
            label=gettext_lazy("If “%(option)s”: please specify") % {"option": other.label},
            required=False,
            max_length=OTHER_TEXT_MAX,
        )
        return FormPart(fields, Layout(Field(name), Field(other_field_name(question))))

    def clean(
        self, question: Question, cleaned: dict, add_error: Callable, *, required: bool = False
    ) -> None:
        other = other_option(question)
        if other is None or other_field_name(question) not in cleaned:
            return
        if str(other.pk) in self._chosen(question, cleaned):
            if not cleaned[other_field_name(question)].strip():
                add_error(
                    other_field_name(question),
                    gettext_lazy("You chose “%(option)s”: please say what you mean.")
                    % {"option": other.label},
                )
        else:
            # Text typed next to an option that was not chosen says nothing.
            cleaned[other_field_name(question)] = ""

    @staticmethod
    def _chosen(question: Question, data: dict) -> list[str]:
        value = data.get(question_field_name(question))
        values = value if isinstance(value, list) else [value]
        return [v for v in values if v not in (None, "")]

    def condition_option_ids(self, question: Question, data: dict) -> list[int]:
        return [int(v) for v in self._chosen(question, data)]

    def condition_values(self, question: Question, data: dict) -> list[int]:
        return self.condition_option_ids(question, data)

    def answer_inputs(self, question: Question, data: dict) -> list[AnswerInput]:
        other_text = (data.get(other_field_name(question), "") or "").strip()
        other_ids = {option.pk for option in question.option_list if option.is_other}
        return [
            AnswerInput(
                question_id=question.pk,
                option_id=option_id,
                text=other_text if option_id in other_ids else "",
            )
            for option_id in self.condition_option_ids(question, data)
        ]

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        return [self._sampled(question, sample.option(), sample)]

    @staticmethod
    def _sampled(question: Question, option, sample: Sampler) -> AnswerInput:
        text = sample.other_text() if option.is_other else ""
        return AnswerInput(question_id=question.pk, option_id=option.pk, text=text)

    def value_fits(self, question: Question, answer: AnswerInput, refs: AnswerRefs) -> bool:
        if refs.options.get(answer.option_id) != question.pk or answer.number is not None:
            return False
        # Only an "other" option carries a text.
        return not answer.text or answer.option_id in refs.other_options

    def export_columns(self, question: Question) -> list[ExportColumn]:
        options = list(question.options.all())
        columns = self.choice_columns(question, options)
        if any(option.is_other for option in options):
            columns.append(
                ExportColumn(
                    f"{question.code}_other",
                    f"{question.text} – {gettext('other, please specify')}",
                    question,
                    "other",
                    codes=gettext("free text"),
                )
            )
        return columns

    def choice_columns(self, question: Question, options: list) -> list[ExportColumn]:
        """One column holding the chosen option's code value."""
        return [
            ExportColumn(
                question.code,
                question.text,
                question,
                "value",
                codes="; ".join(f"{o.value} = {o.label}" for o in options),
            )
        ]

    def export_value(self, column: ExportColumn, answers: list, option_values: Mapping):
        for answer in answers:
            if column.kind == "value" and answer.option_id:
                return option_values.get(answer.option_id, "")
            if column.kind == "other" and answer.option_id and answer.text:
                return answer.text
        return ""

    def result_bases(self, question, options, tallies: ResultTallies) -> list[int]:
        """One option per person: the base is the sum of the options' counts."""
        qid = question.pk
        return [
            sum(tallies.counts.get((c, qid, o.pk, None, None), 0) for o in options)
            for c in range(tallies.ncols)
        ]

    def fill_result(self, result, question: Question, tallies: ResultTallies) -> None:
        qid, cols = question.pk, range(tallies.ncols)
        options = list(question.options.all())
        result.bases = self.result_bases(question, options, tallies)
        result.rows = [
            Row(
                option.label,
                [
                    Cell(tallies.counts.get((c, qid, option.pk, None, None), 0), result.bases[c])
                    for c in cols
                ],
                is_other=option.is_other,
            )
            for option in options
        ]
        if result.rows and result.base >= tallies.threshold:
            top = max(result.rows, key=lambda row: row.cells[0].count)
            result.summary = gettext("Most frequent answer: “%(label)s” (%(percent)s %%).") % {
                "label": top.label,
                "percent": number_text(top.cells[0].percent),
            }


class SingleChoice(ChoiceKind):
    value = QuestionKind.SINGLE
    can_break_down = True
    answers_add_up = True

    def choices(self, question: Question, *, required: bool) -> list[tuple[str, str]]:
        choices = super().choices(question, required=required)
        if not required:
            choices.append(("", gettext_lazy("No answer")))
        return choices

    def widget(self):
        return forms.RadioSelect

    def field(self, question: Question, *, label, required: bool) -> forms.Field:
        return forms.ChoiceField(
            label=label,
            help_text=question.help_text,
            required=required,
            choices=self.choices(question, required=required),
            widget=self.widget(),
        )


class Dropdown(SingleChoice):
    value = QuestionKind.DROPDOWN

    def choices(self, question: Question, *, required: bool) -> list[tuple[str, str]]:
        choices = ChoiceKind.choices(self, question, required=required)
        return [("", gettext_lazy("– please choose –")), *choices]

    def widget(self):
        return PlainSelect


class MultipleChoice(ChoiceKind):
    value = QuestionKind.MULTIPLE
    several_answers = True
    counts_respondents = True

    def field(self, question: Question, *, label, required: bool) -> forms.Field:
        help_text = question.help_text
        if question.max_choices:
            limit = gettext_lazy("Choose at most %(count)s.") % {"count": question.max_choices}
            help_text = f"{help_text} {limit}".strip()
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text,
            required=required,
            choices=self.choices(question, required=required),
            widget=forms.CheckboxSelectMultiple,
        )

    def clean(
        self, question: Question, cleaned: dict, add_error: Callable, *, required: bool = False
    ) -> None:
        if question.max_choices and len(self._chosen(question, cleaned)) > question.max_choices:
            add_error(
                question_field_name(question),
                gettext_lazy("Please choose at most %(count)s options.")
                % {"count": question.max_choices},
            )
        super().clean(question, cleaned, add_error, required=required)

    def answers_fit(self, question: Question, answers: list[AnswerInput]) -> bool:
        return not question.max_choices or len(answers) <= question.max_choices

    def sample_answers(self, question: Question, sample: Sampler) -> list[AnswerInput]:
        # Without a limit, at most four: people tick a few boxes, not all.
        chosen = sample.options(question.max_choices or 4)
        return [self._sampled(question, option, sample) for option in chosen]

    def choice_columns(self, question: Question, options: list) -> list[ExportColumn]:
        """One 0/1 column per option."""
        return [
            ExportColumn(
                f"{question.code}_{o.value}",
                f"{question.text} – {o.label}",
                question,
                "option",
                option_id=o.pk,
                codes=gettext("1 = chosen, 0 = not chosen, empty = question not answered"),
            )
            for o in options
        ]

    def export_value(self, column: ExportColumn, answers: list, option_values: Mapping):
        if column.kind == "option":
            if not answers:
                return ""
            return 1 if any(a.option_id == column.option_id for a in answers) else 0
        return super().export_value(column, answers, option_values)

    def result_bases(self, question, options, tallies: ResultTallies) -> list[int]:
        """Several options per person: the base is the people who chose any."""
        return [tallies.respondents.get((c, question.pk, None), 0) for c in range(tallies.ncols)]
