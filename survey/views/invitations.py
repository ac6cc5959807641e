"""Invitation letters (staff) and the link printed on them (participants)."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from portal.audit import audit_export
from survey import participation, selectors
from survey.access_codes import normalize_access_code
from survey.invitations import LINK_PARAMETER, invitation_letters
from survey.models import AccessCode, Survey, SurveyStatus
from survey.permissions import SurveyStaffMixin
from survey.views.pages import closed_message, message_page
from survey.views.participate import questionnaire_begin

LETTERS_PER_PAGE = 250


class AccessCodeLettersView(SurveyStaffMixin, View):
    """One printable A4 letter per unused code (print view of the browser, or "save as
    PDF"). Like the print list, whoever takes letters home is logged, never the codes."""

    permission_required = "survey.view_accesscode"

    def get(self, request, slug):
        survey = self.survey
        # In print runs of LETTERS_PER_PAGE: a browser prints a few hundred pages well.
        batch = Paginator(selectors.access_codes_unused(survey=survey), LETTERS_PER_PAGE)
        page = batch.get_page(request.GET.get("teil"))
        codes = list(page.object_list)
        audit_export(
            model=Survey,
            obj=survey,
            filename=f"einladungen-{slug} (Druck, Teil {page.number})",
            rows=len(codes),
        )
        response = render(
            request,
            "survey/survey_access_code_letters.html",
            {
                "survey": survey,
                "letters": invitation_letters(survey=survey, codes=codes),
                "page": page,
                "survey_url": survey.get_absolute_url(),
            },
        )
        response["Cache-Control"] = "no-store"
        return response


class AccessCodeLinkView(View):
    """``/zugang/?c=CODE`` from a letter's QR code: checks the code like the code form (the
    same guessing limit), puts it into the participant's (sealed) session and redirects to
    the questionnaire, so the code leaves the address bar at once. Never cached, and no
    Referer carries the code anywhere."""

    def get(self, request):
        response = self._answer(request)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        return response

    def _answer(self, request):
        if participation.code_attempts_blocked(request):
            return _link_message(
                request,
                _("Too many attempts"),
                _("Too many codes were tried from this connection. Please try again later."),
                status=429,
            )
        code = normalize_access_code(request.GET.get(LINK_PARAMETER, "").replace("\x00", ""))
        access = (
            AccessCode.objects.select_related("survey").filter(code=code).first() if code else None
        )
        if access is None or access.survey.status == SurveyStatus.DRAFT:
            participation.code_attempt_failed(request)
            return _link_message(
                request,
                _("Unknown access code"),
                _(
                    "We do not know this access code. Please check the address, or open the "
                    "survey and type the code from your letter."
                ),
                status=404,
            )
        survey = access.survey
        if access.used:
            participation.code_attempt_failed(request)
            return message_page(
                request,
                survey,
                _("This code has already been used"),
                _(
                    "Answers were already sent with this code. Every code can be used once; "
                    "if you have not taken part yet, please contact the municipality."
                ),
                status=410,
            )
        if not survey.is_running():
            return closed_message(request, survey)
        definition = selectors.survey_definition_cached(survey=survey)
        state = participation.Participation(
            request.session,
            survey,
            definition=definition,
            done_cookie=request.COOKIES.get(participation.DONE_COOKIE),
        )
        # A questionnaire under way in this browser is kept: a second letter of the household
        # (or a link planted by another site) must not throw its answers away.
        if not (state.active and state.code):
            questionnaire_begin(state, code=code)
        return redirect(reverse("survey:participate", kwargs={"slug": survey.slug}))


def _link_message(request, title, text, *, status):
    return render(
        request,
        "survey/survey_message.html",
        {"survey": None, "title": title, "text": text},
        status=status,
    )
