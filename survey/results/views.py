"""Results pages: public results (and the staff preview), exports and monitoring."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from portal.audit import audit_export
from portal.caching import cache_public_page, not_shareable
from portal.page_context import page_context
from survey import selectors
from survey.models import Survey, SurveyStatus
from survey.permissions import SurveyStaffMixin, staff_has_perm
from survey.progress import survey_progress
from survey.results import exports
from survey.results.charts import chart_key, chart_png, chart_svg, question_chart
from survey.results.forms import BreakdownForm
from survey.results.report import ReportBusy, render_results_report, survey_results_report
from survey.results.selectors import (
    publication_for,
    results_are_public,
    results_as_of,
    survey_monitoring,
    survey_results,
    survey_results_and_version,
)
from survey.services import pool_size

PREVIEW_PERMISSION = "survey.view_monitoring"
EXPORT_PERMISSION = "survey.export_responses"


def _survey_for_results(request, slug: str) -> tuple[Survey, bool]:
    """The survey and whether this is a staff preview; 404 while results are not public."""
    survey = get_object_or_404(Survey.objects.exclude(status=SurveyStatus.DRAFT), slug=slug)
    if results_are_public(survey=survey):
        return survey, False
    if staff_has_perm(request.user, PREVIEW_PERMISSION, survey=survey):
        return survey, True
    raise Http404


# The GET parameter that switches weighted results off ("?gewichtet=0").
WEIGHTED_PARAM = "gewichtet"


def _weighted_asked(request) -> bool:
    """Weighted figures unless ``?gewichtet=0`` (only "0" changes anything)."""
    return request.GET.get(WEIGHTED_PARAM) != "0"


def _weighted(request) -> bool:
    """As ``_weighted_asked``; any other value than 0 or 1 shows the weighted page but is
    not shared in the page cache (no flooding with odd URLs)."""
    if request.GET.get(WEIGHTED_PARAM) not in (None, "0", "1"):
        not_shareable(request)
    return _weighted_asked(request)


# Public results are the same for everyone (staff previews have a session and are never
# cached); survey_results_invalidate invalidates the page when published results change.
@method_decorator(cache_public_page(params=("nach", WEIGHTED_PARAM)), name="dispatch")
class ResultsView(TemplateView):
    template_name = "survey/results/results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        survey, preview = _survey_for_results(self.request, self.kwargs["slug"])
        breakdown = self.request.GET.get("nach", "")[:40] or None
        weighted = _weighted(self.request)
        results, version = survey_results_and_version(
            survey=survey, breakdown=breakdown, weighted=weighted
        )
        if "nach" in self.request.GET and self.request.GET["nach"] != (results.breakdown or ""):
            not_shareable(self.request)  # an unknown breakdown shows the totals
        form = BreakdownForm({"nach": results.breakdown or ""}, choices=results.breakdown_choices)
        publication = publication_for(survey=survey)
        context.update(
            survey=survey,
            preview=preview,
            publication=publication,
            as_of=results_as_of(survey=survey, publication=publication),
            results=results,
            results_version=version,
            sections=results.sections if preview else results.public_sections(),
            form=form,
            weighted_param=WEIGHTED_PARAM,
            weighting_text=exports.weighting_text(results.weighting),
            unweighted_asked=not weighted and results.weighting is not None,
        )
        # What other apps show here: the events that presented these results.
        context.update(page_context("survey_results", request=self.request, survey=survey))
        return context


def _csv_attachment(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ResultsCsvView(View):
    """The aggregated results as open data (``;``-separated, UTF-8 with BOM)."""

    def get(self, request, slug):
        survey, _preview = _survey_for_results(request, slug)
        results = survey_results(
            survey=survey,
            breakdown=request.GET.get("nach", "")[:40] or None,
            weighted=_weighted_asked(request),
        )
        rows = exports.results_csv(results=results)
        return _csv_attachment(rows, f"{survey.slug}-ergebnisse.csv")


class ResultsReportView(View):
    """The results report as a tagged PDF: cached until the results change; a staff preview
    is made anew every time and never cached."""

    def get(self, request, slug):
        survey, preview = _survey_for_results(request, slug)
        try:
            if preview:
                pdf, _fetcher = render_results_report(survey=survey, preview=True)
            else:
                pdf = survey_results_report(survey=survey)
        except ReportBusy:
            response = HttpResponse(
                gettext("The report is being made right now. Please try again in a minute."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "30"
            return response
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{survey.slug}-ergebnisbericht.pdf"'
        return response


class ResultsChartView(View):
    """One question's chart as SVG or PNG, with its caption (question, base, "Stand") in
    the image. Only questions the page shows: a hidden question, one without a chart or an
    unknown id is a 404, in a staff preview too (hidden questions are never downloaded)."""

    fmt = "svg"

    def get(self, request, slug, question_id):
        survey, _preview = _survey_for_results(request, slug)
        # As on the page: weighted unless ?gewichtet=0 (only "0" changes anything, so odd
        # values cannot make new cache entries).
        weighted = _weighted_asked(request)
        results = survey_results(survey=survey, weighted=weighted)
        result = results.question(question_id)
        chart = None
        if result is not None and not result.is_hidden:
            chart = question_chart(result, weighted=results.weighted)
        if chart is None:
            raise Http404
        as_of = results_as_of(survey=survey, publication=publication_for(survey=survey))
        # Cached like the results (only ids that passed the checks above get a key): a PNG
        # costs a tenth of a second of CPU, and a press day may ask for it often.
        key = chart_key(survey, question_id, f"{self.fmt}-{int(results.weighted)}", as_of)
        content = cache.get(key)
        if content is None:
            svg = chart_svg(chart, as_of=as_of, source=survey.title)
            content = chart_png(svg) if self.fmt == "png" else svg.encode()
            cache.set(key, content, timeout=settings.SURVEY_RESULTS_CACHE_SECONDS)
        content_type = "image/png" if self.fmt == "png" else "image/svg+xml; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        name = f"{survey.slug}-{slugify(result.code) or result.id}"
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.fmt}"'
        return response


def _audit_export(survey: Survey, filename: str) -> None:
    """Raw exports are logged with the number of responses in them, never their content."""
    audit_export(model=Survey, obj=survey, filename=filename, rows=survey.responses.count())


class _RawCsvView(SurveyStaffMixin, View):
    """A raw export of one survey as CSV, logged: ``rows(survey=…)`` gives the lines, the
    file is ``<slug>-<name>.csv``."""

    permission_required = EXPORT_PERMISSION
    rows = None
    name = ""

    def get(self, request, slug):
        filename = f"{slug}-{self.name}.csv"
        response = _csv_attachment(self.rows(survey=self.survey), filename)
        _audit_export(self.survey, filename)
        return response


class ResponsesCsvView(_RawCsvView):
    rows = staticmethod(exports.responses_csv)
    name = "antworten"


class CodebookCsvView(_RawCsvView):
    rows = staticmethod(exports.codebook_csv)
    name = "codebuch"


class ResponsesXlsxView(SurveyStaffMixin, View):
    permission_required = EXPORT_PERMISSION

    def get(self, request, slug):
        _audit_export(self.survey, f"{slug}-antworten.xlsx")
        return FileResponse(
            exports.responses_xlsx(survey=self.survey),
            as_attachment=True,
            filename=f"{slug}-antworten.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def _stats_form():
    from survey.results.stats_views import StatsExportForm

    return StatsExportForm()


class MonitoringView(SurveyStaffMixin, TemplateView):
    """While the survey runs: responses per day and channel, per municipality vs population."""

    permission_required = PREVIEW_PERMISSION
    template_name = "survey/results/monitoring.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        survey = self.survey
        monitoring = survey_monitoring(survey=survey)
        context.update(
            survey=survey,
            per_day=monitoring.per_day,
            total=monitoring.total,
            channels=monitoring.channels,
            municipalities=monitoring.municipalities,
            can_export=self.request.user.has_perm(EXPORT_PERMISSION),
            stats_form=_stats_form(),
            # Online responses not yet written (mixing pool): not in any figure here.
            pool_waiting=selectors.pool_waiting(survey=survey),
            pool_size=pool_size(),
            # Drop-out: counted at the moment, test questionnaires never (survey.progress).
            progress=survey_progress(survey=survey),
        )
        return context
