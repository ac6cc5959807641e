"""Access codes: generated in bulk by the survey action, read-only and masked here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from survey.models import AccessCode
from survey.permissions import SurveyScopedAdminMixin


@admin.register(AccessCode)
class AccessCodeAdmin(SurveyScopedAdminMixin, admin.ModelAdmin):
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
