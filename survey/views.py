import csv
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from portal.audit import KIND_PAPER, audit_export, audit_record
from portal.caching import cache_public_page
from survey import participation, selectors
from survey.forms import AccessCodeForm, PaperSheetForm, SectionForm
from survey.models import AccessCode, Channel, Survey, SurveyStatus
from survey.services import (
    SubmissionError,
    format_access_code,
    response_pool,
    response_submit,
)


def _visible_survey(request, slug: str) -> Survey:
    """Public surveys for everyone; drafts only for staff who may edit surveys (preview)."""
    queryset = Survey.objects.all()
    # The staff flag too, like every staff page: taking it away ends the preview at once,
    # even if the person keeps the group and an open session.
    if not (request.user.is_staff and request.user.has_perm("survey.change_survey")):
        queryset = queryset.public()
    return get_object_or_404(queryset, slug=slug)


@method_decorator(cache_public_page, name="dispatch")
class SurveyListView(TemplateView):
    template_name = "survey/survey_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | selectors.survey_lists()


# Shared only while the page carries no form (the guard refuses pages with a CSRF token).
@method_decorator(cache_public_page, name="dispatch")
class SurveyDetailView(DetailView):
    template_name = "survey/survey_detail.html"
    context_object_name = "survey"

    def get_object(self, queryset=None):
        return _visible_survey(self.request, self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.uses_codes and self.object.is_running():
            context["code_form"] = AccessCodeForm(survey=self.object)
        return context


class ThanksView(DetailView):
    template_name = "survey/survey_thanks.html"
    context_object_name = "survey"

    def get_object(self, queryset=None):
        return get_object_or_404(Survey.objects.public(), slug=self.kwargs["slug"])


@method_decorator(cache_public_page, name="dispatch")
class QuestionnairePrintView(DetailView):
    """The whole questionnaire for printing and paper distribution."""

    template_name = "survey/survey_print.html"
    context_object_name = "survey"

    def get_object(self, queryset=None):
        return _visible_survey(self.request, self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["definition"] = selectors.survey_definition(survey=self.object)
        return context


def _message(request, survey, title, text, *, status=200, link=None):
    return render(
        request,
        "survey/survey_message.html",
        {"survey": survey, "title": title, "text": text, "link": link},
        status=status,
    )


def _closed_message(request, survey: Survey, *, status=200):
    if survey.has_not_opened() or survey.status == SurveyStatus.DRAFT:
        text = _("This survey opens on %(date)s. Please come back then.")
        return _message(
            request,
            survey,
            _("The survey has not started yet"),
            text % {"date": _local_date(survey.opens_at)},
            status=status,
        )
    return _message(
        request,
        survey,
        _("The survey has ended"),
        _("This survey closed on %(date)s. Thank you for your interest; nothing was stored.")
        % {"date": _local_date(survey.closes_at)},
        status=status,
    )


def _local_date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j. F Y, H:i")


class ParticipateView(View):
    """The questionnaire, one section per page; answers stay in the session (sealed) until
    the last page is submitted, then ``response_pool`` takes them into the mixing pool.

    A visit without a cookie writes nothing: the session starts with the first page sent
    (or the access code). The last page does not write the session; "already taken part"
    is a signed cookie without a time."""

    def dispatch(self, request, *args, **kwargs):
        self.survey = _visible_survey(request, kwargs["slug"])
        if not self.survey.is_running():
            return _closed_message(request, self.survey)
        self.definition = selectors.survey_definition_cached(survey=self.survey)
        self.participation = participation.Participation(
            request.session,
            self.survey,
            definition=self.definition,
            done_cookie=request.COOKIES.get(participation.DONE_COOKIE),
        )
        if not self.survey.uses_codes and self.participation.has_finished():
            return _already_taken_part(request, self.survey)
        if not self.definition.sections:
            return _closed_message(request, self.survey)
        return super().dispatch(request, *args, **kwargs)

    # --- helpers -------------------------------------------------------------------------
    def _steps(self):
        return participation.visible_steps(self.definition, self.participation.section_data)

    def _first_incomplete(self, steps) -> int:
        for index, (section, _shown, _hidden) in enumerate(steps, start=1):
            if not self.participation.is_complete(section):
                return index
        return len(steps)

    def _step_url(self, number: int) -> str:
        url = reverse("survey:participate", kwargs={"slug": self.survey.slug})
        return f"{url}?schritt={number}"

    def _render_step(self, steps, number, form, status=200):
        section, _shown, _hidden = steps[number - 1]
        return render(
            self.request,
            "survey/survey_participate.html",
            {
                "survey": self.survey,
                "section": section,
                "form": form,
                "step": number,
                "step_count": len(steps),
                "is_last": number == len(steps),
                "errors": form.error_summary() if form.is_bound else [],
            },
            status=status,
        )

    def _render_code_form(self, form, status=200):
        return render(
            self.request,
            "survey/survey_code.html",
            {"survey": self.survey, "form": form},
            status=status,
        )

    # --- GET -----------------------------------------------------------------------------
    def get(self, request, slug):
        if self.survey.uses_codes and not self.participation.code:
            return self._render_code_form(AccessCodeForm(survey=self.survey))
        steps = self._steps()
        first_incomplete = self._first_incomplete(steps)
        try:
            number = int(request.GET.get("schritt", first_incomplete))
        except ValueError:
            number = first_incomplete
        if not 1 <= number <= first_incomplete:
            return redirect(self._step_url(first_incomplete))
        section, shown, _hidden = steps[number - 1]
        form = SectionForm(questions=shown, initial=self.participation.section_data(section))
        return self._render_step(steps, number, form)

    # --- POST ----------------------------------------------------------------------------
    def post(self, request, slug):
        action = request.POST.get("action")
        if action == "code":
            return self._post_code()
        if self.survey.uses_codes and not self.participation.code:
            return self._render_code_form(AccessCodeForm(survey=self.survey))
        try:
            section_id = int(request.POST.get("section", ""))
        except ValueError:
            return HttpResponseBadRequest(_("Invalid request."))
        if action not in {"back", "next"} or section_id not in {
            section.pk for section in self.definition.sections
        }:
            return HttpResponseBadRequest(_("Invalid request."))
        if not self.participation.active:
            if action == "next" and section_id == self._steps()[0][0].pk:
                self.participation.start()  # the first page sent: the session begins here
            else:
                # The session expired (or cookies are off): say so and start again.
                messages.warning(
                    request,
                    _(
                        "Your earlier answers could not be found (the session may have "
                        "expired). Please start again."
                    ),
                )
                return redirect(self._step_url(1))
        steps = self._steps()
        numbers = {section.pk: number for number, (section, *_r) in enumerate(steps, start=1)}
        if section_id not in numbers or action not in {"back", "next"}:
            # A page from an older state of the questionnaire, or a tampered request.
            return HttpResponseBadRequest(_("Invalid request."))
        number = numbers[section_id]
        section, shown, _hidden = steps[number - 1]
        form = SectionForm(request.POST, questions=shown)
        valid = form.is_valid()
        if action == "back":
            # Keep what is valid so far; the page is checked again on the way forward.
            self.participation.save_section(section, form.cleaned_data, complete=False)
            self.participation.persist()
            return redirect(self._step_url(max(number - 1, 1)))
        if not valid:
            return self._render_step(steps, number, form)
        self.participation.save_section(section, form.cleaned_data, complete=True)
        steps = self._steps()  # answers on this page may show or hide later pages
        numbers = {s.pk: n for n, (s, *_r) in enumerate(steps, start=1)}
        if numbers[section.pk] < len(steps):
            self.participation.persist()
            return redirect(self._step_url(numbers[section.pk] + 1))
        return self._submit(steps)

    def _post_code(self):
        if participation.code_attempts_blocked(self.request):
            return _message(
                self.request,
                self.survey,
                _("Too many attempts"),
                _("Too many codes were tried from this connection. Please try again later."),
                status=429,
            )
        form = AccessCodeForm(self.request.POST, survey=self.survey)
        if not form.is_valid():
            participation.code_attempt_failed(self.request)
            return self._render_code_form(form)
        self.participation.start(code=form.cleaned_data["code"])
        return redirect(self._step_url(1))

    def _submit(self, steps):
        """The last page: everything is checked again, then handed to the pool. Only the
        ways that keep the answers for later write them to the session; a stored
        questionnaire leaves the session row as it was after the previous page."""
        answers = []
        for number, (section, shown, _hidden) in enumerate(steps, start=1):
            form = SectionForm(self.participation.section_data(section), questions=shown)
            if not self.participation.is_complete(section) or not form.is_valid():
                self.participation.persist()
                messages.warning(self.request, _("Please answer this page first."))
                return redirect(self._step_url(number))
            answers.extend(form.answer_inputs())
        if not participation.submission_allowed(self.request, survey=self.survey):
            self.participation.persist()
            return _message(
                self.request,
                self.survey,
                _("Too many submissions"),
                _(
                    "Many questionnaires were sent from this connection recently (one address "
                    "may be a whole school or library). Your answers are kept; please send "
                    "them again in an hour, or tomorrow if that does not help."
                ),
                status=429,
            )
        token = self.participation.token
        if not participation.submission_lock(token):
            # A second click while the first submission is being stored.
            return redirect("survey:thanks", slug=self.survey.slug)
        try:
            response_pool(
                survey=self.survey,
                answers=answers,
                access_code=self.participation.code or None,
            )
        except SubmissionError as error:
            participation.release_submission_lock(token)
            self.participation.persist()
            return _message(
                self.request, self.survey, _("Your answers could not be stored"), error.message
            )
        except Exception:
            # Let the participant try again at once rather than after the lock expires.
            participation.release_submission_lock(token)
            raise
        response = redirect("survey:thanks", slug=self.survey.slug)
        response.set_cookie(
            participation.DONE_COOKIE,
            self.participation.done_cookie(),
            max_age=_done_cookie_age(self.survey),
            # Sent back only to this questionnaire, never to the (cached) public pages.
            path=reverse("survey:participate", kwargs={"slug": self.survey.slug}),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


def _done_cookie_age(survey: Survey) -> int:
    """Until the survey closes (and a day), so the cookie ends with the survey."""
    left = (survey.closes_at - timezone.now()).total_seconds()
    return int(max(left, 0)) + 24 * 60 * 60


def _already_taken_part(request, survey: Survey):
    return _message(
        request,
        survey,
        _("You have already taken part"),
        _("Your answers to this survey were stored from this device. Thank you!"),
    )


class StaffPermissionMixin:
    """Staff pages: anonymous visitors go to the admin login, staff without the permission
    get 403."""

    permission_required = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (request.user.is_staff and request.user.has_perm(self.permission_required)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PaperEntryView(StaffPermissionMixin, View):
    """Staff type in paper questionnaires: every section on one page, keyboard first."""

    permission_required = "survey.enter_paper_response"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required) or not request.user.is_staff:
            return super().dispatch(request, *args, **kwargs)
        self.survey = get_object_or_404(Survey, slug=kwargs["slug"])
        self.definition = selectors.survey_definition(survey=self.survey)
        if not selectors.survey_accepts_paper(survey=self.survey):
            return _message(
                request,
                self.survey,
                _("Paper entry is closed"),
                _(
                    "Paper questionnaires can be entered while the survey is open or closed, "
                    "not before it opens or after its results were published."
                ),
            )
        return super().dispatch(request, *args, **kwargs)

    def _forms(self, data=None):
        """Bind the section forms in page order, deciding display conditions from the
        answers on the sheet itself; forms of hidden pages are shown but not checked."""
        chosen: dict[int, list[int]] = {}
        entries = []
        for section in self.definition.sections:
            section_shown = selectors.is_shown(section, chosen)
            hidden = [
                q.pk
                for q in section.question_list
                if not section_shown or not selectors.is_shown(q, chosen)
            ]
            form = SectionForm(
                data,
                questions=section.question_list,
                hidden_ids=hidden,
                prefix=f"s{section.pk}",
            )
            if data is not None and section_shown and form.is_valid():
                chosen.update(form.chosen_options())
            entries.append((section, form, section_shown))
        return entries

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
            },
            status=status,
        )

    def get(self, request, slug):
        sheet_form = PaperSheetForm(
            survey=self.survey, initial={"batch": request.GET.get("stapel", "")[:100]}
        )
        return self._render(sheet_form, self._forms())

    def post(self, request, slug):
        sheet_form = PaperSheetForm(request.POST, survey=self.survey)
        entries = self._forms(request.POST)
        valid = sheet_form.is_valid()
        for _section, form, shown in entries:
            if shown and not form.is_valid():
                valid = False
        if not valid:
            return self._render(sheet_form, entries)
        answers = []
        for _section, form, shown in entries:
            if shown:
                answers.extend(form.answer_inputs())
        try:
            response = response_submit(
                survey=self.survey,
                answers=answers,
                channel=Channel.PAPER,
                sheet_number=sheet_form.cleaned_data["sheet_number"],
                batch=sheet_form.cleaned_data["batch"],
                entered_by=request.user,
            )
        except SubmissionError as error:
            sheet_form.add_error(None, error.message)
            return self._render(sheet_form, entries)
        # Who typed in a sheet, for the log; not which response it became (the sheet's
        # link to the person entering it is deleted with the raw data).
        audit_record(kind=KIND_PAPER, model=Survey, obj=self.survey)
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


class AccessCodeExportView(StaffPermissionMixin, View):
    """Unused codes of a survey, as a printable page or CSV (staff only)."""

    permission_required = "survey.view_accesscode"

    def get(self, request, slug, fmt="html"):
        survey = get_object_or_404(Survey, slug=slug)
        codes = [
            format_access_code(code)
            for code in AccessCode.objects.filter(survey=survey, used=False).values_list(
                "code", flat=True
            )
        ]
        # Unused codes are ballots: who took how many of them home is logged (not the codes).
        audit_export(
            model=Survey,
            obj=survey,
            filename=f"zugangscodes-{slug}.csv" if fmt == "csv" else f"zugangscodes-{slug} (Druck)",
            rows=len(codes),
        )
        if fmt == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="zugangscodes-{slug}.csv"'
            response.write("\ufeff")  # BOM, so Excel reads the umlauts of the title
            writer = csv.writer(response, delimiter=";")
            writer.writerow([_("Survey"), _("Access code"), _("Address")])
            url = settings.SITE_URL + survey.get_absolute_url()
            for code in codes:
                writer.writerow([survey.title, code, url])
            return response
        return render(
            request,
            "survey/survey_access_codes.html",
            {
                "survey": survey,
                "codes": codes,
                "survey_url": settings.SITE_URL + survey.get_absolute_url(),
            },
        )
