"""Template tags through which pages of the portal show survey content."""

from django import template

from survey import selectors

register = template.Library()


@register.inclusion_tag("survey/includes/open_teaser.html")
def survey_open_teaser():
    """The open survey, prominently on the home page (one query; nothing when none is open)."""
    return {"survey": selectors.survey_open_teaser()}
