"""Staff downloads of the statistical exports (SPSS, Stata, R), beside the CSV/XLSX.

Same promises as the raw CSV/XLSX (``survey.results.views``): the permission
``survey.export_responses`` with the staff flag, an unknown survey is a 404 only for those
who may export, and every download is logged with its number of rows.
"""

from __future__ import annotations

from django import forms
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from survey.permissions import SurveyStaffMixin
from survey.results import stats_exports
from survey.results.stats_variables import VALUES_CODES, VALUES_TEXTS
from survey.results.views import EXPORT_PERMISSION, _audit_export
from survey.views.pages import message_page

# format → (writer, file suffix, content type)
FORMATS = {
    "sav": (stats_exports.responses_sav, "sav", "application/x-spss-sav"),
    "dta": (stats_exports.responses_dta, "dta", "application/x-stata-dta"),
    "r": (stats_exports.responses_r_zip, "zip", "application/zip"),
}


class StatsExportForm(forms.Form):
    """The choice on the monitoring page; also read from the links' query string."""

    format = forms.ChoiceField(
        label=gettext_lazy("File format"),
        choices=[
            ("sav", gettext_lazy("SPSS (.sav)")),
            ("dta", gettext_lazy("Stata (.dta)")),
            ("r", gettext_lazy("R (CSV and R script, .zip)")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="sav",
    )
    werte = forms.ChoiceField(
        label=gettext_lazy("Answers of choice questions as"),
        choices=[
            ("codes", gettext_lazy("codes (with value labels)")),
            ("texte", gettext_lazy("answer texts")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="codes",
        required=False,
    )


class StatsExportView(SurveyStaffMixin, View):
    permission_required = EXPORT_PERMISSION

    def get(self, request, slug):
        form = StatsExportForm(request.GET)
        if not form.is_valid():
            return message_page(
                request,
                self.survey,
                _("Export not possible"),
                _("Please choose one of the offered file formats (SPSS, Stata or R)."),
                status=400,
            )
        writer, suffix, content_type = FORMATS[form.cleaned_data["format"]]
        values = VALUES_TEXTS if form.cleaned_data["werte"] == "texte" else VALUES_CODES
        filename = f"{slug}-antworten{'-texte' if values == VALUES_TEXTS else ''}.{suffix}"
        handle = writer(survey=self.survey, values=values)
        _audit_export(self.survey, filename)
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
