"""Admin for the analysts (Auswertung): publication and quotes; the coding of free texts is
in ``survey.results.admin_coding``.

Registered from ``SurveyConfig.ready()``; the questionnaire builder's admin lives in
``survey/admin.py``. Actions, and saves and deletions of quotes, go through
``survey.results.services``, which invalidate the cached results. A publication is saved by
the admin itself (a form with its hidden questions); its signal receiver
(``survey.results.caching.publication_changed``) and ``save_related`` invalidate them.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from survey.models import Question, Quote, ResultsPublication
from survey.permissions import SurveyScopedAdminMixin
from survey.results import services
from survey.results.caching import survey_results_invalidate


@admin.register(ResultsPublication)
class ResultsPublicationAdmin(SurveyScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "survey",
        "survey_status",
        "published_at",
        "publisher_name",
        "data_as_of",
        "delete_raw_after",
        "raw_deleted_at",
    ]
    list_filter = ["survey__status"]
    search_fields = ["survey__title"]
    fields = [
        "survey",
        "links",
        "publisher_name",
        "data_as_of",
        "hidden_questions",
        "min_group_size",
        "delete_raw_after",
        "published_at",
        "published_by",
        "raw_deleted_at",
    ]
    readonly_fields = ["links", "published_at", "published_by", "raw_deleted_at"]
    filter_horizontal = ["hidden_questions"]
    actions = ["publish", "unpublish"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "survey"] if obj else fields

    @admin.display(description=_("status"), ordering="survey__status")
    def survey_status(self, obj):
        return obj.survey.get_status_display()

    @admin.display(description=_("pages"))
    def links(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        slug = obj.survey.slug
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            [
                (reverse("survey:results", args=[slug]), _("Results (preview)")),
                (reverse("survey:monitoring", args=[slug]), _("Response monitoring")),
                (reverse("survey:export_csv", args=[slug]), _("All responses as CSV")),
                (reverse("survey:export_xlsx", args=[slug]), _("All responses as Excel")),
                (reverse("survey:export_codebook", args=[slug]), _("Codebook as CSV")),
                (
                    reverse("survey:export_stats", args=[slug]) + "?format=sav",
                    _("All responses for SPSS (.sav)"),
                ),
                (
                    reverse("survey:export_stats", args=[slug]) + "?format=dta",
                    _("All responses for Stata (.dta)"),
                ),
                (
                    reverse("survey:export_stats", args=[slug]) + "?format=r",
                    _("All responses for R (.zip)"),
                ),
            ],
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "hidden_questions":
            object_id = request.resolver_match.kwargs.get("object_id")
            queryset = Question.objects.none()
            if object_id:
                queryset = Question.objects.filter(survey__publication__pk=object_id)
            kwargs["queryset"] = queryset.order_by("section__position", "position")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        survey_results_invalidate(form.instance.survey_id)

    @admin.action(description=_("Publish the results"), permissions=["change"])
    def publish(self, request, queryset):
        for publication in queryset.select_related("survey"):
            try:
                services.results_publish(survey=publication.survey, user=request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"{publication.survey}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("Results of “%(survey)s” are now public.") % {"survey": publication.survey},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Take the results offline"), permissions=["change"])
    def unpublish(self, request, queryset):
        for publication in queryset.select_related("survey"):
            services.results_unpublish(survey=publication.survey, user=request.user)
        self.message_user(request, _("The results are no longer public."), messages.SUCCESS)


@admin.register(Quote)
class QuoteAdmin(SurveyScopedAdminMixin, admin.ModelAdmin):
    survey_lookup = "question__survey"

    list_display = ["__str__", "question", "is_released"]
    list_filter = ["is_released", ("question__survey", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text"]
    fields = ["question", "text", "is_released", "position", "source"]
    readonly_fields = ["question", "source"]
    actions = ["release", "withdraw"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question__survey", "answer")

    def has_add_permission(self, request):
        # Quotes start from an answer ("Propose as quotes" on the free-text answers).
        return False

    @admin.display(description=_("original answer (internal)"))
    def source(self, obj):
        return obj.answer.text if obj.answer_id else "–"

    def save_model(self, request, obj, form, change):
        services.quote_save(quote=obj)

    def delete_model(self, request, obj):
        services.quote_delete(quote=obj)

    def delete_queryset(self, request, queryset):
        services.quotes_delete(quotes=queryset)

    @admin.action(description=_("Release the selected quotes"), permissions=["change"])
    def release(self, request, queryset):
        services.quotes_release(quotes=queryset, released=True)

    @admin.action(description=_("Withdraw the selected quotes"), permissions=["change"])
    def withdraw(self, request, queryset):
        services.quotes_release(quotes=queryset, released=False)
