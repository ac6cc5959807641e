"""Forms of the questionnaire: one form per section, built from the question definitions.

The same form serves online participants (one section per page) and staff typing in paper
questionnaires (every section on one page, each with its own prefix).
"""

from collections.abc import Iterable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey.access_codes import normalize_access_code
from survey.kinds import (
    LONG_TEXT_MAX,
    OTHER_TEXT_MAX,
    SHORT_TEXT_MAX,
    AnswerInput,
    item_field_name,
    kind_of,
    other_field_name,
    question_field_name,
)
from survey.models import AccessCode, Question, Response, Survey

# Re-exported: the field names and text limits are used by views, tests and selectors.
__all__ = [
    "LONG_TEXT_MAX",
    "OTHER_TEXT_MAX",
    "SHORT_TEXT_MAX",
    "AccessCodeForm",
    "AccessCodeGenerateForm",
    "PaperSheetForm",
    "SectionForm",
    "chosen_options",
    "condition_hint",
    "item_field_name",
    "other_field_name",
    "question_answer_inputs",
    "question_field_name",
]


def _label(text: str, required: bool, hint: str = "") -> str:
    # Required fields are marked in words, not only by an asterisk (WCAG 3.3.2).
    if required:
        text = format_html("{} <span class='required-note'>({})</span>", text, _("required"))
    if hint:
        text = format_html("{} <span class='condition-note'>({})</span>", text, hint)
    return text


def condition_hint(element) -> str:
    """ "nur wenn …" for a page or question of a loaded questionnaire
    (``selectors.survey_definition``) that is shown only after a matching answer; "" when
    it is always shown. The one place that puts a display condition into words."""
    source = getattr(element, "condition_source", None)
    if source is None:
        return ""
    answers = gettext(" or ").join(f"„{label}“" for label in element.condition_labels)
    return gettext("only if %(code)s was answered with %(answers)s") % {
        "code": source.code,
        "answers": answers,
    }


class SectionForm(forms.Form):
    """The questions of one section. ``hidden_ids``: questions whose display condition is
    not met; they are neither required nor stored (used on the paper-entry page, where every
    question is on screen).

    ``as_written`` (paper entry): the sheet is recorded as it is, so a required question left
    blank is stored as "no answer" rather than refused, and each question shown only after a
    matching answer says so ("nur wenn …"). Online stays strict."""

    # Browser validation would block the "back" button; the server validates and explains.
    use_required_attribute = False

    def __init__(
        self,
        *args,
        questions: Iterable[Question],
        hidden_ids: Iterable[int] = (),
        as_written: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.hidden_ids = frozenset(hidden_ids)
        self.as_written = as_written
        layout = []
        for question in self.questions:
            layout.append(self._add_question(question))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*layout)

    def _is_required(self, question: Question) -> bool:
        return question.required and question.pk not in self.hidden_ids and not self.as_written

    def _add_question(self, question: Question):
        required = self._is_required(question)
        hint = condition_hint(question) if self.as_written else ""
        part = kind_of(question).form_part(
            question, label=_label(question.text, required, hint), required=required
        )
        self.fields.update(part.fields)
        return part.layout

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            kind_of(question).clean(question, cleaned, self.add_error)
        return cleaned

    def chosen_options(self) -> dict[int, list[int]]:
        """Option ids chosen per choice question, for display conditions."""
        return chosen_options(self.questions, self.cleaned_data)

    def answer_inputs(self) -> list[AnswerInput]:
        """The answers to store; hidden and unanswered questions give none."""
        data = self.cleaned_data
        answers = []
        for question in self.questions:
            if question.pk in self.hidden_ids:
                continue
            answers.extend(question_answer_inputs(question, data))
        return answers

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, what, message) for every error, in the order of the fields."""
        summary = []
        for name, field in self.fields.items():
            bound = self[name]
            for error in bound.errors:
                anchor = bound.auto_id
                if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    anchor = f"{bound.auto_id}_0"
                summary.append((anchor, self._what(name), error))
        summary.extend(("", "", error) for error in self.non_field_errors())
        return summary

    def _what(self, name: str) -> str:
        for question in self.questions:
            if name == question_field_name(question):
                return question.text
            if name == other_field_name(question):
                specify = _("please specify")
                return f"{question.text} – {specify}"
            for item in getattr(question, "item_list", []):
                if name == item_field_name(question, item):
                    return f"{question.text} – {item.label}"
        return name


def chosen_options(questions: Iterable[Question], data: dict) -> dict[int, list[int]]:
    """Option ids chosen per question with options, for display conditions."""
    return {
        question.pk: kind_of(question).condition_option_ids(question, data)
        for question in questions
        if kind_of(question).has_options
    }


def question_answer_inputs(question: Question, data: dict) -> list[AnswerInput]:
    """Turn cleaned form values of one question into answer rows."""
    return kind_of(question).answer_inputs(question, data)


class AccessCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Access code"),
        max_length=40,
        help_text=_("The code printed on your invitation, e.g. ACDE-FGHJ."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey

    def clean_code(self) -> str:
        code = normalize_access_code(self.cleaned_data["code"])
        if not AccessCode.objects.filter(survey=self.survey, code=code, used=False).exists():
            raise forms.ValidationError(
                _("This code is unknown or has already been used. Please check what you typed."),
                code="invalid_code",
            )
        return code


class PaperSheetForm(forms.Form):
    """The head of a paper questionnaire: what staff copy from the sheet itself."""

    use_required_attribute = False

    sheet_number = forms.IntegerField(
        label=_("Sheet number"),
        min_value=1,
        max_value=2_000_000_000,
        help_text=_("The number written on the paper questionnaire."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autofocus": True}),
    )
    batch = forms.CharField(
        label=_("Batch or collection point"),
        max_length=100,
        required=False,
        help_text=_("e.g. Rathaus Mügeln, Stapel 3. Kept for the next sheet."),
    )

    def __init__(self, *args, survey: Survey, correcting: Response | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.correcting = correcting  # the sheet being corrected keeps its own number
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_sheet_number(self) -> int:
        number = self.cleaned_data["sheet_number"]
        others = Response.objects.filter(survey=self.survey, sheet_number=number)
        if self.correcting is not None:
            others = others.exclude(pk=self.correcting.pk)
        if others.exists():
            raise forms.ValidationError(
                _("Sheet %(number)s has already been entered."),
                code="duplicate_sheet",
                params={"number": number},
            )
        return number


class AccessCodeGenerateForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of codes"),
        min_value=1,
        max_value=10_000,
        initial=100,
    )
