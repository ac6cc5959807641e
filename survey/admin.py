"""The questionnaire builder: Survey (with its pages) → Section (with its questions) →
Question (with options and matrix items). Once a survey has responses its questionnaire is
frozen (read-only here) so stored answers keep their meaning; duplicate it to change it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from survey import selectors, services
from survey.forms import AccessCodeGenerateForm
from survey.models import (
    AccessCode,
    Answer,
    Channel,
    MatrixItem,
    Option,
    Question,
    Response,
    Section,
    Survey,
    SurveyStatus,
)
from survey.results import survey_results_invalidate

FROZEN = _(
    "This survey already has responses, so its questionnaire can no longer be changed. "
    "Duplicate the survey to change the questions."
)


def _is_frozen(survey) -> bool:
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
        if _is_frozen(self.survey_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if _is_frozen(self.survey_of(obj)):
            return False
        return super().has_delete_permission(request, obj)


class FrozenInlineMixin(FrozenQuestionnaireMixin):
    def has_add_permission(self, request, obj=None):
        if _is_frozen(self.survey_of(obj)):
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
    if not condition_question.is_choice:
        raise forms.ValidationError(_("Conditions can only refer to choice questions."))
    source = condition_question.section
    if (source.position, source.pk) >= (position, pk or 10**12) or source.pk == pk:
        raise forms.ValidationError(_("The condition must refer to a question on an earlier page."))
    if not condition_options:
        raise forms.ValidationError(_("Choose at least one option of the condition question."))
    if any(option.question_id != condition_question.pk for option in condition_options):
        raise forms.ValidationError(_("The options must belong to the condition question."))


class SectionInline(FrozenInlineMixin, admin.TabularInline):
    model = Section
    fields = ["position", "title"]
    extra = 0
    show_change_link = True
    ordering = ["position", "id"]


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "title",
            "slug",
            "status",
            "opens_at",
            "closes_at",
            "intro",
            "privacy_notice",
            "is_anonymous",
            "access_mode",
            "topics",
        ]

    def clean_status(self):
        """Results are published only through the results publication (logged, with the
        publisher's name), never by setting the status here."""
        status = self.cleaned_data["status"]
        previous = self.instance.status if self.instance.pk else None
        if (status == SurveyStatus.PUBLISHED) != (previous == SurveyStatus.PUBLISHED):
            raise forms.ValidationError(
                _(
                    "Results are published and taken offline under “Results publications”; "
                    "choose another status here."
                )
            )
        if status == SurveyStatus.OPEN and previous != SurveyStatus.OPEN:
            # The activation check, on the questionnaire as saved (pages, questions and
            # options are edited on their own pages).
            if self.instance.pk is None:
                raise forms.ValidationError(
                    _("A new survey has no questions yet: save it as a draft first.")
                )
            problems = selectors.survey_activation_problems(survey=self.instance)
            if problems:
                raise forms.ValidationError(
                    [_("The survey cannot be opened yet:"), *problems], code="activation"
                )
        return status


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    form = SurveyAdminForm
    list_display = [
        "title",
        "status",
        "opens_at",
        "closes_at",
        "access_mode",
        "response_count",
        "view_on_site_link",
    ]
    list_filter = ["status", "access_mode"]
    search_fields = ["title", "slug"]
    date_hierarchy = "opens_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics"]
    readonly_fields = ["tools", "created_at"]
    inlines = [SectionInline]
    actions = ["open_surveys", "duplicate", "generate_access_codes"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", ("opens_at", "closes_at"), "tools"]}),
        (_("Texts"), {"fields": ["intro", "privacy_notice"]}),
        (_("Participation"), {"fields": ["is_anonymous", "access_mode", "topics"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(response_total=Count("responses"))

    @admin.display(description=_("responses"), ordering="response_total")
    def response_count(self, obj):
        return obj.response_total

    @admin.display(description=_("page"))
    def view_on_site_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("view"))

    @admin.display(description=_("tools"))
    def tools(self, obj):
        if obj.pk is None:
            return "–"
        links = [
            (reverse("survey:print", args=[obj.slug]), _("Questionnaire for printing")),
            (reverse("survey:paper_entry", args=[obj.slug]), _("Enter paper questionnaires")),
            (reverse("survey:monitoring", args=[obj.slug]), _("Responses over time")),
            (reverse("survey:export_csv", args=[obj.slug]), _("All responses as CSV")),
            (reverse("survey:export_xlsx", args=[obj.slug]), _("All responses as Excel")),
            (reverse("survey:results", args=[obj.slug]), _("Results (preview until published)")),
        ]
        if obj.uses_codes:
            links += [
                (reverse("survey:access_codes", args=[obj.slug]), _("Print unused codes")),
                (reverse("survey:access_codes_csv", args=[obj.slug]), _("Unused codes as CSV")),
            ]
        items = format_html(
            "".join('<li><a href="{}">{}</a></li>' for _link in links),
            *[part for link in links for part in link],
        )
        note = format_html("<p><strong>{}</strong></p>", FROZEN) if _is_frozen(obj) else ""
        return format_html("{}<ul>{}</ul>", note, items)

    @admin.action(
        description=_("Open the selected surveys (after checking them)"),
        permissions=["change"],
    )
    def open_surveys(self, request, queryset):
        for survey in queryset:
            try:
                services.survey_open(survey=survey)
            except ValidationError as error:
                self.message_user(
                    request,
                    format_html(
                        "{}<ul>{}</ul>",
                        _("%(title)s cannot be opened yet:") % {"title": survey.title},
                        format_html_join("", "<li>{}</li>", ((m,) for m in error.messages)),
                    ),
                    messages.ERROR,
                )
                continue
            self.log_change(request, survey, _("Opened after the activation check."))
            self.message_user(
                request, _("%(title)s is open.") % {"title": survey.title}, messages.SUCCESS
            )

    @admin.action(description=_("Duplicate the selected surveys (as drafts)"))
    def duplicate(self, request, queryset):
        for survey in queryset:
            copy = services.survey_duplicate(survey=survey)
            self.log_addition(request, copy, [{"added": {}}])
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Copied:"),
                    reverse("admin:survey_survey_change", args=[copy.pk]),
                    copy.title,
                ),
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Generate access codes for the selected surveys"),
        permissions=["change"],
    )
    def generate_access_codes(self, request, queryset):
        if "apply" in request.POST:
            form = AccessCodeGenerateForm(request.POST)
            if form.is_valid():
                for survey in queryset:
                    codes = services.access_codes_generate(
                        survey=survey, count=form.cleaned_data["count"]
                    )
                    self.message_user(
                        request,
                        format_html(
                            '{} <a href="{}">{}</a> · <a href="{}">CSV</a>',
                            ngettext(
                                "%(count)s code generated for %(title)s.",
                                "%(count)s codes generated for %(title)s.",
                                len(codes),
                            )
                            % {"count": len(codes), "title": survey.title},
                            reverse("survey:access_codes", args=[survey.slug]),
                            _("Print"),
                            reverse("survey:access_codes_csv", args=[survey.slug]),
                        ),
                        messages.SUCCESS,
                    )
                return None
        else:
            form = AccessCodeGenerateForm()
        return TemplateResponse(
            request,
            "admin/survey/survey/generate_codes.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Generate access codes"),
                "surveys": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


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
        ]

    def clean(self):
        cleaned = super().clean()
        survey = cleaned.get("survey") or getattr(self.instance, "survey", None)
        if survey is None:
            return cleaned
        if _is_frozen(survey):
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
    inlines = [QuestionInline]
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
        ]

    def clean(self):
        cleaned = super().clean()
        section = cleaned.get("section")
        if section is None:
            return cleaned
        if _is_frozen(section.survey):
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
    inlines = [OptionInline, MatrixItemInline]
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
            {"fields": ["condition_question", "condition_options"]},
        ),
    ]


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "option", "item", "number", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "option", "item")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "survey", "channel", "submitted_on", "sheet_number", "batch"]
    list_filter = ["survey", "channel", "submitted_on"]
    search_fields = ["batch", "sheet_number"]
    date_hierarchy = "submitted_on"
    list_select_related = ["survey"]
    readonly_fields = ["survey", "channel", "submitted_on", "sheet_number", "batch", "entered_by"]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        # Responses come through the questionnaire or the paper-entry page only.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        """Analysts delete paper responses (a typo: delete, enter the sheet again); online
        responses are anonymous, nobody can ask for theirs, and there is no sheet to enter
        again: deleting one only changes the result, so only superusers may."""
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or obj.channel == Channel.PAPER or request.user.is_superuser

    def delete_model(self, request, obj):
        survey_id = obj.survey_id
        super().delete_model(request, obj)
        survey_results_invalidate(survey_id)

    def delete_queryset(self, request, queryset):
        survey_ids = set(queryset.values_list("survey_id", flat=True))
        super().delete_queryset(request, queryset)
        for survey_id in survey_ids:
            survey_results_invalidate(survey_id)


@admin.register(AccessCode)
class AccessCodeAdmin(admin.ModelAdmin):
    # An unused code is a vote: it is shown only on the print list and in the CSV, whose
    # downloads are logged; here it is masked, so nobody copies codes unseen.
    list_display = ["code_display", "survey", "used", "used_on"]
    list_filter = ["survey", "used"]
    search_fields = ["code"]
    list_select_related = ["survey"]
    fields = ["survey", "code_display", "used", "used_on"]
    readonly_fields = fields

    @admin.display(description=_("code"), ordering="code")
    def code_display(self, obj):
        return obj.code if obj.used else "••••••••"

    def has_add_permission(self, request):
        # Codes are generated in bulk with the survey action, never typed in.
        return False

    def has_change_permission(self, request, obj=None):
        return False
