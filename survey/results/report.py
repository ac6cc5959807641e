"""The results report ("Ergebnisbericht"): a tagged PDF (PDF/UA-1) of a survey's published
results, made on the server by WeasyPrint from the same result objects and charts as the
results page, and cached until the results change (README, "Ergebnisbericht").

Only what the public page shows goes in: the public sections of the unbroken results, with
every figure disclosure control withheld shown as "–". WeasyPrint loads nothing from any
host: the HTML is ours, the charts are inline SVG, and its URL fetcher serves the report's
own static files (stylesheet, logo) and refuses every other URL, so a question text or quote
with ``<img src="http://…">`` (escaped anyway) or a ``file://`` URL never reaches a server
or a file.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import posixpath
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext

from survey.kinds import KINDS
from survey.models import Survey
from survey.results import caching
from survey.results.charts import chart_svg, question_chart
from survey.results.exports import weighting_text
from survey.results.selectors import publication_for, results_as_of, survey_results

logger = logging.getLogger(__name__)

# Bumped whenever the report's layout changes, so cached PDFs are made anew.
REPORT_FORMAT = 3
# The only URLs the PDF renderer may load: our static files under this made-up base
# (".invalid" never resolves, RFC 2606), mapped to files by Django's static finders.
STATIC_BASE = "https://report.invalid/static/"
STATIC_FILES = frozenset({"css/report.css", "img/logo.svg"})
# While one process makes a report, the others wait this long for it, then give up with
# "try again in a moment" rather than all rendering the same PDF.
LOCK_SECONDS = 180
WAIT_SECONDS = 20


class ReportBusy(Exception):
    """Another process is making this report right now; try again shortly."""


def _static_fetcher():
    # WeasyPrint is imported only where a report is made: the site starts without it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the report's own static files; every other URL raises, so WeasyPrint
        leaves the resource out (and logs it) instead of fetching it."""

        fetched: list[str]
        refused: list[str]

        def __init__(self):
            super().__init__(fail_on_errors=False)
            self.fetched, self.refused = [], []

        def fetch(self, url, headers=None):
            path = _static_path(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"Not loaded in a report: {url[:100]}")
            self.fetched.append(url)
            return URLFetcherResponse(
                url,
                body=path.read_bytes(),
                headers={"Content-Type": mimetypes.guess_type(path.name)[0] or ""},
            )

    return StaticOnlyFetcher()


def _static_path(url: str) -> Path | None:
    """The file behind one of the allowed static URLs, or None for anything else."""
    if not url.startswith(STATIC_BASE):
        return None
    name = posixpath.normpath(url.removeprefix(STATIC_BASE).split("?")[0].split("#")[0])
    if name not in STATIC_FILES:
        return None
    found = finders.find(name)
    return Path(found) if found else None


@dataclass
class ReportQuestion:
    result: object  # QuestionResult
    kind: object  # QuestionKindSpec
    chart: str  # inline SVG, empty when the question has no chart


def report_context(*, survey: Survey, preview: bool = False) -> dict:
    """What the report shows: the public results, unbroken, with each question's chart."""
    results = survey_results(survey=survey)
    publication = publication_for(survey=survey)
    as_of = results_as_of(survey=survey, publication=publication)
    sections = []
    for section in results.public_sections():
        questions = []
        for result in section.questions:
            chart = question_chart(result, weighted=results.weighted)
            svg = ""
            if chart:
                # The figure's text alternative in the tagged PDF: the table says it all.
                alt = gettext("Chart of %(code)s; the figures are in the table below.") % {
                    "code": result.code
                }
                svg = chart_svg(chart, as_of=as_of, caption=False, title=alt)
            questions.append(ReportQuestion(result, KINDS[result.kind], svg))
        sections.append({"section": section, "questions": questions})
    return {
        "survey": survey,
        "results": results,
        "publication": publication,
        "as_of": as_of,
        "sections": sections,
        "preview": preview,
        "static_base": STATIC_BASE,
        "site_name": settings.SITE_NAME,
        "weighting_text": weighting_text(results.weighting) if results.weighted else "",
        "results_url": settings.SITE_URL + survey.get_absolute_url() + "ergebnisse/",
        "made_at": timezone.localtime(),
    }


def render_results_report(*, survey: Survey, preview: bool = False) -> tuple[bytes, object]:
    """The report as PDF bytes (uncached), and the fetcher that saw every URL."""
    from weasyprint import HTML

    html = render_to_string(
        "survey/results/report.html", report_context(survey=survey, preview=preview)
    )
    fetcher = _static_fetcher()
    pdf = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=_identifier(survey), optimize_images=False
    )
    return pdf, fetcher


def _identifier(survey: Survey) -> bytes:
    return hashlib.md5(f"{survey.pk}:{survey.slug}".encode(), usedforsecurity=False).digest()


def _report_key(survey: Survey) -> str:
    """Changes with the results version (a response, coding, the publication) and with
    what the title page shows of the survey itself."""
    version = caching.results_version(survey.pk)
    publication = publication_for(survey=survey)
    facts = "|".join(
        str(value)
        for value in (
            survey.title,
            survey.opens_at,
            survey.closes_at,
            survey.access_mode,
            publication.published_at if publication else "",
            publication.data_as_of if publication else "",
            publication.publisher_name if publication else "",
            timezone.localdate(),  # "Stand" can move with the day (results_as_of)
        )
    )
    digest = hashlib.sha256(facts.encode()).hexdigest()[:16]
    return f"survey-report:{REPORT_FORMAT}:{survey.pk}:{version}:{get_language()}:{digest}"


def survey_results_report(*, survey: Survey) -> bytes:
    """The published report, from the cache or made once: while one process renders, the
    others wait for its result up to WAIT_SECONDS, then raise ReportBusy."""
    key = _report_key(survey)
    pdf = cache.get(key)
    if pdf is not None:
        return pdf
    lock = f"{key}:lock"
    if cache.add(lock, 1, timeout=LOCK_SECONDS):
        try:
            started = time.perf_counter()
            pdf, _fetcher = render_results_report(survey=survey)
            logger.info(
                "results report made",
                extra={"survey": survey.slug, "seconds": round(time.perf_counter() - started, 2)},
            )
            cache.set(key, pdf, timeout=settings.SURVEY_RESULTS_CACHE_SECONDS)
            return pdf
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.25)
        pdf = cache.get(key)
        if pdf is not None:
            return pdf
        if cache.get(lock) is None:  # the other process failed: make it here
            return survey_results_report(survey=survey)
    raise ReportBusy
