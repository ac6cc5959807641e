"""Who deletes survey responses in the admin.

Analysts (Auswertung) enter the paper questionnaires, so they correct their own mistakes: a
paper response with a typo is deleted and entered again from the sheet (its sheet number
is unique, so it cannot be entered again before).
Online responses are anonymous: nobody can ask for "their" response to be removed, and
there is no sheet to enter again, so deleting one would only change the result; that is
left to superusers (e.g. a wave of spam). Every deletion shows in the results at once.
"""

import pytest
from django.contrib.auth.models import Group

from survey.models import Answer, Channel, Response
from survey.results.selectors import survey_results
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client, django_user_model):
    user = django_user_model.objects.create_user("auswertung", is_staff=True)
    user.groups.add(Group.objects.get(name="Auswertung"))
    client.force_login(user)
    return client


@pytest.fixture
def sample():
    question = factories.QuestionFactory()
    text_question = factories.QuestionFactory(section=question.section, kind="long_text", code="T1")

    sheets = iter(range(1, 100))

    def response(channel):
        sheet = next(sheets) if channel == Channel.PAPER else None
        response = factories.ResponseFactory(
            survey=question.survey, channel=channel, sheet_number=sheet
        )
        Answer.objects.create(response=response, question=text_question, text="Mehr Radwege")
        return response

    return question.survey, response


def test_analyst_deletes_a_paper_response_with_free_text(analyst_client, sample):
    survey, make = sample
    paper, keep = make(Channel.PAPER), make(Channel.PAPER)
    assert survey_results(survey=survey).total == 2

    response = analyst_client.post(f"/admin/survey/response/{paper.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Response.objects.filter(pk=paper.pk).exists()
    assert not Answer.objects.filter(response_id=paper.pk).exists()
    # The results (cached) count the deletion at once.
    assert survey_results(survey=survey).total == 1
    assert Response.objects.filter(pk=keep.pk).exists()


def test_analyst_deletes_paper_responses_in_bulk(analyst_client, sample):
    _survey, make = sample
    papers = [make(Channel.PAPER), make(Channel.PAPER)]
    analyst_client.post(
        "/admin/survey/response/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in papers], "post": "yes"},
    )
    assert not Response.objects.filter(pk__in=[r.pk for r in papers]).exists()


def test_analyst_cannot_delete_an_online_response(analyst_client, sample):
    _survey, make = sample
    online, paper = make(Channel.ONLINE), make(Channel.PAPER)

    assert (
        analyst_client.post(f"/admin/survey/response/{online.pk}/delete/", {"post": "yes"})
    ).status_code == 403
    # Hidden among paper responses in a bulk delete: nothing is deleted.
    analyst_client.post(
        "/admin/survey/response/",
        {"action": "delete_selected", "_selected_action": [online.pk, paper.pk], "post": "yes"},
    )

    assert Response.objects.filter(pk__in=[online.pk, paper.pk]).count() == 2


def test_superuser_deletes_an_online_response(admin_client, sample):
    survey, make = sample
    online = make(Channel.ONLINE)
    assert survey_results(survey=survey).total == 1
    response = admin_client.post(f"/admin/survey/response/{online.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert survey_results(survey=survey).total == 0
