"""Taking part online: the questionnaire page by page, the access code, the last page."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from survey import participation, selectors
from survey.forms import AccessCodeForm, SectionForm
from survey.models import Survey
from survey.services import SubmissionError
from survey.submission import OnlineSubmission, participation_submit
from survey.views.pages import closed_message, message_page, visible_survey


class ParticipateView(View):
    """The questionnaire, one section per page; answers stay in the session (sealed) until
    the last page is submitted, then ``participation_submit`` takes them into the mixing
    pool.

    A visit without a cookie writes nothing: the session starts with the first page sent
    (or the access code). The last page does not write the session; "already taken part"
    is a signed cookie without a time."""

    def dispatch(self, request, *args, **kwargs):
        self.survey = visible_survey(request, kwargs["slug"])
        if not self.survey.is_running():
            return closed_message(request, self.survey)
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
            return closed_message(request, self.survey)
        return super().dispatch(request, *args, **kwargs)

    # --- helpers -------------------------------------------------------------------------
    def _steps(self):
        return participation.visible_steps(self.definition, self.participation.section_data)

    def _first_incomplete(self, steps) -> int:
        for index, step in enumerate(steps, start=1):
            if not self.participation.is_complete(step.section):
                return index
        return len(steps)

    def _step_url(self, number: int) -> str:
        url = reverse("survey:participate", kwargs={"slug": self.survey.slug})
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
        if self.survey.uses_codes and not self.participation.code:
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
        if not valid:
            return self._render_step(steps, number, form)
        return self._forward(section, form.cleaned_data)

    def _posted_section_id(self, action) -> int | None:
        """The page sent back or forward; None for a malformed or tampered request."""
        if action not in {"back", "next"}:
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
        if action == "next" and section_id == self._steps()[0].section.pk:
            self.participation.start()
            return True
        return False

    def _forward(self, section, data):
        self.participation.save_section(section, data, complete=True)
        steps = self._steps()  # answers on this page may show or hide later pages
        number = _step_numbers(steps)[section.pk]
        if number < len(steps):
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
        self.participation.start(code=form.cleaned_data["code"])
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
            outcome = participation_submit(
                request=self.request, participation=self.participation, answers=answers
            )
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
        response = redirect("survey:thanks", slug=self.survey.slug)
        if outcome is OnlineSubmission.DUPLICATE:
            return response  # a second click while the first submission is being stored
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
