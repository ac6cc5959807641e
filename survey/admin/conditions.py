"""Display conditions in the admin: the ``Condition`` rows of a page or question as an
inline below it (wired into ``survey.admin.questionnaire``). Each row compares the answer to
an earlier question (or one before it on the same page) with options or a number; the page
or question says whether all must hold (AND) or one is enough (OR). The activation check
(``survey.selectors.survey_activation_problems``) checks them again before a survey opens."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from survey import selectors
from survey.kinds import kind_of
from survey.kinds.yes_no import NO, YES
from survey.models import Condition, Option, Question, Section


def _owner_survey_id(owner) -> int | None:
    if isinstance(owner, Question):
        return owner.section.survey_id if owner.section_id else None
    return owner.survey_id


def _asked_before(source: Question, owner) -> bool:
    """By page order, then by position on the page (a page needs an earlier page)."""
    page = source.section
    if isinstance(owner, Section):
        return (page.position, page.pk) < (owner.position, owner.pk or 10**12)
    own_page = owner.section
    before = (page.position, page.pk, source.position, source.pk)
    return before < (own_page.position, own_page.pk, owner.position, owner.pk or 10**12)


def validate_rule(*, owner, source: Question, operator: str, options, value) -> None:
    """One condition: a question of the same survey asked before the page or question, an
    operator its kind can compare, and options of it or a value. Raises ValidationError."""
    if source.survey_id != _owner_survey_id(owner):
        raise forms.ValidationError(_("The condition must refer to a question of this survey."))
    if (isinstance(owner, Question) and source.pk == owner.pk) or not _asked_before(source, owner):
        raise forms.ValidationError(
            _("The condition must refer to a question asked before (an earlier page, or above it).")
        )
    _validate_comparison(source, operator, options, value)


def _validate_comparison(source: Question, operator: str, options, value) -> None:
    kind = kind_of(source)
    if operator not in kind.condition_operators:
        raise forms.ValidationError(
            _("This comparison does not fit the kind of the question “%(code)s”.")
            % {"code": source.code}
        )
    if kind.has_options:
        if not options or any(option.question_id != source.pk for option in options):
            raise forms.ValidationError(_("Choose options of the condition question."))
        if value is not None:
            raise forms.ValidationError(_("A choice question is compared with options only."))
        return
    if options:
        raise forms.ValidationError(_("Only choice questions are compared with options."))
    if value is None:
        raise forms.ValidationError(_("Enter the value to compare with."))
    if kind.condition_operators == {"equals"} and value not in (YES, NO):
        raise forms.ValidationError(_("For a yes/no question enter 1 (yes) or 0 (no)."))


class ConditionForm(forms.ModelForm):
    class Meta:
        model = Condition
        fields = ["source", "operator", "options", "value"]

    def clean(self):
        cleaned = super().clean()
        owner = self.instance.question or self.instance.section
        source = cleaned.get("source")
        if owner is None or source is None:
            return cleaned
        validate_rule(
            owner=owner,
            source=source,
            operator=cleaned.get("operator"),
            options=list(cleaned.get("options") or []),
            value=cleaned.get("value"),
        )
        return cleaned


class ConditionInlineBase(admin.TabularInline):
    model = Condition
    form = ConditionForm
    extra = 0
    verbose_name = _("condition")
    verbose_name_plural = _("conditions (combined as chosen above)")

    # Read-only once the survey has responses, like the rest of the questionnaire.
    @staticmethod
    def _frozen(obj) -> bool:
        return obj is not None and selectors.survey_has_responses(survey=obj.survey)

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        """Only questions and options of the survey of the page or question to choose from."""
        formset = super().get_formset(request, obj, **kwargs)
        survey_id = getattr(obj, "survey_id", None)
        fields = formset.form.base_fields
        fields["source"].queryset = Question.objects.filter(survey_id=survey_id).order_by(
            "section__position", "position", "id"
        )
        fields["options"].queryset = (
            Option.objects.filter(question__survey_id=survey_id)
            .select_related("question")
            .order_by("question__section__position", "question__position", "position")
        )
        fields["options"].label_from_instance = lambda o: f"{o.question.code}: {o.label}"
        return formset


class SectionConditionInline(ConditionInlineBase):
    fk_name = "section"


class QuestionConditionInline(ConditionInlineBase):
    fk_name = "question"
