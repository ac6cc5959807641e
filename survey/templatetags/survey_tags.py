"""Template tags through which pages of the portal show survey content. They only render:
the page's view asks the selectors (``portal.page_context``, registered in ``SurveyConfig``)."""

from django import template

register = template.Library()


@register.inclusion_tag("survey/includes/open_teaser.html")
def survey_open_teaser(survey):
    """``{% survey_open_teaser open_survey %}``: the open survey, prominently on the home
    page (``selectors.survey_open_teaser``); nothing when none is open."""
    return {"survey": survey}
