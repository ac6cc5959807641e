"""Ideas and the contact form: moderation, e-mails and each spam protection."""

import time

import pytest
from django.core import mail
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from portal import services
from portal.models import Idea, IdeaStatus
from portal.spam import make_form_token
from tests.factories import IdeaFactory, MunicipalityFactory, TopicFactory

pytestmark = pytest.mark.django_db


def idea_data(**overrides):
    data = {
        "title": "Bank am Teich",
        "text": "Eine Bank zum Ausruhen am Dorfteich.",
        "municipality": "",
        "topic": "",
        "name": "Karl",
        "email": "karl@example.org",
        "consent": "on",
        "website": "",
        "started": make_form_token(started=time.time() - 30),
    }
    data.update(overrides)
    return data


def contact_data(**overrides):
    data = {
        "name": "Erika Muster",
        "email": "erika@example.org",
        "subject": "Frage",
        "message": "Wann ist das nächste Forum?",
        "website": "",
        "started": make_form_token(started=time.time() - 30),
    }
    data.update(overrides)
    return data


def test_idea_form_has_autocomplete_and_consent(client):
    body = client.get("/mitmachen/").content.decode()
    assert 'autocomplete="name"' in body
    assert 'autocomplete="email"' in body
    assert "veröffentlicht" in body  # consent text
    assert 'name="website"' in body  # honeypot present, hidden by CSS


def test_resident_sends_an_idea_and_staff_get_an_email(client, settings):
    response = client.post("/mitmachen/", idea_data(), follow=True)
    body = response.content.decode()
    assert "Vielen Dank für Ihre Idee" in body
    idea = Idea.objects.get()
    assert idea.status == IdeaStatus.NEW
    assert "Bank am Teich" not in body.split("Veröffentlichte Ideen")[1]  # not public yet
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [settings.CONTACT_EMAIL]
    assert "Bank am Teich" in mail.outbox[0].subject


def test_invalid_idea_rerenders_with_errors_and_keeps_input(client):
    response = client.post("/mitmachen/", idea_data(title="", consent=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fehler: " in body
    assert 'class="alert alert-danger error-summary"' in body
    assert 'href="#id_title"' in body
    assert 'aria-invalid="true"' in body
    assert "Eine Bank zum Ausruhen am Dorfteich." in body
    assert not Idea.objects.exists()


def test_honeypot_drops_the_idea_silently(client):
    response = client.post("/mitmachen/", idea_data(website="http://spam.example"), follow=True)
    assert "Vielen Dank" in response.content.decode()
    assert not Idea.objects.exists()
    assert mail.outbox == []


def test_too_fast_submission_is_refused(client):
    response = client.post("/mitmachen/", idea_data(started=make_form_token()))
    assert "zu schnell" in response.content.decode()
    assert not Idea.objects.exists()


def test_a_quick_empty_submission_shows_only_the_field_errors(client):
    response = client.post("/mitmachen/", idea_data(title="", started=make_form_token()))
    page = response.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in page
    assert "zu schnell" not in page


def test_a_stale_token_with_field_errors_is_renewed_for_the_next_send(client):
    response = client.post("/mitmachen/", idea_data(title="", started="123:forged"))
    assert response.context["form"].data["started"] != "123:forged"
    assert "zu schnell" not in response.content.decode()


def test_forged_timestamp_is_refused(client):
    response = client.post("/mitmachen/", idea_data(started="123:forged"))
    assert response.status_code == 200
    assert not Idea.objects.exists()


def test_rate_limit_per_client(client, settings):
    settings.SPAM_RATE_LIMIT = 2
    for number in range(2):
        client.post("/mitmachen/", idea_data(title=f"Idee {number}"))
    response = client.post("/mitmachen/", idea_data(title="Eine zu viel"))
    assert "mehrere Nachrichten" in response.content.decode()
    assert Idea.objects.count() == 2
    # Another client is not affected.
    client.post("/mitmachen/", idea_data(title="Andere"), REMOTE_ADDR="10.0.0.9")
    assert Idea.objects.count() == 3


def test_garbage_post_never_errors(client):
    response = client.post("/mitmachen/", {"municipality": "x" * 5000, "started": "\x00"})
    assert response.status_code == 200


def test_only_approved_ideas_are_listed_without_email(client):
    IdeaFactory(title="Freigegeben", status=IdeaStatus.APPROVED, reply="Gute Idee!")
    IdeaFactory(title="Abgelehnt", status=IdeaStatus.REJECTED)
    IdeaFactory(title="Neu eingegangen")
    body = client.get("/mitmachen/").content.decode()
    assert "Freigegeben" in body
    assert "Gute Idee!" in body
    assert "Abgelehnt" not in body
    assert "Neu eingegangen" not in body
    assert "anna@example.org" not in body


def test_topic_page_gathers_approved_ideas(client):
    topic = TopicFactory(slug="spielplatz")
    IdeaFactory(title="Schaukel", topic=topic, status=IdeaStatus.APPROVED)
    IdeaFactory(title="Wippe", topic=topic)
    body = client.get("/themen/spielplatz/").content.decode()
    assert "Schaukel" in body
    assert "Wippe" not in body


@pytest.mark.parametrize("count", [1, 60])
def test_idea_page_query_count_is_constant(client, django_assert_num_queries, count):
    place = MunicipalityFactory()
    for _ in range(count):
        IdeaFactory(status=IdeaStatus.APPROVED, municipality=place)
    # Counted: municipalities and topics of the form, the approved ideas (joined), the
    # menus' version and entries (the page is not cached: nothing has read the content version).
    with django_assert_num_queries(5):
        client.get("/mitmachen/")


def test_idea_services_approve_reject_and_reply(django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    idea = IdeaFactory()
    services.idea_approve(idea=idea, user=staff)
    assert idea.status == IdeaStatus.APPROVED
    assert idea.moderated_by == staff
    services.idea_reject(idea=idea, user=staff)
    assert Idea.objects.get().status == IdeaStatus.REJECTED
    services.idea_reply(idea=idea, reply="Danke, wir prüfen das.", user=staff)
    assert idea.replied_at is not None
    assert mail.outbox[-1].to == ["anna@example.org"]
    assert "Danke, wir prüfen das." in mail.outbox[-1].body


def test_reply_without_email_sends_nothing():
    idea = IdeaFactory(email="")
    services.idea_reply(idea=idea, reply="Antwort")
    assert mail.outbox == []


def test_bulk_idea_status_service():
    IdeaFactory()
    IdeaFactory(status=IdeaStatus.APPROVED)
    assert services.ideas_set_status(ideas=Idea.objects.all(), status="approved") == 1


def test_contact_form_mails_the_management(client, settings):
    response = client.post("/kontakt/", contact_data(), follow=True)
    assert "Vielen Dank für Ihre Nachricht" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [settings.CONTACT_EMAIL]
    assert mail.outbox[0].reply_to == ["erika@example.org"]
    assert "Wann ist das nächste Forum?" in mail.outbox[0].body


def test_contact_form_errors_keep_input(client):
    response = client.post("/kontakt/", contact_data(email="keine-adresse"))
    body = response.content.decode()
    assert "<title>Fehler: Kontakt" in body
    assert "Wann ist das nächste Forum?" in body
    assert mail.outbox == []


def test_contact_spam_protection(client, settings):
    client.post("/kontakt/", contact_data(website="x"))
    client.post("/kontakt/", contact_data(started=make_form_token()))
    assert mail.outbox == []
    settings.SPAM_RATE_LIMIT = 1
    client.post("/kontakt/", contact_data())
    response = client.post("/kontakt/", contact_data())
    assert "mehrere Nachrichten" in response.content.decode()
    assert len(mail.outbox) == 1


def test_footer_links_to_contact(client):
    assert '<a href="/kontakt/">Kontakt</a>' in client.get("/").content.decode()


@pytest.mark.parametrize("url", ["/mitmachen/", "/kontakt/"])
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "title",
                "text",
                "municipality",
                "topic",
                "name",
                "email",
                "consent",
                "subject",
                "message",
                "website",
                "started",
            ]
        ),
        st.text(max_size=300),
    )
)
def test_any_post_to_the_forms_answers_without_error(client, url, data):
    response = client.post(url, data)
    assert response.status_code in (200, 302)


