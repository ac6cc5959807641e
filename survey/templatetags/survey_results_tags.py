"""Template helpers for survey results, and the summaries shown on topic and municipality
pages (published surveys only)."""

from django import template
from django.db.models import F
from django.utils import formats

from survey.models import Question, Survey, SurveyStatus
from survey.results.selectors import survey_results
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


@register.inclusion_tag("survey/results/topic_summary.html")
def survey_topic_results(topic):
    """The published survey questions linked to a topic, each with its main finding."""
    questions = (
        Question.objects.filter(topics=topic, survey__status=SurveyStatus.PUBLISHED)
        .exclude(survey__publication__hidden_questions=F("pk"))
        .select_related("survey")
        .order_by("-survey__opens_at", "section__position", "position")
    )
    entries = []
    by_survey = {}  # several questions of a topic often come from the same survey
    for question in questions:
        if question.survey_id not in by_survey:
            by_survey[question.survey_id] = survey_results(survey=question.survey)
        result = by_survey[question.survey_id].question(question.pk)
        if result is not None and not result.is_hidden:
            entries.append({"survey": question.survey, "result": result})
    return {"entries": entries}


@register.inclusion_tag("survey/results/municipality_summary.html")
def survey_municipality_results(municipality):
    """How many people from a municipality took part in each published survey."""
    surveys = Survey.objects.filter(
        status=SurveyStatus.PUBLISHED, questions__options__municipality=municipality
    ).distinct()
    entries = []
    for survey in surveys:
        results = survey_results(survey=survey)
        for row in results.by_municipality:
            if row.municipality_id == municipality.pk:
                result = results.question(results.municipality_question_id)
                codes = {code for code, _label in results.breakdown_choices}
                code = result.code if result and result.code in codes else ""
                entries.append({"survey": survey, "row": row, "breakdown": code})
    return {"entries": entries, "municipality": municipality}
