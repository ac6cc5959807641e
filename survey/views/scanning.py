"""Staff pages of machine-readable paper questionnaires: the numbered PDF and its layout."""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import View

from survey.permissions import SurveyStaffMixin
from survey.scanning.layout import layout_public
from survey.scanning.printing import (
    PrintError,
    layout_for_survey,
    paper_sheets_issue,
    paper_sheets_reprint,
    questionnaire_pdf,
)
from survey.views.pages import message_page


def _whole_number(value: str | None, default: int | None) -> int | None:
    if value in (None, ""):
        return default
    value = value.strip()
    if not value.isdigit() or len(value) > 10:
        raise PrintError(_("Please give whole numbers for the copies and the first sheet."))
    return int(value)


class QuestionnairePdfView(SurveyStaffMixin, View):
    """``?anzahl=N``: N copies with new sheet numbers; ``&ab=M``: copies of the numbers
    M … M+N-1 issued before, printed again. Staff only: every copy carries a sheet number."""

    permission_required = "survey.enter_paper_response"

    def get(self, request, slug):
        try:
            count = _whole_number(request.GET.get("anzahl"), 1)
            first = _whole_number(request.GET.get("ab"), None)
            layout = layout_for_survey(survey=self.survey)
            if first is None:
                sheets = paper_sheets_issue(
                    survey=self.survey, count=count, layout=layout, user=request.user
                )
            else:
                sheets = paper_sheets_reprint(survey=self.survey, first=first, count=count)
        except PrintError as error:
            return message_page(
                request,
                self.survey,
                _("The questionnaire cannot be printed"),
                str(error),
                status=400,
            )
        pdf = questionnaire_pdf(layout=layout, sheets=sheets)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"fragebogen-{self.survey.slug}-{sheets.first}-{sheets.first + sheets.count - 1}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


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
