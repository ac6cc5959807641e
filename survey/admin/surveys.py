"""The survey in the admin: its settings and pages, the tools (print, paper entry, exports,
results), and the actions that open, duplicate and generate access codes for surveys."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from survey import selectors, services, studio
from survey.admin.questionnaire import (
    FROZEN,
    AutoNumberedFormSet,
    BuilderMedia,
    FrozenInlineMixin,
    SortableInlineMixin,
    is_frozen,
)
from survey.forms import AccessCodeGenerateForm
from survey.models import Question, Section, Survey, SurveyStatus
from survey.permissions import SurveyScopedAdminMixin, surveys_for_staff
from survey.results.caching import survey_results_invalidate
from survey.results.weighting_admin import WeightingTargetInline, weighting_targets_prefill


class SectionInline(FrozenInlineMixin, SortableInlineMixin, admin.TabularInline):
    """The pages of the survey, each with its questions and a link to add one: the
    builder's overview. A new survey gets three empty page rows."""

    model = Section
    formset = AutoNumberedFormSet
    fields = ["position", "title", "question_list"]
    readonly_fields = ["question_list"]
    extra_on_add = 3
    show_change_link = True
    ordering = ["position", "id"]

    parent_frozen = False

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra_on_add if obj is None else 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        self.parent_frozen = formset.is_frozen
        return formset

    def get_queryset(self, request):
        questions = Question.objects.order_by("position", "id").only(
            "id", "code", "text", "section_id", "position"
        )
        return super().get_queryset(request).prefetch_related(Prefetch("questions", questions))

    @admin.display(description=_("questions"))
    def question_list(self, obj):
        if obj.pk is None:
            return "–"
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            (
                (reverse("admin:survey_question_change", args=[q.pk]), q.code, q.text)
                for q in obj.questions.all()
            ),
        )
        add = format_html(
            '<a class="addlink" href="{}?section={}">{}</a>',
            reverse("admin:survey_question_add"),
            obj.pk,
            _("Add a question"),
        )
        if self.parent_frozen:
            add = ""
        return format_html('<ul class="builder-questions">{}</ul>{}', items, add)


