"""Staff pages outside the admin: typing in paper questionnaires, printing access codes."""

import csv
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from portal.audit import audit_export
from survey import selectors
from survey.forms import PaperSheetForm
from survey.models import Channel, Survey
from survey.paper import paper_section_forms
from survey.permissions import SurveyStaffMixin
from survey.services import SubmissionError, format_access_code
from survey.submission import paper_sheet_submit
from survey.views.pages import message_page


class PaperEntryView(SurveyStaffMixin, View):
    """Staff type in paper questionnaires: every section on one page, keyboard first."""

    permission_required = "survey.enter_paper_response"

    def dispatch_survey(self, request, *args, **kwargs):
        self.definition = selectors.survey_definition(survey=self.survey)
        if not selectors.survey_accepts_paper(survey=self.survey):
            return message_page(
                request,
                self.survey,
                _("Paper entry is closed"),
                _(
                    "Paper questionnaires can be entered while the survey is open or closed, "
                    "not before it opens or after its results were published."
                ),
            )
        return super().dispatch_survey(request, *args, **kwargs)

    def _forms(self, data=None):
        return paper_section_forms(definition=self.definition, data=data)

    def _render(self, sheet_form, entries, status=200):
        errors = []
        if sheet_form.is_bound:
            errors.extend(sheet_form_errors(sheet_form))
        for _section, form, shown in entries:
            if form.is_bound and shown:
                errors.extend(form.error_summary())
        return render(
            self.request,
            "survey/survey_paper_entry.html",
            {
                "survey": self.survey,
                "sheet_form": sheet_form,
                "entries": entries,
                "errors": errors,
                "entered_count": self.survey.responses.filter(channel=Channel.PAPER).count(),
                **self.extra_context(),
            },
            status=status,
        )

    def extra_context(self) -> dict:
        return {}

    def get(self, request, slug):
        sheet_form = PaperSheetForm(
            survey=self.survey, initial={"batch": request.GET.get("stapel", "")[:100]}
        )
        return self._render(sheet_form, self._forms())

    def post(self, request, slug):
        sheet_form = PaperSheetForm(request.POST, survey=self.survey)
        entries = self._forms(request.POST)
        shown_forms = [form for _section, form, shown in entries if shown]
        # Every form is checked, so that every error shows at once.
        valid = all([sheet_form.is_valid(), *(form.is_valid() for form in shown_forms)])
        if not valid:
            return self._render(sheet_form, entries)
        try:
            response = paper_sheet_submit(
                survey=self.survey,
                answers=[answer for form in shown_forms for answer in form.answer_inputs()],
                sheet_number=sheet_form.cleaned_data["sheet_number"],
                batch=sheet_form.cleaned_data["batch"],
                entered_by=request.user,
            )
        except SubmissionError as error:
            sheet_form.add_error(None, error.message)
            return self._render(sheet_form, entries)
        messages.success(
            request,
            _("Sheet %(number)s saved. Next sheet, please.") % {"number": response.sheet_number},
        )
        url = reverse("survey:paper_entry", kwargs={"slug": self.survey.slug})
        return redirect(f"{url}?{urlencode({'stapel': response.batch})}")


def sheet_form_errors(form) -> list[tuple[str, str, str]]:
    summary = [
        (form[name].auto_id, str(form.fields[name].label), error)
        for name in form.fields
        for error in form[name].errors
    ]
    summary.extend(("", "", error) for error in form.non_field_errors())
    return summary


class AccessCodeExportView(SurveyStaffMixin, View):
    """Unused codes of a survey, as a printable page or CSV (staff only)."""

    permission_required = "survey.view_accesscode"

    def get(self, request, slug, fmt="html"):
        survey = self.survey
        codes = [format_access_code(code) for code in selectors.access_codes_unused(survey=survey)]
        # Unused codes are ballots: who took how many of them home is logged (not the codes).
        audit_export(
            model=Survey,
            obj=survey,
            filename=f"zugangscodes-{slug}.csv" if fmt == "csv" else f"zugangscodes-{slug} (Druck)",
            rows=len(codes),
        )
        survey_url = settings.SITE_URL + survey.get_absolute_url()
        if fmt == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="zugangscodes-{slug}.csv"'
            response.write("\ufeff")  # BOM, so Excel reads the umlauts of the title
            writer = csv.writer(response, delimiter=";")
            writer.writerow([_("Survey"), _("Access code"), _("Address")])
            for code in codes:
                writer.writerow([survey.title, code, survey_url])
            return response
        return render(
            request,
            "survey/survey_access_codes.html",
            {"survey": survey, "codes": codes, "survey_url": survey_url},
        )
