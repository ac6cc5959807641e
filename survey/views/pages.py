"""The public survey pages: the overview, a survey's start page, the thank-you page and the
questionnaire for printing; and the message page the other views answer with."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from portal.caching import cache_public_page
from survey import selectors
from survey.forms import AccessCodeForm
from survey.models import Survey, SurveyStatus
from survey.permissions import staff_has_perm


def visible_survey(request, slug: str, *, version: str | None = None) -> Survey:
    """Public surveys for everyone; drafts only for staff who may edit surveys (preview).

    With the content ``version`` read on this request, the row comes from the worker's
    memory (``selectors.survey_by_slug_cached``) instead of a query."""
    if version is None:
        survey = get_object_or_404(Survey, slug=slug)
    else:
        survey = selectors.survey_by_slug_cached(slug, version=version)
        if survey is None:
            raise Http404
    if survey.status != SurveyStatus.DRAFT:  # Survey.objects.public()
        return survey
    # The staff flag too, like every staff page: taking it away ends the preview at once,
    # even if the person keeps the group and an open session; a limited analyst previews
    # only the surveys assigned to them.
    if staff_has_perm(request.user, "survey.change_survey", survey=survey):
        return survey
    raise Http404


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
        return visible_survey(self.request, self.kwargs["slug"])

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
        return visible_survey(self.request, self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["definition"] = selectors.survey_definition(survey=self.object)
        return context


def message_page(request, survey, title, text, *, status=200, link=None):
    return render(
        request,
        "survey/survey_message.html",
        {"survey": survey, "title": title, "text": text, "link": link},
        status=status,
    )


def closed_message(request, survey: Survey, *, status=200):
    if survey.has_not_opened() or survey.status == SurveyStatus.DRAFT:
        text = _("This survey opens on %(date)s. Please come back then.")
        return message_page(
            request,
            survey,
            _("The survey has not started yet"),
            text % {"date": _local_date(survey.opens_at)},
            status=status,
        )
    return message_page(
        request,
        survey,
        _("The survey has ended"),
        _("This survey closed on %(date)s. Thank you for your interest; nothing was stored.")
        % {"date": _local_date(survey.closes_at)},
        status=status,
    )


def _local_date(value) -> str:
    return formats.date_format(timezone.localtime(value), "j. F Y, H:i")