class CopyIntoSurveyForm(forms.Form):
    """“Copy from another survey”: a question or a whole page of another survey, to the
    end of a page of this one."""

    source = forms.ChoiceField(label=_("What to copy"))
    section = forms.ModelChoiceField(label=_("To the end of page"), queryset=Section.objects.none())

    def __init__(self, *args, survey, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.user = user  # an analyst limited to some surveys copies only from those
        self.fields["section"].queryset = survey.sections.order_by("position", "id")
        self.fields["source"].choices = [("", "---------"), *self._sources()]

    def _sources(self):
        sections = self._others(Section).select_related("survey")
        questions = self._others(Question).only("id", "code", "text", "section_id")
        by_section: dict[int, list] = {}
        for question in questions.order_by("position", "id"):
            by_section.setdefault(question.section_id, []).append(question)
        groups: dict[str, list] = {}
        for section in sections.order_by("survey__title", "survey_id", "position", "id"):
            choices = groups.setdefault(section.survey.title, [])
            count = len(by_section.get(section.pk, []))
            choices.append(
                (
                    f"s{section.pk}",
                    _("Page “%(title)s” (%(count)d questions)")
                    % {"title": section.title, "count": count},
                )
            )
            choices += [
                (f"q{q.pk}", f"– {q.code}: {q.text}") for q in by_section.get(section.pk, [])
            ]
        return list(groups.items())

    def _others(self, model):
        """``model`` objects of the other surveys this user may see."""
        return surveys_for_staff(
            self.user, model.objects.exclude(survey=self.survey), lookup="survey"
        )

    def clean_source(self):
        value = self.cleaned_data["source"]
        model = {"s": Section, "q": Question}[value[0]]
        source = self._others(model).filter(pk=int(value[1:])).first()
        if source is None:
            raise forms.ValidationError(_("Choose a question or page of another survey."))
        return source


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
            "weight_min",
            "weight_max",
        ]
        widgets = {"topics": forms.CheckboxSelectMultiple}

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
class SurveyAdmin(SurveyScopedAdminMixin, admin.ModelAdmin):
    survey_lookup = ""
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
    readonly_fields = ["tools", "created_at"]
    inlines = [SectionInline, WeightingTargetInline]
    change_form_template = "admin/survey/survey/change_form.html"
    Media = BuilderMedia
    actions = ["open_surveys", "duplicate", "generate_access_codes", "prefill_weighting"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", ("opens_at", "closes_at"), "tools"]}),
        (_("Texts"), {"fields": ["intro", "privacy_notice"]}),
        (_("Participation"), {"fields": ["is_anonymous", "access_mode", "topics"]}),
        (
            _("Weighting of the results"),
            {
                "fields": [("weight_min", "weight_max")],
                "description": _(
                    "With weighting targets below (inhabitants per municipality, age group or "
                    "gender), the results page shows weighted percentages. Weights are "
                    "trimmed to this range."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(response_total=Count("responses"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"weight_min", "weight_max"} & set(form.changed_data):
            survey_results_invalidate(obj.pk)
        if "status" in form.changed_data:
            services.survey_opened(survey=obj)  # test responses go when it opens

    def get_urls(self):
        copy = path(
            "<int:survey_id>/kopieren/",
            self.admin_site.admin_view(self.copy_view),
            name="survey_survey_copy_into",
        )
        return [copy, *super().get_urls()]

    def copy_view(self, request, survey_id):
        """Copy a question or a page of another survey into this (draft) survey."""
        survey = get_object_or_404(self.get_queryset(request), pk=survey_id)
        if not (
            self.has_change_permission(request, survey)
            and request.user.has_perm("survey.add_question")
        ):
            raise PermissionDenied
        form = CopyIntoSurveyForm(request.POST or None, survey=survey, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                result = self._copy(form.cleaned_data["source"], form.cleaned_data["section"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self._report_copy(request, result)
                return HttpResponseRedirect(reverse("admin:survey_survey_change", args=[survey.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Copy from another survey"),
            "survey": survey,
            "form": form,
            "opts": self.model._meta,
            "frozen": is_frozen(survey),
        }
        return TemplateResponse(request, "admin/survey/survey/copy_into.html", context)

    @staticmethod
    def _copy(source, section):
        if isinstance(source, Section):
            return studio.section_copy(source=source, section=section)
        return studio.question_copy(source=source, section=section)

    def _report_copy(self, request, result):
        codes = ", ".join(q.code for q in result.questions) or "–"
        self.message_user(
            request,
            ngettext(
                "%(count)d question copied: %(codes)s.",
                "%(count)d questions copied: %(codes)s.",
                len(result.questions),
            )
            % {"count": len(result.questions), "codes": codes},
            messages.SUCCESS,
        )
        if result.dropped_conditions:
            self.message_user(
                request,
                _(
                    "Display conditions that refer to questions outside this survey or on later "
                    "pages were dropped from %(codes)s; set them again if needed."
                )
                % {"codes": ", ".join(result.dropped_conditions)},
                messages.WARNING,
            )

    def response_add(self, request, obj, post_url_continue=None):
        """“Save and add questions”: straight to the first question of the first page."""
        first = obj.sections.order_by("position", "id").first()
        if "_addquestion" in request.POST and first is not None:
            self.message_user(
                request,
                _("“%(title)s” saved. Now the first question:") % {"title": obj.title},
                messages.SUCCESS,
            )
            url = reverse("admin:survey_question_add") + f"?section={first.pk}"
            return HttpResponseRedirect(url)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        first = obj.sections.order_by("position", "id").first()
        if "_addquestion" in request.POST and first is not None:
            url = reverse("admin:survey_question_add") + f"?section={first.pk}"
            return HttpResponseRedirect(url)
        return super().response_change(request, obj)

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
            (reverse("survey:test", args=[obj.slug]), _("Test mode (before it opens)")),
            (reverse("survey:test_responses", args=[obj.slug]), _("Test responses")),
            (reverse("survey:paper_entry", args=[obj.slug]), _("Enter paper questionnaires")),
            (reverse("survey:paper_sheets", args=[obj.slug]), _("Correct paper sheets")),
            (
                reverse("survey:print_order", args=[obj.slug]),
                _("Print questionnaires for scanning"),
            ),
            (
                reverse("admin:survey_scanbatch_add") + f"?survey={obj.pk}",
                _("Upload scanned questionnaires"),
            ),
            (reverse("survey:scan_review", args=[obj.slug]), _("Review scanned questionnaires")),
            (reverse("survey:monitoring", args=[obj.slug]), _("Responses over time")),
            (reverse("survey:export_csv", args=[obj.slug]), _("All responses as CSV")),
            (reverse("survey:export_xlsx", args=[obj.slug]), _("All responses as Excel")),
            (reverse("survey:results", args=[obj.slug]), _("Results (preview until published)")),
        ]
        if obj.uses_codes:
            links += [
                (reverse("survey:access_codes", args=[obj.slug]), _("Print unused codes")),
                (reverse("survey:access_code_letters", args=[obj.slug]), _("Invitation letters")),
                (reverse("survey:access_codes_csv", args=[obj.slug]), _("Unused codes as CSV")),
            ]
        items = format_html(
            "".join('<li><a href="{}">{}</a></li>' for _link in links),
            *[part for link in links for part in link],
        )
        note = format_html("<p><strong>{}</strong></p>", FROZEN) if is_frozen(obj) else ""
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

    @admin.action(
        description=_("Weighting: take the inhabitants from the municipality profiles"),
        permissions=["change"],
    )
    def prefill_weighting(self, request, queryset):
        for survey in queryset:
            created = weighting_targets_prefill(survey=survey)
            self.log_change(request, survey, _("Weighting targets taken from the profiles."))
            self.message_user(
                request,
                ngettext(
                    "%(title)s: %(count)s weighting target added.",
                    "%(title)s: %(count)s weighting targets added.",
                    created,
                )
                % {"title": survey.title, "count": created},
                messages.SUCCESS,
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
                            '{} <a href="{}">{}</a> · <a href="{}">CSV</a> · <a href="{}">{}</a>',
                            ngettext(
                                "%(count)s code generated for %(title)s.",
                                "%(count)s codes generated for %(title)s.",
                                len(codes),
                            )
                            % {"count": len(codes), "title": survey.title},
                            reverse("survey:access_codes", args=[survey.slug]),
                            _("Print"),
                            reverse("survey:access_codes_csv", args=[survey.slug]),
                            reverse("survey:access_code_letters", args=[survey.slug]),
                            _("Invitation letters"),
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
