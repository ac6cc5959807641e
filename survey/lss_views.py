"""Admin page "LimeSurvey-Struktur importieren": upload a .lss file, get a draft survey and
the list of what could not be carried over (``survey.lss_import``)."""

from django import forms
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from survey.lss_import import MAX_BYTES, LssError, lss_import
from survey.permissions import StaffPermissionMixin


class LssUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("LimeSurvey survey structure (.lss)"),
        help_text=gettext_lazy(
            "In LimeSurvey: Survey → Export → Survey structure (.lss). At most 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".lss,application/xml,text/xml"}),
    )
    title = forms.CharField(
        label=gettext_lazy("Title of the new survey"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Empty: the title in the file."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(size)s MB.") % {"size": 5})
        return upload


class LssImportView(StaffPermissionMixin, View):
    permission_required = "survey.add_survey"
    template_name = "admin/survey/survey/lss_import.html"

    def render(self, request, form, result=None, status=200):
        context = {
            **admin.site.each_context(request),
            "title": _("Import LimeSurvey structure"),
            "form": form,
            "result": result,
            "change_url": result and reverse("admin:survey_survey_change", args=[result.survey.pk]),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(request, LssUploadForm())

    def post(self, request):
        form = LssUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form, status=400)
        try:
            result = lss_import(
                data=form.cleaned_data["file"].read(MAX_BYTES + 1),
                title=form.cleaned_data["title"],
            )
        except LssError as error:
            form.add_error("file", str(error))
            return self.render(request, form, status=400)
        return self.render(request, LssUploadForm(), result=result)
