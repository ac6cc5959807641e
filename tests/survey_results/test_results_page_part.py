"""The body of the results page (participation, breakdown, method, every question) is kept
in worker memory under the content version and the survey's results version
(``{% part "results-body" … %}``): without any cache it is rendered once per worker and
change. The attacks: a new or deleted response, a question staff hide, a staff preview, a
different breakdown and odd query strings must never get someone else's kept HTML."""

import pytest
from django.urls import reverse

from portal import memo
from survey.models import Response, ResultsPublication, SurveyStatus
from survey.results.caching import survey_results_invalidate
from tests.survey_results.conftest import build_survey

pytestmark = pytest.mark.django_db

QUESTION_TEMPLATE = "survey/results/question.html"
F3_TEXT = "Was ist wichtig?"


def _url(survey) -> str:
    return reverse("survey:results", kwargs={"slug": survey.slug})


def _templates(response) -> set[str]:
    return {template.name for template in response.templates}


def test_the_body_is_rendered_once_per_change(client, published, no_cache):
    first = client.get(_url(published.survey))
    assert QUESTION_TEMPLATE in _templates(first)
    again = client.get(_url(published.survey))
    assert QUESTION_TEMPLATE not in _templates(again)  # kept
    assert again.content == first.content


def test_a_deleted_response_shows_at_once(client, published, no_cache):
    """Staff delete a response; only the results version changes (the content version is
    raised after the commit, which a test transaction never reaches): the kept body must
    not show the old count."""
    assert "12 Menschen haben teilgenommen." in client.get(_url(published.survey)).content.decode()
    Response.objects.filter(pk=published.responses[-1].pk).delete()
    survey_results_invalidate(published.survey.pk)

    body = client.get(_url(published.survey)).content.decode()

    assert "11 Menschen haben teilgenommen." in body
    assert "12 Menschen" not in body


def test_a_question_hidden_by_staff_vanishes_at_once(client, published, no_cache):
    assert F3_TEXT in client.get(_url(published.survey)).content.decode()
    publication = ResultsPublication.objects.create(
        survey=published.survey, publisher_name="Kooperationsmanagement"
    )
    publication.hidden_questions.add(published.f3)  # the signal raises the results version

    assert F3_TEXT not in client.get(_url(published.survey)).content.decode()


def test_a_staff_preview_is_never_shown_to_the_public(client, django_user_model, no_cache):
    """An analyst previews unpublished results (hidden questions marked "not public"); the
    survey is then made public behind every version's back (a status update in the
    database): the anonymous visitor must get the public page, never the preview."""
    from django.contrib.auth.models import Permission

    survey = build_survey(status=SurveyStatus.CLOSED)
    publication = ResultsPublication.objects.create(
        survey=survey.survey, publisher_name="Kooperationsmanagement"
    )
    publication.hidden_questions.add(survey.f3)
    analyst = django_user_model.objects.create_user("auswertung", password="x", is_staff=True)
    analyst.user_permissions.add(
        *Permission.objects.filter(codename="view_monitoring", content_type__app_label="survey")
    )
    client.force_login(analyst)
    preview = client.get(_url(survey.survey)).content.decode()
    assert F3_TEXT in preview
    assert "nicht öffentlich" in preview
    client.logout()
    type(survey.survey).objects.filter(pk=survey.survey.pk).update(status=SurveyStatus.PUBLISHED)

    body = client.get(_url(survey.survey)).content.decode()

    assert "Vorschau" not in body
    assert F3_TEXT not in body
    assert "nicht öffentlich" not in body


def test_staff_never_fill_the_kept_body(client, published, admin_user, no_cache):
    """Staff render afresh and keep nothing: after an unannounced change (no version
    raised), staff see it and the public page still renders as before (from its own kept
    copy), so nothing staff rendered reached it."""
    client.get(_url(published.survey))  # anonymous, kept
    client.force_login(admin_user)
    staff = client.get(_url(published.survey))
    assert QUESTION_TEMPLATE in _templates(staff)  # rendered, not taken from the memo
    client.logout()
    assert QUESTION_TEMPLATE not in _templates(client.get(_url(published.survey)))


def test_breakdowns_never_share_a_body(client, published, no_cache):
    totals = client.get(_url(published.survey)).content.decode()
    by_place = client.get(_url(published.survey) + "?nach=F1").content.decode()
    assert "result-crosstab" in by_place  # a cross table per question
    assert "result-crosstab" not in totals
    assert "result-crosstab" not in client.get(_url(published.survey)).content.decode()
    assert "result-crosstab" in client.get(_url(published.survey) + "?nach=F1").content.decode()


def test_odd_query_strings_keep_no_more_bodies(client, published, no_cache):
    client.get(_url(published.survey))
    client.get(_url(published.survey) + "?nach=F1")
    kept = len(memo._content_parts)
    for number in range(40):
        client.get(_url(published.survey) + f"?nach=X{number}&gewichtet={number}&x={number}")
    assert len(memo._content_parts) == kept


def test_the_kept_html_is_bounded_in_characters(rf):
    request = rf.get("/")
    request._content_version = "1:"
    bound = memo._content_parts.max_size
    for number in range(12):
        memo.remember_part(request, ("big", number), lambda: "x" * (bound // 5))
    assert memo._content_parts.size <= bound
    assert memo.remember_part(request, ("huge",), lambda: "y" * (bound + 1)) == "y" * (bound + 1)
    assert memo._content_parts.size <= bound
