"""Taking part online: the questionnaire page by page, the access code, the last page."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from portal.caching import content_version
from survey import participation, selectors
from survey.forms import AccessCodeForm, SectionForm, section_fields_html
from survey.models import ProgressStage, Survey
from survey.progress import progress_count
from survey.services import SubmissionError
from survey.submission import OnlineSubmission, participation_submit
from survey.trial import trial_responses_discard
from survey.views.continuation import continue_later
from survey.views.pages import closed_message, message_page, visible_survey


def questionnaire_begin(state: participation.Participation, *, code: str = "") -> None:
    """A questionnaire starts (on page 1 or from an invitation link): counted as started and
    as having reached page 1. The first real participant of a scheduled survey also clears
    its test responses."""
    survey = state.survey
    state.start(code=code)
    trial_responses_discard(survey=survey)
    progress_count(survey=survey, stage=ProgressStage.STARTED)
    first = participation.visible_steps(state.definition, state.section_data)[0].section
    if state.mark_reached(first):
        progress_count(survey=survey, stage=ProgressStage.REACHED, section=first)
        state.persist()


class ParticipateView(View):
    """The questionnaire, one section per page; answers stay in the session (sealed) until
    the last page is submitted, then ``participation_submit`` takes them into the mixing
    pool.

    A visit without a cookie writes nothing: the session starts with the first page sent
    (or the access code). The last page does not write the session; "already taken part"
    is a signed cookie without a time.

    Test mode (``survey.views.testing``) is this view with the hooks below overridden."""

    url_name = "survey:participate"
    state_key = "survey"

    def dispatch(self, request, *args, **kwargs):
        # Read once: the survey row and the questionnaire are kept per worker under it.
        self.version = content_version()
        refusal = self.refusal(request, kwargs["slug"])
        if refusal is not None:
            return refusal
        self.definition = selectors.survey_definition_cached(
            survey=self.survey, version=self.version
        )
        self.participation = participation.Participation(
            request.session,
            self.survey,
            definition=self.definition,
            done_cookie=request.COOKIES.get(participation.DONE_COOKIE),
            key_prefix=self.state_key,
        )
        if self._has_taken_part():
            return _already_taken_part(request, self.survey)
        if not self.definition.sections:
            return closed_message(request, self.survey)
        if self._unsound():
            return message_page(
                request,
                self.survey,
                _("The survey is not available"),
                _(
                    "This questionnaire cannot be filled in at the moment. Please try again "
                    "later; nothing was stored."
                ),
                status=503,
            )
        return super().dispatch(request, *args, **kwargs)

    # --- hooks (test mode overrides them) -------------------------------------------------
    def refusal(self, request, slug):
        """Set ``self.survey``; a response when it takes no part now."""
        self.survey = visible_survey(request, slug, version=self.version)
        if not self.survey.is_running():
            return closed_message(request, self.survey)
        return None

    def _has_taken_part(self) -> bool:
        return not self.survey.uses_codes and self.participation.has_finished()

    def _unsound(self) -> bool:
        """A scheduled survey opens at its time without anybody pressing a button: the
        activation check runs here too (on the cached questionnaire, no query), so a
        questionnaire broken after it was scheduled is never handed out."""
        if self.definition.sound is not None:  # decided once per loaded questionnaire
            return not self.definition.sound
        return bool(
            selectors.survey_activation_problems(survey=self.survey, definition=self.definition)
        )

    def _needs_code(self) -> bool:
        return self.survey.uses_codes and not self.participation.code

    def _count(self, stage, section=None) -> None:
        """The drop-out counters (``survey.progress``): one more, nothing about whom."""
        progress_count(survey=self.survey, stage=stage, section=section)

    def _begin(self, *, code: str = "") -> None:
        questionnaire_begin(self.participation, code=code)

    def _store(self, answers):
        return participation_submit(
            request=self.request, participation=self.participation, answers=answers
        )

    # --- helpers -------------------------------------------------------------------------
    def _steps(self):
        return participation.visible_steps(self.definition, self.participation.section_data)

    def _first_incomplete(self, steps) -> int:
        for index, step in enumerate(steps, start=1):
            if not self.participation.is_complete(step.section):
                return index
        return len(steps)

    def _step_url(self, number: int) -> str:
        url = reverse(self.url_name, kwargs={"slug": self.survey.slug})
        return f"{url}?schritt={number}"

    def _render_step(self, steps, number, form, status=200):
        section = steps[number - 1].section
        return render(
            self.request,
            "survey/survey_participate.html",
            {
                "survey": self.survey,
                "section": section,
                "form": form,
                "fields": section_fields_html(
                    form,
                    version=self.definition.version,
                    scope=(self.survey.pk, section.pk, self.state_key),
                ),
                "step": number,
                "step_count": len(steps),
                "is_last": number == len(steps),
                "errors": form.error_summary() if form.is_bound else [],
                "form_action": reverse(self.url_name, kwargs={"slug": self.survey.slug}),
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
        if self._needs_code():
            return self._render_code_form(AccessCodeForm(survey=self.survey))
        steps = self._steps()
        first_incomplete = self._first_incomplete(steps)
        try:
            number = int(request.GET.get("schritt", first_incomplete))
        except ValueError:
            number = first_incomplete
        if not 1 <= number <= first_incomplete:
            return redirect(self._step_url(first_incomplete))
        step = steps[number - 1]
        form = SectionForm(
            questions=step.shown,
            known=step.known,
            initial=self.participation.section_data(step.section),
        )
        return self._render_step(steps, number, form)

    # --- POST ----------------------------------------------------------------------------
    def post(self, request, slug):
        action = request.POST.get("action")
        if action == "code":
            return self._post_code()
        if self._needs_code():
            return self._render_code_form(AccessCodeForm(survey=self.survey))
        section_id = self._posted_section_id(action)
        if section_id is None:
            return HttpResponseBadRequest(_("Invalid request."))
        if not self.participation.active and not self._start_on_first_page(action, section_id):
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
        numbers = _step_numbers(steps)
        if section_id not in numbers:
            # A page from an older state of the questionnaire, or a tampered request.
            return HttpResponseBadRequest(_("Invalid request."))
        number = numbers[section_id]
        section, shown, _hidden, known = steps[number - 1]
        form = SectionForm(request.POST, questions=shown, known=known)
        valid = form.is_valid()
        if action == "back":
            # Keep what is valid so far; the page is checked again on the way forward.
            self.participation.save_section(section, form.cleaned_data, complete=False)
            self.participation.persist()
            return redirect(self._step_url(max(number - 1, 1)))
        if action == "later":
            self.participation.save_section(section, form.cleaned_data, complete=False)
            return self._later(number)
        if not valid:
            return self._render_step(steps, number, form)
        return self._forward(section, form.cleaned_data)

    def _later(self, number: int):
        """Likewise, then out of the session under a continuation code (shown once)."""
        return continue_later(self.request, self.participation)

    def _posted_section_id(self, action) -> int | None:
        """The page sent back or forward; None for a malformed or tampered request."""
        if action not in {"back", "next", "later"}:
            return None
        try:
            section_id = int(self.request.POST.get("section", ""))
        except ValueError:
            return None
        if section_id not in {section.pk for section in self.definition.sections}:
            return None
        return section_id

    def _start_on_first_page(self, action, section_id: int) -> bool:
        """The first page sent: the session begins here. Any other page without a session
        means the earlier answers are gone."""
        if action in {"next", "later"} and section_id == self._steps()[0].section.pk:
            self._begin()
            return True
        return False

    def _forward(self, section, data):
        self.participation.save_section(section, data, complete=True)
        steps = self._steps()  # answers on this page may show or hide later pages
        number = _step_numbers(steps)[section.pk]
        if number < len(steps):
            following = steps[number][0]
            if self.participation.mark_reached(following):
                self._count(ProgressStage.REACHED, following)
            self.participation.persist()
            return redirect(self._step_url(number + 1))
        return self._submit(steps)

    def _post_code(self):
        if participation.code_attempts_blocked(self.request):
            return message_page(
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
        self._begin(code=form.cleaned_data["code"])
        return redirect(self._step_url(1))

    def _final_answers(self, steps) -> tuple[list, int | None]:
        """Every page checked again: the answers, or the number of the first page that
        still needs answering."""
        answers = []
        for number, (section, shown, _hidden, known) in enumerate(steps, start=1):
            form = SectionForm(
                self.participation.section_data(section), questions=shown, known=known
            )
            if not self.participation.is_complete(section) or not form.is_valid():
                return [], number
            answers.extend(form.answer_inputs())
        return answers, None

    def _submit(self, steps):
        """The last page: everything is checked again, then handed to the pool. Only the
        ways that keep the answers for later write them to the session; a stored
        questionnaire leaves the session row as it was after the previous page."""
        answers, incomplete = self._final_answers(steps)
        if incomplete is not None:
            self.participation.persist()
            messages.warning(self.request, _("Please answer this page first."))
            return redirect(self._step_url(incomplete))
        try:
            outcome = self._store(answers)
        except SubmissionError as error:
            return message_page(
                self.request, self.survey, _("Your answers could not be stored"), error.message
            )
        if outcome is OnlineSubmission.THROTTLED:
            return message_page(
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
        return self._stored(outcome)

    def _stored(self, outcome):
        response = redirect("survey:thanks", slug=self.survey.slug)
        if outcome is OnlineSubmission.DUPLICATE:
            return response  # a second click while the first submission is being stored
        self._count(ProgressStage.FINISHED)
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


def _step_numbers(steps) -> dict[int, int]:
    """Section id → its page number among the pages shown."""
    return {section.pk: number for number, (section, *_rest) in enumerate(steps, start=1)}


def _done_cookie_age(survey: Survey) -> int:
    """Until the survey closes (and a day), so the cookie ends with the survey."""
    left = (survey.closes_at - timezone.now()).total_seconds()
    return int(max(left, 0)) + 24 * 60 * 60


def _already_taken_part(request, survey: Survey):
    return message_page(
        request,
        survey,
        _("You have already taken part"),
        _("Your answers to this survey were stored from this device. Thank you!"),
    )
