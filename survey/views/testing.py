"""Test mode: staff take a draft or scheduled survey as participants will, every page marked
"Testmodus – Antworten zählen nicht", and see what they sent in a list of its own."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from survey import selectors
from survey.models import Survey
from survey.permissions import SurveyStaffMixin, staff_has_perm
from survey.submission import OnlineSubmission
from survey.trial import (
    TRIAL_PERMISSION,
    survey_is_testable,
    trial_response_store,
    trial_responses_discard,
    trial_responses_listed,
)
from survey.views.pages import message_page
from survey.views.participate import ParticipateView


def mark_test_mode(request) -> None:
    """Every page rendered for this request carries the test-mode banner (base.html)."""
    request.survey_test_mode = True


class TrialParticipateView(ParticipateView):
    """The questionnaire in test mode. Its state lives under a session key of its own, and
    what it sends becomes a ``TrialResponse``: no mixing pool, no access code, no rate
    limit, no drop-out counter, no "already taken part" cookie."""

    url_name = "survey:test"
    state_key = "survey_test"

    def refusal(self, request, slug):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not staff_has_perm(request.user, TRIAL_PERMISSION):
            raise PermissionDenied
        self.survey = get_object_or_404(Survey, slug=slug)
        mark_test_mode(request)
        if not survey_is_testable(survey=self.survey):
            return message_page(
                request,
                self.survey,
                _("Test mode is not available"),
                _(
                    "Only drafts and surveys that have not opened yet can be tested. This "
                    "survey takes part for real or is over; test answers would mix with real "
                    "ones, so nothing was stored."
                ),
                status=409,
            )
        return None

    def _has_taken_part(self) -> bool:
        return False

    def _unsound(self) -> bool:
        return False  # testing is how the problems are found; they are listed on page 1

    def _needs_code(self) -> bool:
        return False  # codes are ballots: a test spends none

    def _count(self, stage, section=None) -> None:
        return None  # test questionnaires are not drop-outs

    def _begin(self, *, code: str = "") -> None:
        self.participation.start()

    def _later(self, number: int):
        # A test questionnaire put aside under a continuation code would outlive the
        # opening and could then be resumed and sent as a real one: it stays in the session.
        self.participation.persist()
        messages.info(
            self.request,
            _(
                "In test mode nothing is put aside: your test answers stay in this browser "
                "until you send them."
            ),
        )
        return redirect(self._step_url(number))

    def _store(self, answers):
        trial_response_store(survey=self.survey, answers=answers, user=self.request.user)
        return OnlineSubmission.STORED

    def _stored(self, outcome):
        # The next test starts afresh.
        self.request.session.pop(self.participation.key, None)
        messages.success(
            self.request, _("Test questionnaire stored. It is listed here and does not count.")
        )
        return redirect("survey:test_responses", slug=self.survey.slug)

    def get(self, request, slug):
        if not self.participation.active:
            problems = selectors.survey_activation_problems(
                survey=self.survey, definition=self.definition
            )
            if problems:
                messages.warning(
                    request,
                    _("The activation check still finds problems: %(problems)s")
                    % {"problems": " ".join(problems)},
                )
        return super().get(request, slug)


class TrialResponsesView(SurveyStaffMixin, TemplateView):
    """The test responses of a survey, apart from everything real; staff may delete them
    (they go anyway when the survey opens)."""

    permission_required = TRIAL_PERMISSION
    template_name = "survey/survey_test_responses.html"

    def get_context_data(self, **kwargs):
        mark_test_mode(self.request)
        context = super().get_context_data(**kwargs)
        context.update(
            survey=self.survey,
            rows=trial_responses_listed(survey=self.survey),
            testable=survey_is_testable(survey=self.survey),
            problems=selectors.survey_activation_problems(survey=self.survey),
        )
        return context

    def post(self, request, slug):
        deleted = trial_responses_discard(survey=self.survey)
        messages.success(request, _("%(count)d test responses deleted.") % {"count": deleted})
        return redirect("survey:test_responses", slug=self.survey.slug)
