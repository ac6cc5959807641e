"""Forms of the questionnaire: one form per section, built from the question definitions.

The same form serves online participants (one section per page) and staff typing in paper
questionnaires (every section on one page, each with its own prefix).
"""

from collections.abc import Iterable, Mapping

from crispy_forms.helper import FormHelper
from crispy_forms.layout import TEMPLATE_PACK, Layout, LayoutObject
from crispy_forms.utils import render_crispy_form
from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.memo import VersionedMemo
from survey import conditions
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
    """The display condition of a page or question of a loaded questionnaire
    (``selectors.survey_definition``) in words, every rule with AND/OR ("Nur beantworten,
    wenn …"); "" when it is always shown. Written by ``survey.conditions.condition_text``,
    the one place that puts a display condition into words."""
    return getattr(element, "condition_text", "")


class SectionForm(forms.Form):
    """The questions of one section. ``hidden_ids``: questions whose display condition is
    not met; they are neither required nor stored (used on the paper-entry page, where every
    question is on screen). ``known``: the facts of the answers on earlier pages
    (``survey.conditions``); a question whose condition refers to an answer on this page is
    decided when the form is cleaned: hidden, it is not required and its answers are
    dropped, whatever was sent (the script that hides it on the page is only a help).

    ``as_written`` (paper entry): the sheet is recorded as it is, so a required question left
    blank is stored as "no answer" rather than refused, and each question shown only after a
    matching answer says so. Online stays strict."""

    # Browser validation would block the "back" button; the server validates and explains.
    use_required_attribute = False

    def __init__(
        self,
        *args,
        questions: Iterable[Question],
        hidden_ids: Iterable[int] = (),
        as_written: bool = False,
        known: Mapping[int, Iterable[int]] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.hidden_ids = frozenset(hidden_ids)
        self.as_written = as_written
        self.known = dict(known or {})
        on_page = [q.pk for q in self.questions]
        # Questions shown or hidden by an answer on this page.
        self.dependent = frozenset(
            q.pk for q in self.questions if conditions.depends_on(q, on_page)
        )
        self.page_hidden: set[int] = set()
        self.field_names: dict[int, list[str]] = {}
        # Question id → its condition for the script (questions shown by this page only).
        self.script_conditions: dict[int, str] = {}
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
        # A question hidden or shown on the page is checked for an answer in ``clean``.
        field_required = required and question.pk not in self.dependent
        part = kind_of(question).form_part(
            question, label=_label(question.text, required, hint), required=field_required
        )
        self.fields.update(part.fields)
        self.field_names[question.pk] = list(part.fields)
        if question.pk not in self.dependent:
            return part.layout
        condition = self._script_condition(question)
        self.script_conditions[question.pk] = condition
        return ConditionalPart(part.layout, question, condition)

    def _script_condition(self, question: Question) -> str:
        field_of = {}
        for source in self.questions:
            names = self.field_names.get(source.pk)
            if names and kind_of(source).condition_operators:
                field_of[source.pk] = self.add_prefix(names[0])
        return conditions.script_condition(question, self.known, field_of)

    def clean(self):
        cleaned = super().clean()
        facts = dict(self.known)
        for question in self.questions:
            # The caller decided the others (``hidden_ids``, or left out of the form).
            if question.pk in self.dependent and not conditions.is_shown(question, facts):
                self._drop(question, cleaned)
                continue
            required = self._is_required(question)
            kind_of(question).clean(question, cleaned, self.add_error, required=required)
            if question.pk in self.dependent and required:
                self._require(question, cleaned)
            values = conditions.answer_facts(question, cleaned)
            if values is not None and question.pk not in self.hidden_ids:
                facts[question.pk] = values
        self._facts = facts
        return cleaned

    def _drop(self, question: Question, cleaned: dict) -> None:
        """A question hidden by an answer on this page: nothing sent for it counts."""
        self.page_hidden.add(question.pk)
        for name in self.field_names[question.pk]:
            cleaned.pop(name, None)
            self._errors.pop(name, None)

    def _require(self, question: Question, cleaned: dict) -> None:
        names = self.field_names[question.pk]
        if not names or any(name in self._errors for name in names):
            return
        if not question_answer_inputs(question, cleaned):
            self.add_error(names[0], forms.Field.default_error_messages["required"])

    def facts(self) -> dict[int, list[int]]:
        """The facts of the answers so far, this page's included, for display conditions
        on later pages (after ``is_valid``)."""
        return dict(getattr(self, "_facts", self.known))

    def chosen_options(self) -> dict[int, list[int]]:
        """Option ids chosen per choice question, for display conditions."""
        return chosen_options(self.questions, self.cleaned_data)

    def answer_inputs(self) -> list[AnswerInput]:
        """The answers to store; hidden and unanswered questions give none."""
        data = self.cleaned_data
        answers = []
        for question in self.questions:
            if question.pk in self.hidden_ids or question.pk in self.page_hidden:
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
            if name in self.field_names.get(question.pk, ()):
                return f"{question.text} – {self.fields[name].label}"  # e.g. a ranked option
        return name


# The fields of blank questionnaire pages, as HTML (``section_fields_html``).
_BLANK_PAGES = VersionedMemo("survey:blank-pages", max_entries=256, seconds=3600)


def section_fields_html(form: SectionForm, *, version: str | None, scope: tuple) -> SafeString:
    """The fields of a questionnaire page as HTML (crispy-forms, without form tag and CSRF
    token: the page template puts those around it).

    Every new participant gets the same blank page: a form that is not bound and has no
    initial values is a function of the questionnaire's content ``version`` (bumped by
    every change to the survey), the language, ``scope`` (the caller's survey, page and
    mode) and the conditions the page's script evaluates (whether earlier answers met them:
    yes or no, never an answer). Its HTML is kept in worker memory under exactly those
    (``portal.memo``); rendering it costs a third of a step's CPU. A bound form (values,
    errors) or one with initial values (a page revisited) is always rendered anew, and
    so is everything without a version (a questionnaire not loaded through the cache)."""
    if form.is_bound or form.initial or version is None:
        return _render_fields(form)
    key = (
        version,
        get_language(),
        scope,
        form.prefix,
        form.as_written,
        form.hidden_ids,
        # The questions shown, not only the fields: an information text has none.
        tuple(question.pk for question in form.questions),
        tuple(form.fields),
        tuple(sorted(form.script_conditions.items())),
    )
    return _BLANK_PAGES.get_or_compute(key, lambda: _render_fields(form))


def _render_fields(form: SectionForm) -> SafeString:
    # safe: crispy-forms' templates escape every value
    return mark_safe(render_crispy_form(form, helper=form.helper))


class ConditionalPart(LayoutObject):
    """A question shown or hidden by an answer on its page: its fields in a wrapper that
    carries the condition for the script (``static/js/survey-conditions.js``)."""

    def __init__(self, inner, question: Question, condition: str):
        self.fields = [inner]
        self.question = question
        self.condition = condition

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        inner = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return format_html(
            '<div class="conditional-question" id="bedingt-{}" data-condition="{}">{}</div>',
            self.question.pk,
            self.condition,
            mark_safe(inner),  # safe: rendered by crispy's templates, which escape
        )


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


class PrintOrderForm(forms.Form):
    """Numbered copies of the machine-readable questionnaire: new numbers, or a reprint of
    numbers issued before (``ab``). Field names as in the old ``fragebogen.pdf`` query."""

    use_required_attribute = False

    anzahl = forms.IntegerField(
        label=_("Number of copies"),
        min_value=1,
        max_value=100,  # printing.MAX_SHEETS_PER_PDF, checked again by the service
        initial=20,
        help_text=_("Between 1 and 100 copies in one PDF file; every copy gets its own number."),
        error_messages={
            "required": _("Please enter how many copies you need."),
            "invalid": _("Please enter the number of copies as a whole number, e.g. 20."),
            "min_value": _("Please choose at least %(limit_value)s copy."),
            "max_value": _(
                "At most %(limit_value)s copies fit in one PDF file; print several batches."
            ),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    ab = forms.IntegerField(
        label=_("Reprint from sheet number"),
        required=False,
        min_value=1,
        max_value=2_000_000_000,
        help_text=_(
            "Leave empty for new sheet numbers. Only to print sheets issued before once more "
            "(e.g. after a paper jam): the copies then carry this number and the following ones."
        ),
        error_messages={
            "invalid": _("Please enter the sheet number as a whole number, as printed."),
            "min_value": _("Sheet numbers start at %(limit_value)s."),
            "max_value": _("No sheet number is that high."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