# --- The "started" token is single-use ----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data", "model_count"),
    [
        ("/mitmachen/", idea_data, lambda: Idea.objects.count()),
        ("/kontakt/", contact_data, lambda: len(mail.outbox)),
    ],
    ids=["idea", "contact"],
)
def test_form_token_carries_one_submission_only(client, url, data, model_count):
    token = make_form_token(started=time.time() - 30)
    client.post(url, data(started=token))
    assert model_count() == 1

    for number in range(3):
        response = client.post(url, data(started=token, name=f"Anderer {number}"))
        assert response.status_code == 200
        assert "bereits abgeschickt" in response.content.decode()

    assert model_count() == 1


def test_spent_token_is_refused_by_another_worker_without_a_shared_cache(client):
    """Without Redis each worker has its own cache: the spent token must be known in the
    database, the one store all workers share."""
    from django.core.cache import cache

    token = make_form_token(started=time.time() - 30)
    client.post("/mitmachen/", idea_data(started=token))
    cache.clear()  # the next request lands on a worker that has never seen the token

    client.post("/mitmachen/", idea_data(started=token, title="Noch eine"))

    assert Idea.objects.count() == 1


def test_form_with_a_field_error_can_be_sent_again_with_its_token(client):
    token = make_form_token(started=time.time() - 30)
    response = client.post("/mitmachen/", idea_data(started=token, title=""))
    resent = response.context["form"].data["started"]

    client.post("/mitmachen/", idea_data(started=resent))

    assert Idea.objects.count() == 1


# --- Line breaks where a mail header is made of them --------------------------------------

INJECTION = "Frage\r\nBcc: opfer@example.net\r\n\r\nWerbung"


def test_line_break_in_contact_subject_is_no_header_and_no_500(client):
    response = client.post("/kontakt/", contact_data(subject=INJECTION))

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "Kontaktformular: Frage Bcc: opfer@example.net Werbung"
    assert message.message()["Bcc"] is None
    assert message.recipients() == ["kooperation@oschatzerland.de"]


def test_line_break_in_idea_title_is_no_header_and_no_500(client):
    response = client.post("/mitmachen/", idea_data(title=INJECTION))

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == "Neue Idee: Frage Bcc: opfer@example.net Werbung"
