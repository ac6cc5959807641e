"""What staff do not publish is published nowhere.

The attacker knows the question codes (they are on the printed questionnaire) and tries
every public way out: the breakdown menu, ``?nach=`` on the page and the CSV, the topic and
municipality pages that summarise results, search, sitemap, feeds, and pages cached before
staff hid the question.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from survey.models import ResultsPublication
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

# Texts only the hidden questions (F1 residence, a breakdown; F3 priorities) carry.
F1_TEXT = "Wo wohnen Sie?"
F3_TEXT = "Was ist wichtig?"


def _url(survey, name="survey:results"):
    return reverse(name, kwargs={"slug": survey.slug})


def _body(response) -> str:
    return b"".join(response).decode("utf-8")


@pytest.fixture
def hidden(published, django_capture_on_commit_callbacks):
    """The published survey with F1 (the municipality breakdown) and F3 not published; the
    results and pages were computed and cached before staff hid them."""
    topic = TopicFactory(name="Mobilität", slug="mobilitaet")
    published.f3.topics.add(topic)
    publication = ResultsPublication.objects.create(
        survey=published.survey, publisher_name="Kooperationsmanagement"
    )
    for path in ["", "?nach=F1"]:
        assert published.survey.title in _body(_client_get(published.survey, path))
    with django_capture_on_commit_callbacks(execute=True):
        # As staff would in a shell or a script: no service, no explicit invalidation.
        publication.hidden_questions.add(published.f1, published.f3)
    published.topic = topic
    return published


def _client_get(survey, path):
    from django.test import Client

    return Client().get(_url(survey) + path)


def test_unpublished_breakdown_is_not_offered(client, hidden):
    body = client.get(_url(hidden.survey)).content.decode()

    assert '<option value="F1"' not in body
    assert ">Kommune</option>" not in body
    assert F1_TEXT not in body
    assert F3_TEXT not in body


@pytest.mark.parametrize("name", ["survey:results", "survey:results_csv"])
def test_unpublished_breakdown_is_refused_on_page_and_csv(client, hidden, name):
    response = client.get(_url(hidden.survey, name) + "?nach=F1")
    body = _body(response)

    assert response.status_code == 200  # the totals, as for an unknown breakdown
    for place in ["Ahausen", "Bedorf", "Cestadt", "Dewitz", "Weitere"]:
        assert place not in body, place
    assert F1_TEXT not in body
    assert F3_TEXT not in body


def test_unpublished_breakdown_is_not_cached(client, hidden):
    client.get(_url(hidden.survey) + "?nach=F1")
    with CaptureQueriesContext(connection) as queries:
        client.get(_url(hidden.survey) + "?nach=F1")

    assert len(queries) > 0  # rendered again: no cache entry per refused value


def test_unpublished_municipality_question_leaves_participation_table(client, hidden):
    body = client.get(_url(hidden.survey)).content.decode()
    rows = _body(client.get(_url(hidden.survey, "survey:results_csv")))

    assert "je 1.000 Einwohner" not in body
    assert "Ahausen" not in body
    assert "Ahausen" not in rows


def test_unpublished_questions_stay_off_topic_and_municipality_pages(client, hidden):
    topic = client.get(reverse("portal:topic_detail", kwargs={"slug": hidden.topic.slug}))
    place = client.get(
        reverse("portal:municipality_detail", kwargs={"slug": hidden.places[0].slug})
    )

    assert topic.status_code == place.status_code == 200
    assert F3_TEXT not in topic.content.decode()
    assert hidden.survey.title not in place.content.decode()  # "6 people from Ahausen …"


def test_unpublished_questions_are_not_in_search_sitemap_or_feeds(client, hidden):
    search = client.get(reverse("portal:search") + "?q=wichtig")
    sitemap = client.get("/sitemap.xml")
    feed = client.get(reverse("portal:news_feed"))

    assert F3_TEXT not in search.content.decode()
    assert "nach=" not in sitemap.content.decode()
    assert F1_TEXT not in feed.content.decode()
