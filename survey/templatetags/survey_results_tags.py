"""Template helpers for survey results, and the summaries shown on topic and municipality
pages (published surveys only). The tags only render: the pages' views get the entries
from ``survey.results.selectors`` (registered with ``portal.page_context``)."""

from django import template
from django.utils import formats
from django.utils.translation import gettext

from survey.results.shapes import half_up

register = template.Library()


@register.filter
def pct(value) -> str:
    """45.25 → "45,3 %" (German decimal comma, narrow no-break space)."""
    if value is None:
        return "–"
    # Rounded before formatting: Django's number formatting cuts digits off (33.98 → 33,9).
    return formats.number_format(half_up(value, 1), 1, use_l10n=True) + "\u00a0%"


@register.filter
def decimal(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    return formats.number_format(half_up(value, int(digits)), int(digits), use_l10n=True)


@register.filter
def has_chart(result) -> bool:
    """Whether the question's chart can be downloaded (``survey.results.charts``), without
    drawing or even building it: the results page asks this for every question."""
    from survey.results.charts import chart_available  # the charts use this module's pct

    return not result.is_hidden and chart_available(result)


@register.filter
def margin(value) -> str:
    """4.1 → "± 4,1 Prozentpunkte": half the width of a share's 95 % interval."""
    if value is None:
        return ""
    return gettext("± %(points)s percentage points") % {"points": decimal(value)}


@register.filter
def diverging_text(segments) -> str:
    """The text alternative of a diverging bar: "1 – schlecht 10,0 %, 2 20,0 % …"."""
    return ", ".join(f"{segment.label} {pct(segment.percent)}" for segment in segments)


@register.inclusion_tag("survey/results/topic_summary.html")
def survey_topic_results(entries):
    """``{% survey_topic_results survey_findings %}``: the published survey questions linked
    to a topic, each with its main finding (``survey_topic_findings``)."""
    return {"entries": entries or []}


@register.inclusion_tag("survey/results/municipality_summary.html")
def survey_municipality_results(entries, municipality):
    """``{% survey_municipality_results survey_participation municipality %}``: how many
    people from a municipality took part in each published survey
    (``survey_municipality_participation``)."""
    return {"entries": entries or [], "municipality": municipality}
