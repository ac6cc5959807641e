"""Staff pages of machine-readable paper questionnaires: ordering numbered copies (the PDF)
and the layout."""

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import View

from survey.forms import PrintOrderForm
from survey.models import Survey
from survey.permissions import SurveyStaffMixin
from survey.scanning.layout import layout_public
from survey.scanning.printing import (
    PrintError,
    SheetRange,
    layout_for_survey,
    paper_sheets_issue,
    paper_sheets_reprint,
    questionnaire_pdf,
    sheet_batches_issued,
)
from survey.views.staff import sheet_form_errors

BATCHES_PER_PAGE = 50


class QuestionnairePrintOrderView(SurveyStaffMixin, View):
    """Staff order numbered copies of the machine-readable questionnaire: a form (new
    numbers, or a reprint of numbers issued before) and the batches issued so far. Issuing
    numbers changes state, so the PDF comes only from a POST with a CSRF token."""

    permission_required = "survey.enter_paper_response"
    template_name = "survey/survey_print_order.html"

    def get(self, request, slug):
        return self._render(PrintOrderForm())

    def post(self, request, slug):
        form = PrintOrderForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        count, first = form.cleaned_data["anzahl"], form.cleaned_data["ab"]
        try:
            layout = layout_for_survey(survey=self.survey)
            if first is None:
                sheets = paper_sheets_issue(
                    survey=self.survey, count=count, layout=layout, user=request.user
                )
            else:
                sheets = paper_sheets_reprint(survey=self.survey, first=first, count=count)
        except PrintError as error:
            form.add_error("ab" if first is not None else "anzahl", str(error))
            return self._render(form, status=400)
        return _pdf_response(self.survey, questionnaire_pdf(layout=layout, sheets=sheets), sheets)

    def _render(self, form, status=200):
        page = Paginator(sheet_batches_issued(survey=self.survey), BATCHES_PER_PAGE).get_page(
            self.request.GET.get("seite")
        )
        return render(
            self.request,
            self.template_name,
            {
                "survey": self.survey,
                "form": form,
                "errors": sheet_form_errors(form) if form.is_bound else [],
                "page": page,
            },
            status=status,
        )


def _pdf_response(survey: Survey, pdf: bytes, sheets: SheetRange) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"fragebogen-{survey.slug}-{sheets.first}-{sheets.numbers[-1]}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class QuestionnairePdfView(SurveyStaffMixin, View):
    """The old address of the numbered PDF. A GET must not issue sheet numbers (a link
    prefetch, a crawler or a reload would issue them again), so it leads to the order form."""

    permission_required = "survey.enter_paper_response"

    def get(self, request, slug):
        return redirect("survey:print_order", slug=self.survey.slug)


class QuestionnaireLayoutView(SurveyStaffMixin, View):
    """The map of every box and text area of the printed questionnaire, as JSON."""

    permission_required = "survey.enter_paper_response"

    def get(self, request, slug):
        layout = layout_for_survey(survey=self.survey)
        response = JsonResponse(
            layout_public(layout.data), json_dumps_params={"ensure_ascii": False}
        )
        response["Cache-Control"] = "private, no-store"
        return response
