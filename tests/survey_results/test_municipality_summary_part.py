"""A municipality page's main content, with the survey participation summary, is kept in
worker memory under the content version *and* the results versions of the published
surveys that ask for the municipality (``municipality_results_version``: one query for
all). The attacks: responses counted, a survey published or withdrawn (also behind every
signal's back, a status update in the database), another survey's change, and staff."""

import pytest
from django.urls import reverse

from portal.page_context import page_context
from survey.models import Response, Survey, SurveyStatus
from survey.results.caching import municipality_results_version, survey_results_invalidate
from survey.results.selectors import survey_municipality_participation

pytestmark = pytest.mark.django_db

SUMMARY_TEMPLATE = "survey/results/municipality_summary.html"


def _url(place) -> str:
    return reverse("portal:municipality_detail", kwargs={"slug": place.slug})


def _templates(response) -> set[str]:
    return {template.name for template in response.templates}


def test_the_summary_is_rendered_once_per_change(client, published, no_cache):
    url = _url(published.places[0])
    first = client.get(url)
    assert SUMMARY_TEMPLATE in _templates(first)
    again = client.get(url)
    assert SUMMARY_TEMPLATE not in _templates(again)  # kept
    assert again.content == first.content


def test_counted_responses_show_at_once(client, published, no_cache):
    """Only the results version changes (the content version is raised after the commit,
    which a test transaction never reaches): the kept page must not show the old count."""
    url = _url(published.places[0])
    assert "haben 6 Menschen aus Ahausen teilgenommen" in client.get(url).content.decode()
    Response.objects.filter(
        survey=published.survey, answers__option__municipality=published.places[0]
    ).first().delete()
    survey_results_invalidate(published.survey.pk)

    body = client.get(url).content.decode()

    assert "haben 5 Menschen aus Ahausen teilgenommen" in body
    assert "6 Menschen" not in body


def test_a_survey_published_or_withdrawn_in_the_database_shows_at_once(client, counted, no_cache):
    """No signal, no version raised: the status alone is part of what the page is kept
    under (the version query reads it), so the summary follows it with the next render."""
    url = _url(counted.places[0])
    assert "Menschen aus Ahausen" not in client.get(url).content.decode()
    Survey.objects.filter(pk=counted.survey.pk).update(status=SurveyStatus.PUBLISHED)
    assert "haben 6 Menschen aus Ahausen teilgenommen" in client.get(url).content.decode()
    Survey.objects.filter(pk=counted.survey.pk).update(status=SurveyStatus.CLOSED)
    assert "Menschen aus Ahausen" not in client.get(url).content.decode()


def test_the_version_names_each_survey_and_its_results_version(published):
    place = published.places[0]
    before = municipality_results_version(municipality=place)
    assert before.startswith(f"{published.survey.pk}:")
    survey_results_invalidate(published.survey.pk)
    after = municipality_results_version(municipality=place)
    assert after != before
    assert after.startswith(f"{published.survey.pk}:")
    Survey.objects.filter(pk=published.survey.pk).update(status=SurveyStatus.CLOSED)
    assert municipality_results_version(municipality=place) == ""


def test_the_summary_from_the_version_equals_the_one_read_anew(published):
    place = published.places[0]
    version = municipality_results_version(municipality=place)
    assert survey_municipality_participation(
        municipality=place, version=version
    ) == survey_municipality_participation(municipality=place)
    assert survey_municipality_participation(municipality=place, version="") == []


def test_the_page_context_reads_the_version_once(published, rf, django_assert_num_queries):
    """The version query and nothing more for a page whose summary is kept."""
    request = rf.get("/")
    request._content_version = "1:"
    place = published.places[0]
    first = page_context("municipality", request=request, municipality=place)
    with django_assert_num_queries(1):
        again = page_context("municipality", request=request, municipality=place)
    assert again["survey_participation"] == first["survey_participation"]
    assert again["survey_participation_version"] == first["survey_participation_version"]


def test_staff_never_fill_the_kept_page(client, published, admin_user, no_cache):
    url = _url(published.places[0])
    client.get(url)  # anonymous, kept
    client.force_login(admin_user)
    assert SUMMARY_TEMPLATE in _templates(client.get(url))  # rendered afresh
    client.logout()
    assert SUMMARY_TEMPLATE not in _templates(client.get(url))
