"""The staff start page (/admin/): each person's work, only what they may see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import EventPublication
from portal.models import IdeaStatus, Municipality
from tests.factories import (
    EventFactory,
    IdeaFactory,
    NewsArticleFactory,
    RegistrationFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def work():
    oschatz = Municipality.objects.get(slug="oschatz")
    dahlen = Municipality.objects.get(slug="dahlen")
    soon = timezone.now() + timedelta(days=3)
    IdeaFactory(title="Idee aus Oschatz", municipality=oschatz, status=IdeaStatus.NEW)
    IdeaFactory(title="Idee aus Dahlen", municipality=dahlen, status=IdeaStatus.NEW)
    IdeaFactory(title="Schon freigegeben", municipality=oschatz, status=IdeaStatus.APPROVED)
    EventFactory(
        title="Forum Oschatz bald",
        municipality=oschatz,
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
    )
    EventFactory(
        title="Forum Dahlen Entwurf",
        municipality=dahlen,
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
        publication=EventPublication.DRAFT,
    )
    EventFactory(
        title="Forum in einem Monat",
        municipality=oschatz,
        starts_at=soon + timedelta(days=30),
        ends_at=soon + timedelta(days=30, hours=2),
    )
    RegistrationFactory(
        event__title="Forum mit Anmeldung",
        event__municipality=oschatz,
        name="Jörg Geheimname",
        persons=2,
    )
    article = NewsArticleFactory(title="Beitrag geplant", scheduled=True)
    article.municipalities.add(dahlen)
    NewsArticleFactory(title="Beitrag Entwurf", draft=True).municipalities.add(oschatz)
    SurveyFactory(
        title="Befragung offen",
        status="open",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=9),
    )


def panel(body: str, key: str) -> str:
    start = body.index(f'id="panel-{key}"')
    return body[start : body.index("</section>", start)]


def test_the_redaktion_sees_its_work(client, make_staff, work):
    client.force_login(make_staff("erika", group="Redaktion"))
    body = client.get("/admin/").content.decode()
    assert "Ihre Arbeit" in body
    assert "Idee aus Oschatz" in panel(body, "ideas")
    assert "Schon freigegeben" not in body
    next_events = panel(body, "events-next")
    assert "Forum Oschatz bald" in next_events
    assert "Forum Dahlen Entwurf" in next_events
    assert "Entwurf</span>" in next_events or ", Entwurf" in next_events
    assert "Forum in einem Monat" not in next_events
    registrations = panel(body, "registrations")
    assert "Forum mit Anmeldung" in registrations
    assert "2 Personen" in registrations
    assert "Geheimname" not in body  # names stay in the registrations list
    news = panel(body, "news-drafts")
    assert "Beitrag geplant" in news
    assert "Geplant für" in news
    assert "Beitrag Entwurf" in news
    assert "Forum Dahlen Entwurf" in panel(body, "events-drafts")


def test_a_limited_editor_sees_only_their_municipality(client, make_staff, work):
    client.force_login(make_staff("olga", group="Redaktion", limit="oschatz"))
    body = client.get("/admin/").content.decode()
    assert "Idee aus Oschatz" in body
    assert "Idee aus Dahlen" not in body
    assert "Forum Dahlen Entwurf" not in body
    assert "Beitrag geplant" not in body  # concerns Dahlen only
    assert "Beitrag Entwurf" in body


def test_panels_follow_the_permissions(client, make_staff, work):
    client.force_login(make_staff("anna", group="Auswertung"))
    body = client.get("/admin/").content.decode()
    assert 'id="panel-ideas"' not in body
    assert 'id="panel-registrations"' not in body
    assert "Idee aus Oschatz" not in body
    client.force_login(make_staff("niemand"))
    body = client.get("/admin/").content.decode()
    assert "Ihre Arbeit" not in body


def test_the_open_survey_panel_counts_todays_responses(client, django_user_model, work):
    from survey.models import Channel, Response, Survey

    survey = Survey.objects.get(title="Befragung offen")
    for day in (timezone.localdate(), timezone.localdate(), timezone.localdate() - timedelta(1)):
        Response.objects.create(survey=survey, channel=Channel.ONLINE, submitted_on=day)
    client.force_login(django_user_model.objects.create_superuser("chef"))
    body = panel(client.get("/admin/").content.decode(), "surveys-open")
    assert "Befragung offen" in body
    assert "2 Antworten heute" in body


def test_anonymous_visitors_get_the_login(client, work):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_start_page_costs_the_same_queries_with_more_work(
    client, django_user_model, django_assert_max_num_queries, work
):
    client.force_login(django_user_model.objects.create_superuser("chef"))

    def more_work(first):
        for number in range(first, first + 8):
            IdeaFactory(title=f"Noch eine Idee {number}", status=IdeaStatus.NEW)
            start = timezone.now() + timedelta(days=2)
            EventFactory(
                title=f"Noch ein Termin {number}",
                publication=EventPublication.DRAFT,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
            )
            RegistrationFactory(event__starts_at=start, event__ends_at=start + timedelta(hours=1))

    more_work(0)
    client.get("/admin/")
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/")
    more_work(100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/admin/").content.decode()
    assert "(18)" in panel(body, "ideas")
