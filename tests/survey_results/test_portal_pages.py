"""Topic and municipality pages of the portal show published results: their views get the
entries from the results selectors (``portal.page_context``), the tags only render."""

import pytest
from django.urls import reverse

from tests.factories import TopicFactory

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
