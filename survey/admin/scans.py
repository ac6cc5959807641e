"""Scanned stacks in the admin: upload a stack, watch it being read, see its sheets.

Who may enter paper questionnaires may upload scans (``survey.enter_paper_response``, limited
to their surveys); deleting a stack (and its files) is for who may delete responses. Uploads
go to the admin because only there a signed-in user may send more than the public request
limit (``RequestLimitsMiddleware``).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from survey.models import ScanBatch, ScanBatchStatus, ScannedSheetState, Survey, SurveyStatus
from survey.permissions import SurveyScopedAdminMixin, staff_has_perm, surveys_for_staff
from survey.scanning.services import scan_batch_create, scan_batches_delete
from survey.scanning.validators import scan_file_type

UPLOAD_PERMISSION = "survey.enter_paper_response"
DELETE_PERMISSION = "survey.delete_response"


class ScanUploadForm(forms.Form):
    survey = forms.ModelChoiceField(
        label=gettext_lazy("survey"), queryset=Survey.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("scanned stack"),
        help_text=gettext_lazy(
            "A PDF or multi-page TIFF from the scanner, 200 to 300 dpi, grey or colour."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.tif,.tiff"}),
    )
    label = forms.CharField(
        label=gettext_lazy("Batch or collection point"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("e.g. Rathaus Mügeln, Stapel 3. Stored with every sheet."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys_for_staff(
            user, Survey.objects.filter(status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
        ).order_by("title")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        scan_file_type(upload)
        return upload


@admin.register(ScanBatch)
class ScanBatchAdmin(SurveyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "survey", "label", "uploaded_at", "status", "progress", "to_review"]
    list_filter = ["survey", "status"]
    search_fields = ["original_name", "label"]
    date_hierarchy = "uploaded_at"
    list_select_related = ["survey"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                review_count=Count(
                    "sheets", filter=Q(sheets__state=ScannedSheetState.REVIEW), distinct=True
                )
            )
        )

    # Permissions follow paper entry, not the model's own add/change permissions.
    def has_module_permission(self, request):
        return staff_has_perm(request.user, UPLOAD_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return staff_has_perm(request.user, UPLOAD_PERMISSION, survey=obj and obj.survey_id)

    def has_add_permission(self, request):
        return staff_has_perm(request.user, UPLOAD_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return staff_has_perm(request.user, DELETE_PERMISSION, survey=obj and obj.survey_id)

    @admin.display(description=gettext_lazy("pages read"))
    def progress(self, obj):
        return f"{obj.pages_done} / {obj.pages_total}" if obj.pages_total else "–"

    @admin.display(description=gettext_lazy("sheets to review"), ordering="review_count")
    def to_review(self, obj):
        return obj.review_count

    def get_urls(self):
        status = path(
            "<int:batch_id>/stand.json",
            self.admin_site.admin_view(self.status_view),
            name="survey_scanbatch_status",
        )
        return [status, *super().get_urls()]

    def _batch_or_404(self, request, batch_id) -> ScanBatch:
        try:
            batch_id = int(batch_id)
        except (TypeError, ValueError) as error:
            raise Http404 from error
        batch = get_object_or_404(
            self.get_queryset(request).select_related("survey", "uploaded_by"), pk=batch_id
        )
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        return batch

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"survey": request.GET.get("survey")} if request.GET.get("survey") else {}
        form = ScanUploadForm(
            request.POST or None, request.FILES or None, user=request.user, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            survey = form.cleaned_data["survey"]
            if not staff_has_perm(request.user, UPLOAD_PERMISSION, survey=survey):
                raise PermissionDenied
            batch = scan_batch_create(
                survey=survey,
                upload=form.cleaned_data["file"],
                label=form.cleaned_data["label"],
                uploaded_by=request.user,
            )
            self.message_user(
                request,
                _("The stack was uploaded and is being read. This page shows how far."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:survey_scanbatch_change", args=[batch.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload scanned questionnaires"),
            "form": form,
            "opts": self.model._meta,
            "max_size": _max_size(),
            # Where the numbered copies to scan come from (the surveys one may upload for).
            "print_surveys": form.fields["survey"].queryset.only("slug", "title"),
        }
        return TemplateResponse(request, "admin/survey/scanbatch/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self._batch_or_404(request, object_id)
        sheets = batch.sheets.order_by("sheet_number", "pk")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Scanned stack “%(name)s”") % {"name": batch},
            "batch": batch,
            "sheets": sheets,
            "running": batch.status in {ScanBatchStatus.QUEUED, ScanBatchStatus.PROCESSING},
            "review_count": batch.review_count,  # annotated by get_queryset
            "opts": self.model._meta,
            "can_delete": self.has_delete_permission(request, batch),
            "has_change_permission": False,  # a stack is only read, never edited
        }
        return TemplateResponse(request, "admin/survey/scanbatch/progress.html", context)

    def status_view(self, request, batch_id):
        """The progress as JSON, for the progress page's small script."""
        batch = self._batch_or_404(request, batch_id)
        response = JsonResponse(
            {
                "status": batch.status,
                "status_label": batch.get_status_display(),
                "pages_done": batch.pages_done,
                "pages_total": batch.pages_total,
                "sheets": batch.sheets.count(),
                "review": batch.review_count,
                "finished": batch.status in {ScanBatchStatus.DONE, ScanBatchStatus.FAILED},
            }
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def delete_model(self, request, obj):
        scan_batches_delete(batches=ScanBatch.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        scan_batches_delete(batches=queryset)


def _max_size() -> str:
    return filesizeformat(settings.SURVEY_SCAN_MAX_UPLOAD_SIZE)
