"""Topic and municipality pages of the portal show published results: their views get the
entries from the results selectors (``portal.page_context``), the tags only render."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import EventFactory, SurveyFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_municipality_page_shows_participation(client, published):
    ahausen = published.places[0]

    body = client.get(
        reverse("portal:municipality_detail", kwargs={"slug": ahausen.slug})
    ).content.decode()

    assert "haben 6 Menschen aus Ahausen teilgenommen (6,0 je 1.000 Einwohner)" in body
    assert "/befragungen/testland/ergebnisse/?nach=F1" in body


def test_topic_page_shows_the_main_finding(client, published):
    topic = TopicFactory(name="Mobilität", slug="mobilitaet-test")
    published.f3.topics.add(topic)

    body = client.get(reverse("portal:topic_detail", kwargs={"slug": topic.slug})).content.decode()

    assert "Was ist wichtig?" in body
    assert "Am häufigsten genannt: „Radwege“ (60,0 %)." in body


def test_topic_page_never_shows_another_topics_top_answer(client, published):
    """The bug from issue 17: a question "which topics matter?" is linked to every topic;
    the Radverkehr page said "Am häufigsten genannt: Feuerwehr", the top answer of the whole
    question, as if it were about cycling. A topic page shows this topic's own answer."""
    radwege = TopicFactory(name="Radwege", slug="radwege-test")
    bus = TopicFactory(name="Bus", slug="bus-test")
    published.f3.topics.add(radwege, bus)

    body = client.get(reverse("portal:topic_detail", kwargs={"slug": bus.slug})).content.decode()

    assert "Radwege" not in body
    assert "„Bus“ nannten 40,0 % (Platz 2 von 4)." in body


def test_topic_page_shows_nothing_when_the_topic_is_not_an_answer(client, published):
    radwege = TopicFactory(name="Radwege", slug="radwege-test")
    feuerwehr = TopicFactory(name="Feuerwehr-Test", slug="feuerwehr-test")
    published.f3.topics.add(radwege, feuerwehr)

    body = client.get(
        reverse("portal:topic_detail", kwargs={"slug": feuerwehr.slug})
    ).content.decode()

    assert "Am häufigsten genannt" not in body
    assert "Radwege" not in body


def test_results_page_lists_the_events_that_presented_them(client, published):
    start = timezone.now() - timedelta(days=30)
    forum = EventFactory(
        slug="forum-a",
        title="Regionalforum Testland",
        related_survey=published.survey,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    EventFactory(slug="forum-b", title="Kommunalforum Ahausen", related_survey=published.survey)
    other = SurveyFactory(slug="andere", title="Andere Befragung")
    EventFactory(slug="fremd", title="Forum einer anderen Befragung", related_survey=other)
    url = reverse("survey:results", kwargs={"slug": published.survey.slug})

    client.get(url)  # fills the results cache
    body = client.get(url + "?nach=").content.decode()

    section = body[body.index('id="presenting-events-heading"') :]
    section = section[: section.index("</section>")]
    assert "Vorgestellt und besprochen bei" in section
    assert section.index("Regionalforum Testland") < section.index("Kommunalforum Ahausen")
    assert forum.get_absolute_url() in section
    assert "Forum einer anderen Befragung" not in body


def test_results_page_without_events_has_no_event_section(client, published):
    url = reverse("survey:results", kwargs={"slug": published.survey.slug})
    assert "presenting-events-heading" not in client.get(url).content.decode()
