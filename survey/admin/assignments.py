"""Per-survey permissions: which limited analysts may work on which survey."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from survey.models import SurveyAssignment
from survey.permissions import limited_to_assigned


@admin.register(SurveyAssignment)
class SurveyAssignmentAdmin(admin.ModelAdmin):
    """Managed by superusers (or whoever is given the model's permissions); never by a
    limited analyst, who could otherwise assign themselves any survey."""

    list_display = ["survey", "user"]
    list_filter = ["survey"]
    search_fields = ["survey__title", "user__username", "user__first_name", "user__last_name"]
    list_select_related = ["survey", "user"]
    fields = ["survey", "user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return not limited_to_assigned(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return not limited_to_assigned(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return not limited_to_assigned(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not limited_to_assigned(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not limited_to_assigned(request.user) and super().has_delete_permission(request, obj)
