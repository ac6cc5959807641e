"""Admin for coding free texts: the theme list and quotes of each free-text question, and
the free-text answers with their themes. Registered from ``SurveyConfig.ready``; saves of
an answer's themes and the actions go through ``survey.results.services``; the theme and
quote inlines of a question are saved by the admin, which then invalidates the cached
results (``survey_results_invalidate``).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from survey.kinds import kind_values
from survey.models import (
    AnswerTheme,
    FreeTextAnswer,
    Question,
    Quote,
    TextQuestion,
    Theme,
)
from survey.permissions import SurveyScopedAdminMixin, surveys_for_staff
from survey.results import services
from survey.results.caching import survey_results_invalidate
from survey.results.forms import AnswerCodingForm, ThemeActionForm


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 3
    fields = ["label", "position", "mentions"]
    readonly_fields = ["mentions"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(mention_count=Count("codings"))

    @admin.display(description=_("mentions"))
    def mentions(self, obj):
        return getattr(obj, "mention_count", "–")


class QuoteInline(admin.StackedInline):
    model = Quote
    extra = 0
    fields = ["text", "is_released", "position"]


@admin.register(TextQuestion)
class TextQuestionAdmin(SurveyScopedAdminMixin, admin.ModelAdmin):
    """One page per free-text question: its theme list and its quotes."""

    list_display = ["code", "text", "survey", "answer_count", "uncoded_count", "answers_link"]
    list_filter = ["survey"]
    search_fields = ["text", "code"]
    fields = ["survey", "code", "text", "answers_link"]
    readonly_fields = ["survey", "code", "text", "answers_link"]
    inlines = [ThemeInline, QuoteInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(kind__in=kind_values("is_free_text"))
            .select_related("survey")
            .annotate(
                answer_total=Count("answers", distinct=True),
                uncoded=Count("answers", filter=Q(answers__codings__isnull=True), distinct=True),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("answers"), ordering="answer_total")
    def answer_count(self, obj):
        return obj.answer_total

    @admin.display(description=_("not coded yet"), ordering="uncoded")
    def uncoded_count(self, obj):
        return obj.uncoded

    @admin.display(description=_("code the answers"))
    def answers_link(self, obj):
        url = reverse("admin:survey_freetextanswer_changelist")
        return format_html(
            '<a href="{}?question__id__exact={}&amp;coded=no">{}</a>',
            url,
            obj.pk,
            _("Uncoded answers"),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        survey_results_invalidate(form.instance.survey_id)


class CodedFilter(admin.SimpleListFilter):
    title = _("coding")
    parameter_name = "coded"

    def lookups(self, request, model_admin):
        return [("no", _("not coded yet")), ("yes", _("coded"))]

    def queryset(self, request, queryset):
        coded = Exists(AnswerTheme.objects.filter(answer=OuterRef("pk")))
        if self.value() == "no":
            return queryset.filter(~coded)
        if self.value() == "yes":
            return queryset.filter(coded)
        return queryset


class TextQuestionFilter(admin.SimpleListFilter):
    title = _("question")
    parameter_name = "question__id__exact"

    def lookups(self, request, model_admin):
        questions = surveys_for_staff(
            request.user,
            Question.objects.filter(kind__in=kind_values("is_free_text")),
            lookup="survey",
        )
        return [(q.pk, f"{q.survey.title} · {q.code}") for q in questions.select_related("survey")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(question_id=self.value())
        return queryset


@admin.register(FreeTextAnswer)
class FreeTextAnswerAdmin(SurveyScopedAdminMixin, admin.ModelAdmin):
    survey_lookup = "question__survey"

    """Coding free-text answers: filter the uncoded ones, give themes one by one or in bulk."""

    form = AnswerCodingForm
    action_form = ThemeActionForm
    actions = ["add_theme", "remove_theme", "make_quotes"]
    list_display = ["short_text", "question_code", "theme_list"]
    list_filter = [
        TextQuestionFilter,
        CodedFilter,
        ("question__survey", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text"]
    list_per_page = 50
    fields = ["question", "text", "themes"]
    readonly_fields = ["question", "text"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(question__kind__in=kind_values("is_free_text"))
            .select_related("question__survey")
            .prefetch_related("codings__theme")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("answer"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 140 else obj.text[:139] + "…"

    @admin.display(description=_("question"), ordering="question__code")
    def question_code(self, obj):
        return f"{obj.question.survey.title} · {obj.question.code}"

    @admin.display(description=_("themes"))
    def theme_list(self, obj):
        return ", ".join(coding.theme.label for coding in obj.codings.all()) or "–"

    def save_model(self, request, obj, form, change):
        # The answer itself is never changed here; only its themes.
        services.answer_themes_set(answer=obj, themes=form.cleaned_data["themes"])

    def save_related(self, request, form, formsets, change):
        pass

    def changelist_view(self, request, extra_context=None):
        # The action bar offers only the themes of the user's surveys (the response is
        # rendered later, so its form can still be narrowed here).
        response = super().changelist_view(request, extra_context)
        action_form = (getattr(response, "context_data", None) or {}).get("action_form")
        if action_form is not None and "theme" in action_form.fields:
            field = action_form.fields["theme"]
            field.queryset = surveys_for_staff(
                request.user, field.queryset, lookup="question__survey"
            )
            # Filtered by question: only that question's themes.
            question = request.GET.get("question__id__exact", "")
            if question.isdigit() and len(question) < 12:
                field.queryset = field.queryset.filter(question_id=int(question))
        return response

    def _theme(self, request):
        # The action bar's own form validates the action only; read the theme ourselves.
        value = request.POST.get("theme", "")
        themes = surveys_for_staff(request.user, Theme.objects.all(), lookup="question__survey")
        theme = themes.filter(pk=value).first() if value.isdigit() else None
        if theme is None:
            self.message_user(request, _("Choose a theme first."), messages.WARNING)
        return theme

    def _report_others(self, request, change, theme) -> None:
        if change.other_questions:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected answer belongs to another question and was left "
                    "unchanged (the theme “%(theme)s” belongs to %(question)s).",
                    "%(count)d selected answers belong to other questions and were left "
                    "unchanged (the theme “%(theme)s” belongs to %(question)s).",
                    change.other_questions,
                )
                % {
                    "count": change.other_questions,
                    "theme": theme.label,
                    "question": theme.question.code,
                },
                messages.WARNING,
            )

    @admin.action(description=_("Add the chosen theme"), permissions=["change"])
    def add_theme(self, request, queryset):
        theme = self._theme(request)
        if theme is None:
            return
        change = services.answers_theme_add(answers=queryset, theme=theme)
        self.message_user(
            request,
            ngettext(
                "%(count)d answer coded as “%(theme)s”.",
                "%(count)d answers coded as “%(theme)s”.",
                change.changed,
            )
            % {"count": change.changed, "theme": theme.label},
            messages.SUCCESS,
        )
        if change.unchanged:
            self.message_user(
                request,
                ngettext(
                    "%(count)d answer already had this theme.",
                    "%(count)d answers already had this theme.",
                    change.unchanged,
                )
                % {"count": change.unchanged},
                messages.INFO,
            )
        self._report_others(request, change, theme)

    @admin.action(description=_("Remove the chosen theme"), permissions=["change"])
    def remove_theme(self, request, queryset):
        theme = self._theme(request)
        if theme is None:
            return
        change = services.answers_theme_remove(answers=queryset, theme=theme)
        self.message_user(
            request,
            ngettext(
                "Theme “%(theme)s” removed from %(count)d answer.",
                "Theme “%(theme)s” removed from %(count)d answers.",
                change.changed,
            )
            % {"count": change.changed, "theme": theme.label},
            messages.SUCCESS,
        )
        self._report_others(request, change, theme)

    @admin.action(description=_("Propose as quotes (not yet released)"), permissions=["change"])
    def make_quotes(self, request, queryset):
        created = 0
        for answer in queryset.select_related("question"):
            try:
                services.quote_create(answer=answer)
            except ValidationError:
                continue
            created += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d quote drafted: shorten and anonymise it, then release it.",
                "%(count)d quotes drafted: shorten and anonymise them, then release them.",
                created,
            )
            % {"count": created},
            messages.SUCCESS,
        )
