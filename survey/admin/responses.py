"""Stored responses: read-only, deleted only by analysts (paper) or superusers (online)."""

from django.contrib import admin

from survey.models import Answer, Channel, Response
from survey.permissions import SurveyScopedAdminMixin
from survey.results.caching import survey_results_invalidate


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
class ResponseAdmin(SurveyScopedAdminMixin, admin.ModelAdmin):
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
