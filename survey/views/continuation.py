"""Save and continue later (``survey.continuation``): the page that shows the continuation
code once, and the page where it is typed in on any device."""

from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from survey import participation, selectors
from survey.continuation import (
    CONTINUATION_DAYS,
    WORDS_PER_CODE,
    continuation_store,
    continuation_take,
    normalize_continuation_code,
)
from survey.models import AccessCode
from survey.views.pages import closed_message, message_page, visible_survey


class ContinuationCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Continuation code"),
        max_length=200,
        help_text=gettext_lazy("The four words you noted, e.g. apfel bogen kerze wiese."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalize_continuation_code(self.cleaned_data["code"])
        if len(code.split()) != WORDS_PER_CODE:
            raise forms.ValidationError(
                _("Please enter all four words of your continuation code."), code="words"
            )
        return code


def continue_later(request, state: participation.Participation):
    """Store the questionnaire under a new continuation code and show the code, once (the
    page is not cached and the code is nowhere else)."""
    code, expires_on = continuation_store(
        survey=state.survey, definition=state.definition, state=state.set_aside()
    )
    response = render(
        request,
        "survey/survey_continuation_code.html",
        {"survey": state.survey, "code": code, "expires_on": expires_on},
    )
    response["Cache-Control"] = "no-store"
    return response


class ResumeView(View):
    """Type in the continuation code: the questionnaire put aside comes back into this
    browser's session and the stored copy is deleted."""

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
            # Checked before the code is spent: the answers could not be sent from here.
            return message_page(
                request,
                self.survey,
                _("You have already taken part"),
                _("Your answers to this survey were stored from this device. Thank you!"),
            )
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, status=200):
        return render(
            self.request,
            "survey/survey_resume.html",
            {"survey": self.survey, "form": form},
            status=status,
        )

    def get(self, request, slug):
        return self._render(ContinuationCodeForm())

    def post(self, request, slug):
        if participation.code_attempts_blocked(request):
            return message_page(
                request,
                self.survey,
                _("Too many attempts"),
                _("Too many codes were tried from this connection. Please try again later."),
                status=429,
            )
        form = ContinuationCodeForm(request.POST)
        if not form.is_valid():
            return self._render(form)
        state = continuation_take(survey=self.survey, code=form.cleaned_data["code"])
        if state is None:
            participation.code_attempt_failed(request)
            form.add_error(
                "code",
                _(
                    "We found no questionnaire put aside under these words for this survey. "
                    "Please check them; a continuation code is valid once and for %(days)s days."
                )
                % {"days": CONTINUATION_DAYS},
            )
            return self._render(form)
        if state.get("code") and not _access_code_unused(self.survey, state["code"]):
            return message_page(
                request,
                self.survey,
                _("This code has already been used"),
                _("Answers were already sent with the access code of this questionnaire."),
            )
        self.participation.restore(state)
        return redirect(reverse("survey:participate", kwargs={"slug": self.survey.slug}))


def _access_code_unused(survey, code: str) -> bool:
    return AccessCode.objects.filter(survey=survey, code=code, used=False).exists()
