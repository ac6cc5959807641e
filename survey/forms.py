"""Forms of the questionnaire: one form per section, built from the question definitions.

The same form serves online participants (one section per page) and staff typing in paper
questionnaires (every section on one page, each with its own prefix).
"""

from collections.abc import Iterable

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.widgets import PlainSelect
from survey.access_codes import normalize_access_code
from survey.models import AccessCode, Question, QuestionKind, Response, Survey
from survey.services import AnswerInput

# Bounds that keep every value inside what the database column holds.
NUMBER_LIMIT = 1_000_000_000
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
OTHER_TEXT_MAX = 300


def question_field_name(question: Question) -> str:
    return f"q{question.pk}"


def other_field_name(question: Question) -> str:
    return f"q{question.pk}_other"


def item_field_name(question: Question, item) -> str:
    return f"q{question.pk}_i{item.pk}"


def _label(text: str, required: bool) -> str:
    # Required fields are marked in words, not only by an asterisk (ACCESSIBILITY.md).
    if required:
        return format_html("{} <span class='required-note'>({})</span>", text, _("required"))
    return text


class SectionForm(forms.Form):
    """The questions of one section. ``hidden_ids``: questions whose display condition is
    not met; they are neither required nor stored (used on the paper-entry page, where every
    question is on screen)."""

    # Browser validation would block the "back" button; the server validates and explains.
    use_required_attribute = False

    def __init__(
        self,
        *args,
        questions: Iterable[Question],
        hidden_ids: Iterable[int] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.hidden_ids = frozenset(hidden_ids)
        layout = []
        for question in self.questions:
            layout.append(self._add_question(question))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*layout)

    def _is_required(self, question: Question) -> bool:
        return question.required and question.pk not in self.hidden_ids

    def _add_question(self, question: Question):
        required = self._is_required(question)
        name = question_field_name(question)
        label = _label(question.text, required)
        help_text = question.help_text
        kind = question.kind
        if kind == QuestionKind.MATRIX:
            names = []
            for item in question.item_list:
                item_name = item_field_name(question, item)
                self.fields[item_name] = forms.ChoiceField(
                    label=item.label,
                    required=required,
                    choices=self._scale_choices(question, required),
                    widget=forms.RadioSelect,
                )
                names.append(InlineRadios(item_name))
            legend = label
            if help_text:
                legend = format_html(
                    "{} <span class='matrix-help'>{}</span>", legend, question.help_text
                )
            return Fieldset(legend, *names, css_class="matrix")
        if kind == QuestionKind.SCALE:
            self.fields[name] = forms.ChoiceField(
                label=label,
                help_text=help_text,
                required=required,
                choices=self._scale_choices(question, required),
                widget=forms.RadioSelect,
            )
            return InlineRadios(name)
        if kind in (QuestionKind.SINGLE, QuestionKind.DROPDOWN):
            choices = [(str(option.pk), option.label) for option in question.option_list]
            if kind == QuestionKind.DROPDOWN:
                choices.insert(0, ("", _("– please choose –")))
                widget = PlainSelect
            else:
                if not required:
                    choices.append(("", _("No answer")))
                widget = forms.RadioSelect
            self.fields[name] = forms.ChoiceField(
                label=label, help_text=help_text, required=required, choices=choices, widget=widget
            )
            return self._with_other(question, name)
        if kind == QuestionKind.MULTIPLE:
            if question.max_choices:
                limit = _("Choose at most %(count)s.") % {"count": question.max_choices}
                help_text = f"{help_text} {limit}".strip()
            self.fields[name] = forms.MultipleChoiceField(
                label=label,
                help_text=help_text,
                required=required,
                choices=[(str(option.pk), option.label) for option in question.option_list],
                widget=forms.CheckboxSelectMultiple,
            )
            return self._with_other(question, name)
        if kind == QuestionKind.NUMBER:
            low = question.number_min if question.number_min is not None else -NUMBER_LIMIT
            high = question.number_max if question.number_max is not None else NUMBER_LIMIT
            self.fields[name] = forms.IntegerField(
                label=label,
                help_text=help_text,
                required=required,
                min_value=low,
                max_value=high,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            return Field(name)
        max_length = SHORT_TEXT_MAX if kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
        widget = forms.TextInput if kind == QuestionKind.SHORT_TEXT else forms.Textarea
        self.fields[name] = forms.CharField(
            label=label,
            help_text=help_text,
            required=required,
            max_length=max_length,
            widget=widget(attrs={"rows": 5} if widget is forms.Textarea else {}),
        )
        return Field(name)

    def _with_other(self, question: Question, name: str):
        other = self._other_option(question)
        if other is None:
            return Field(name)
        self.fields[other_field_name(question)] = forms.CharField(
            label=_("If “%(option)s”: please specify") % {"option": other.label},
            required=False,
            max_length=OTHER_TEXT_MAX,
        )
        return Layout(Field(name), Field(other_field_name(question)))

    @staticmethod
    def _other_option(question: Question):
        return next((option for option in question.option_list if option.is_other), None)

    @staticmethod
    def _scale_choices(question: Question, required: bool) -> list[tuple[str, str]]:
        choices = []
        for value in question.scale_values:
            label = str(value)
            if value == question.scale_min and question.scale_min_label:
                label = f"{value} – {question.scale_min_label}"
            elif value == question.scale_max and question.scale_max_label:
                label = f"{value} – {question.scale_max_label}"
            choices.append((str(value), label))
        if not required:
            choices.append(("", _("No answer")))
        return choices

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            if question.kind == QuestionKind.MULTIPLE and question.max_choices:
                chosen = cleaned.get(question_field_name(question)) or []
                if len(chosen) > question.max_choices:
                    self.add_error(
                        question_field_name(question),
                        _("Please choose at most %(count)s options.")
                        % {"count": question.max_choices},
                    )
            other = self._other_option(question)
            if other is None or other_field_name(question) not in cleaned:
                continue
            chosen = cleaned.get(question_field_name(question)) or []
            if isinstance(chosen, str):
                chosen = [chosen]
            if str(other.pk) in chosen:
                if not cleaned[other_field_name(question)].strip():
                    self.add_error(
                        other_field_name(question),
                        _("You chose “%(option)s”: please say what you mean.")
                        % {"option": other.label},
                    )
            else:
                # Text typed next to an option that was not chosen says nothing.
                cleaned[other_field_name(question)] = ""
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
    chosen = {}
    for question in questions:
        if not question.is_choice:
            continue
        value = data.get(question_field_name(question))
        values = value if isinstance(value, list) else [value]
        chosen[question.pk] = [int(v) for v in values if v not in (None, "")]
    return chosen


def question_answer_inputs(question: Question, data: dict) -> list[AnswerInput]:
    """Turn cleaned form values of one question into answer rows."""
    name = question_field_name(question)
    kind = question.kind
    if kind == QuestionKind.MATRIX:
        return [
            AnswerInput(question_id=question.pk, item_id=item.pk, number=int(value))
            for item in question.item_list
            if (value := data.get(item_field_name(question, item))) not in (None, "")
        ]
    value = data.get(name)
    if value in (None, "", []):
        return []
    if question.is_choice:
        other_text = data.get(other_field_name(question), "") or ""
        values = value if isinstance(value, list) else [value]
        other_ids = {option.pk for option in question.option_list if option.is_other}
        return [
            AnswerInput(
                question_id=question.pk,
                option_id=int(option_id),
                text=other_text.strip() if int(option_id) in other_ids else "",
            )
            for option_id in values
        ]
    if kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        return [AnswerInput(question_id=question.pk, number=int(value))]
    text = value.strip()
    return [AnswerInput(question_id=question.pk, text=text)] if text else []


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

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_sheet_number(self) -> int:
        number = self.cleaned_data["sheet_number"]
        if Response.objects.filter(survey=self.survey, sheet_number=number).exists():
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
