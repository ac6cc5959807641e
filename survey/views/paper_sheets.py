"""Analysts find a paper sheet by its number and correct or delete what was typed in.
Online responses have no sheet number, so they cannot be reached here."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from survey.forms import PaperSheetForm
from survey.models import Channel, Response
from survey.paper import paper_sheet_correct, paper_sheet_delete, paper_sheet_get, sheet_form_data
from survey.permissions import SurveyStaffMixin
from survey.services import SubmissionError
from survey.views.staff import PaperEntryView

# Correcting a sheet is deleting it and typing it in again in one step: the same right.
CORRECT_PERMISSION = "survey.delete_response"
SHEETS_PER_PAGE = 100


class SheetLookupForm(forms.Form):
    bogen = forms.IntegerField(
        label=gettext_lazy("Sheet number"), min_value=1, max_value=2_000_000_000
    )


class PaperSheetListView(SurveyStaffMixin, View):
    """The paper sheets of a survey by number, and a field to jump to one."""

    permission_required = CORRECT_PERMISSION

    def get(self, request, slug):
        form = SheetLookupForm(request.GET or None)
        if form.is_bound and form.is_valid():
            number = form.cleaned_data["bogen"]
            if paper_sheet_get(survey=self.survey, sheet_number=number) is not None:
                return redirect("survey:paper_sheet", slug=slug, number=number)
            form.add_error(
                "bogen", _("No paper sheet with number %(number)s.") % {"number": number}
            )
        sheets = (
            Response.objects.filter(survey=self.survey, channel=Channel.PAPER)
            .order_by("sheet_number")
            .values("sheet_number", "batch", "submitted_on")
        )
        page = Paginator(sheets, SHEETS_PER_PAGE).get_page(request.GET.get("seite"))
        return render(
            request,
            "survey/survey_paper_sheets.html",
            {"survey": self.survey, "form": form, "page": page},
            status=200 if not form.errors else 404,
        )


class PaperSheetCorrectView(PaperEntryView):
    """One paper sheet in the entry form, as typed in; save a correction or delete it."""

    permission_required = CORRECT_PERMISSION

    def dispatch_survey(self, request, *args, **kwargs):
        self.response = paper_sheet_get(survey=self.survey, sheet_number=kwargs["number"])
        if self.response is None:
            return render(
                request,
                "survey/survey_message.html",
                {
                    "survey": self.survey,
                    "title": _("Paper sheet not found"),
                    "text": _("This survey has no paper sheet with that number."),
                },
                status=404,
            )
        return super().dispatch_survey(request, *args, **kwargs)

    def extra_context(self) -> dict:
        return {"correcting": self.response}

    def get(self, request, slug, number):
        data = sheet_form_data(
            questions=self.definition.questions,
            response=self.response,
            prefix=lambda question: f"s{question.section_id}",
        )
        data.update(sheet_number=self.response.sheet_number, batch=self.response.batch)
        sheet_form = PaperSheetForm(data, survey=self.survey, correcting=self.response)
        return self._render(sheet_form, self._forms(data))

    def post(self, request, slug, number):
        if request.POST.get("action") == "delete":
            return self._delete()
        sheet_form = PaperSheetForm(request.POST, survey=self.survey, correcting=self.response)
        entries = self._forms(request.POST)
        shown_forms = [form for _section, form, shown in entries if shown]
        valid = all([sheet_form.is_valid(), *(form.is_valid() for form in shown_forms)])
        if not valid:
            return self._render(sheet_form, entries)
        try:
            changed = paper_sheet_correct(
                response=self.response,
                answers=[answer for form in shown_forms for answer in form.answer_inputs()],
                sheet_number=sheet_form.cleaned_data["sheet_number"],
                batch=sheet_form.cleaned_data["batch"],
            )
        except SubmissionError as error:
            sheet_form.add_error(None, error.message)
            return self._render(sheet_form, entries)
        messages.success(
            request,
            _("Sheet %(number)s corrected (changed: %(questions)s).")
            % {"number": self.response.sheet_number, "questions": ", ".join(changed) or "–"},
        )
        return redirect("survey:paper_sheet", slug=slug, number=self.response.sheet_number)

    def _delete(self):
        if self.request.POST.get("confirm") != "yes":
            messages.error(self.request, _("Please confirm that the sheet is to be deleted."))
            return redirect(
                "survey:paper_sheet", slug=self.survey.slug, number=self.kwargs["number"]
            )
        number = self.response.sheet_number
        try:
            paper_sheet_delete(response=self.response)
        except SubmissionError as error:
            messages.error(self.request, error.message)
            return redirect("survey:paper_sheet", slug=self.survey.slug, number=number)
        messages.success(self.request, _("Sheet %(number)s deleted.") % {"number": number})
        return redirect(reverse("survey:paper_sheets", kwargs={"slug": self.survey.slug}))
