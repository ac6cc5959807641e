"""The questionnaire builder below the survey: pages (Section) with their questions, and
questions with their options and matrix items. Once a survey has responses its questionnaire
is frozen (read-only here) so stored answers keep their meaning; duplicate it to change it."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from survey import selectors
from survey.admin import conditions
from survey.kinds import kind_of
from survey.models import MatrixItem, Option, Question, Section, Survey

FROZEN = _(
    "This survey already has responses, so its questionnaire can no longer be changed. "
    "Duplicate the survey to change the questions."
)


def is_frozen(survey) -> bool:
    return selectors.survey_has_responses(survey=survey)


class FrozenQuestionnaireMixin:
    """Read-only once the survey of the object (or of the parent of an inline) has
    responses."""

    @staticmethod
    def survey_of(obj):
        if obj is None:
            return None
        if isinstance(obj, Survey):
            return obj
        if isinstance(obj, Section | Question):
            return obj.survey
        return obj.question.survey

    def has_change_permission(self, request, obj=None):
        if is_frozen(self.survey_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if is_frozen(self.survey_of(obj)):
            return False
        return super().has_delete_permission(request, obj)


class FrozenInlineMixin(FrozenQuestionnaireMixin):
    def has_add_permission(self, request, obj=None):
        if is_frozen(self.survey_of(obj)):
            return False
        return super().has_add_permission(request, obj)


def validate_condition(*, survey, position, pk, condition_question, condition_options):
    """A display condition refers to a choice question on an earlier page of the same
    survey and to options of that question."""
    if condition_question is None:
        if condition_options:
            raise forms.ValidationError(_("Choose the question the options belong to."))
        return
    if condition_question.survey_id != survey.pk:
        raise forms.ValidationError(_("The condition must refer to a question of this survey."))
    if not kind_of(condition_question).has_options:
        raise forms.ValidationError(_("Conditions can only refer to choice questions."))
    source = condition_question.section
    if (source.position, source.pk) >= (position, pk or 10**12) or source.pk == pk:
        raise forms.ValidationError(_("The condition must refer to a question on an earlier page."))
    if not condition_options:
        raise forms.ValidationError(_("Choose at least one option of the condition question."))
    if any(option.question_id != condition_question.pk for option in condition_options):
        raise forms.ValidationError(_("The options must belong to the condition question."))


class SectionAdminForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = [
            "survey",
            "title",
            "description",
            "position",
            "condition_question",
            "condition_options",
            "condition_mode",
        ]

    def clean(self):
        cleaned = super().clean()
        survey = cleaned.get("survey") or getattr(self.instance, "survey", None)
        if survey is None:
            return cleaned
        if is_frozen(survey):
            raise forms.ValidationError(FROZEN)
        validate_condition(
            survey=survey,
            position=cleaned.get("position") or 0,
            pk=self.instance.pk,
            condition_question=cleaned.get("condition_question"),
            condition_options=list(cleaned.get("condition_options") or []),
        )
        return cleaned


class QuestionInline(FrozenInlineMixin, admin.TabularInline):
    model = Question
    fields = ["position", "code", "kind", "text", "required"]
    extra = 0
    show_change_link = True
    ordering = ["position", "id"]


@admin.register(Section)
class SectionAdmin(FrozenQuestionnaireMixin, admin.ModelAdmin):
    form = SectionAdminForm
    list_display = ["title", "survey", "position"]
    list_filter = ["survey"]
    search_fields = ["title"]
    list_select_related = ["survey"]
    inlines = [QuestionInline, conditions.SectionConditionInline]
    autocomplete_fields = ["condition_question"]
    filter_horizontal = ["condition_options"]


class OptionInline(FrozenInlineMixin, admin.TabularInline):
    model = Option
    fields = ["position", "label", "value", "is_other", "municipality"]
    extra = 0
    ordering = ["position", "id"]


class MatrixItemInline(FrozenInlineMixin, admin.TabularInline):
    model = MatrixItem
    fields = ["position", "label"]
    extra = 0
    ordering = ["position", "id"]


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "section",
            "position",
            "code",
            "kind",
            "text",
            "help_text",
            "required",
            "max_choices",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "number_min",
            "number_max",
            "is_breakdown",
            "breakdown_label",
            "topics",
            "condition_question",
            "condition_options",
            "condition_mode",
        ]

    def clean(self):
        cleaned = super().clean()
        section = cleaned.get("section")
        if section is None:
            return cleaned
        if is_frozen(section.survey):
            raise forms.ValidationError(FROZEN)
        code = cleaned.get("code")
        clash = Question.objects.filter(survey=section.survey, code=code).exclude(
            pk=self.instance.pk
        )
        if code and clash.exists():
            self.add_error("code", _("Another question of this survey has this code."))
        validate_condition(
            survey=section.survey,
            position=section.position,
            pk=section.pk,
            condition_question=cleaned.get("condition_question"),
            condition_options=list(cleaned.get("condition_options") or []),
        )
        return cleaned


@admin.register(Question)
class QuestionAdmin(FrozenQuestionnaireMixin, admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = ["code", "text", "kind", "required", "is_breakdown", "section", "survey"]
    list_filter = ["survey", "kind", "is_breakdown"]
    search_fields = ["code", "text"]
    list_select_related = ["survey", "section"]
    inlines = [OptionInline, MatrixItemInline, conditions.QuestionConditionInline]
    autocomplete_fields = ["section", "condition_question"]
    filter_horizontal = ["topics", "condition_options"]
    fieldsets = [
        (
            None,
            {"fields": ["section", "position", "code", "kind", "text", "help_text", "required"]},
        ),
        (_("Choices"), {"fields": ["max_choices"]}),
        (
            _("Scale and matrix"),
            {"fields": [("scale_min", "scale_max"), ("scale_min_label", "scale_max_label")]},
        ),
        (_("Number"), {"fields": [("number_min", "number_max")]}),
        (
            _("Results"),
            {"fields": ["is_breakdown", "breakdown_label", "topics"]},
        ),
        (
            _("Display condition"),
            {"fields": ["condition_question", "condition_options", "condition_mode"]},
        ),
    ]
