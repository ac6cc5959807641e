"""The audit trail of staff work, attacked the way a careless or curious person would:
bulk actions that mail people, exports of personal data, changes with old and new values,
who may read the overall log, who may restore which version, and that the log forgets
registrants' personal data together with the registrations."""

import io
import json
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, EventStatus, Registration
from portal.models import NewsArticle, Page
from tests.factories import (
    EventFactory,
    MunicipalityFactory,
    NewsArticleFactory,
    PageFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

LOG_URL = "/admin/auditlog/logentry/"


@pytest.fixture
def editor(make_staff):
    return make_staff("erika.redaktion", group="Redaktion")


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x")


def _log_text() -> str:
    """Everything the audit log and Django's admin log store, as one text."""
    rows = [
        json.dumps(
            [e.object_repr, e.changes, e.changes_text, e.serialized_data, e.additional_data],
            default=str,
            ensure_ascii=False,
        )
        for e in LogEntry.objects.all()
    ]
    rows += [f"{e.object_repr} {e.change_message}" for e in AdminLogEntry.objects.all()]
    return "\n".join(rows)


def _page_post(page: Page, **changes) -> dict:
    data = {
        "title": page.title,
        "slug": page.slug,
        "description": page.description,
        "body": page.body,
        "is_published": "on" if page.is_published else "",
        "position": page.position,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def _article_post(article: NewsArticle, **changes) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "teaser": article.teaser,
        "body": article.body,
        "status": article.status,
        "published_at_0": "01.01.2025",
        "published_at_1": "10:00",
    }
    data.update(changes)
    return data


# --- bulk actions and mails -----------------------------------------------------------------


def test_editor_bulk_cancel_shows_who_which_events_and_how_many_mails(client, editor, root):
    forum = EventFactory(title="Kommunalforum Mügeln", takes_registrations=True, capacity=20)
    workshop = EventFactory(title="Werkstatt Dahlen", takes_registrations=True, capacity=20)
    for _i in range(3):
        RegistrationFactory(event=forum)
    for _i in range(2):
        RegistrationFactory(event=workshop)
    client.force_login(editor)

    response = client.post(
        "/admin/events/event/",
        {"action": "mark_cancelled", "_selected_action": [forum.pk, workshop.pk]},
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 5
    client.force_login(root)
    log = client.get(LOG_URL).content.decode()
    assert "erika.redaktion" in log
    assert "Als abgesagt markieren" in log
    assert "Kommunalforum Mügeln" in log
    assert "Werkstatt Dahlen" in log
    assert "3 E-Mails versendet" in log
    assert "2 E-Mails versendet" in log
    # Old and new value of the status, per event, by the editor.
    forum_log = LogEntry.objects.get_for_object(Event.objects.get(pk=forum.pk))
    change = forum_log.get(action=LogEntry.Action.UPDATE, additional_data__isnull=True)
    assert change.actor == editor
    assert change.changes["status"] == [EventStatus.PLANNED, EventStatus.CANCELLED]
    # Every entry of that one action carries the same correlation id.
    assert len({e.cid for e in LogEntry.objects.filter(actor=editor)}) == 1
    # Never the addresses the mails went to.
    assert "@example.org" not in _log_text()


def test_staff_cancelling_registrations_is_logged_with_the_mails(client, root):
    event = EventFactory(title="Regionalforum", takes_registrations=True, capacity=1)
    confirmed = RegistrationFactory(event=event, name="Ida Ärger")
    RegistrationFactory(event=event, status="waiting", name="Otto Wartend")
    client.force_login(root)

    client.post(
        "/admin/events/registration/",
        {"action": "cancel_registrations", "_selected_action": [confirmed.pk]},
    )

    entries = LogEntry.objects.filter(actor=root)
    action = entries.get(additional_data__kind="action")
    assert action.additional_data["count"] == 1
    assert "Ida" not in json.dumps(action.additional_data)  # ids only for registrations
    mails = entries.get(additional_data__kind="mail")
    assert mails.additional_data["recipients"] == 2  # the cancellation and the one moving up
    status = entries.get(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=confirmed.pk,
        action=LogEntry.Action.UPDATE,
        additional_data__isnull=True,
    )
    assert status.changes["status"] == ["confirmed", "cancelled"]


# --- exports of personal data ---------------------------------------------------------------


def test_export_of_registrations_is_logged_without_the_data(client, root):
    event = EventFactory(title="Bürgerforum Cavertitz", takes_registrations=True, capacity=9)
    registrations = [
        RegistrationFactory(event=event, name="Jörg Geheim", email="joerg@example.org"),
        RegistrationFactory(event=event),
    ]
    client.force_login(root)

    response = client.post(
        "/admin/events/event/",
        {"action": "export_registrations", "_selected_action": [event.pk]},
    )

    assert response.status_code == 200
    export = LogEntry.objects.get(additional_data__kind="export")
    assert export.actor == root
    assert export.additional_data["rows"] == len(registrations)
    assert export.additional_data["file"] == "anmeldungen.csv"
    assert export.additional_data["scope"] == ["Bürgerforum Cavertitz"]
    log = client.get(LOG_URL + "?vorgang=export").content.decode()
    assert "anmeldungen.csv" in log
    assert "2 Datensätzen heruntergeladen" in log
    assert "Jörg Geheim" not in _log_text()
    assert "joerg@example.org" not in _log_text()


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("export_csv", "{slug}-antworten.csv"),
        ("export_xlsx", "{slug}-antworten.xlsx"),
        ("export_codebook", "{slug}-codebuch.csv"),
    ],
)
def test_raw_survey_exports_are_logged(client, root, name, filename):
    from django.urls import reverse

    from tests.factories import QuestionFactory, ResponseFactory

    question = QuestionFactory()
    survey = question.survey
    ResponseFactory(survey=survey)
    ResponseFactory(survey=survey)
    client.force_login(root)

    response = client.get(reverse(f"survey:{name}", args=[survey.slug]))
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)

    assert response.status_code == 200
    export = LogEntry.objects.get(additional_data__kind="export")
    assert export.actor == root
    assert export.object_id == survey.pk
    assert export.additional_data["file"] == filename.format(slug=survey.slug)
    assert export.additional_data["rows"] == 2
    # The survey's raw data itself never gets a history (anonymity of the survey).
    raw = ContentType.objects.filter(app_label="survey", model__in=["response", "answer"])
    assert not LogEntry.objects.filter(content_type__in=raw).exists()


# --- old and new values, in German ------------------------------------------------------------


# Django's and auditlog's labels as they appear untranslated ("Text" is German too).
ENGLISH_LABELS = [
    "Title",
    "Show in footer",
    "Slug",
    "Description",
    "Position",
    "Published",
    "Field",
    "From",
    "To",
    "yes",
    "no",
    "system",
]


def test_field_change_shows_old_and_new_value_in_german(client, editor):
    page = PageFactory(title="Impressum", slug="impressum-test", body="<p>Alt</p>")
    client.force_login(editor)

    response = client.post(
        f"/admin/portal/page/{page.pk}/change/",
        _page_post(page, title="Impressum der Kooperation", is_published=""),
    )
    assert response.status_code == 302

    history = client.get(f"/admin/portal/page/{page.pk}/history/").content.decode()
    assert "Impressum der Kooperation" in history
    assert "<td>Impressum</td>" in history  # the old value
    assert ">Titel<" in history
    assert ">Veröffentlicht<" in history
    assert "<td>Ja</td><td>Nein</td>" in history
    assert "erika.redaktion" in history
    for label in ENGLISH_LABELS:
        assert f">{label}<" not in history, label


def test_article_history_names_municipalities_in_german(client, editor):
    oschatz = MunicipalityFactory(name="Oschatz", slug="oschatz")
    article = NewsArticleFactory(title="Kommunalforen in allen Kommunen")
    client.force_login(editor)

    response = client.post(
        f"/admin/portal/newsarticle/{article.pk}/change/",
        _article_post(article, municipalities=[oschatz.pk]),
    )
    assert response.status_code == 302

    history = client.get(f"/admin/portal/newsarticle/{article.pk}/history/").content.decode()
    assert "Betroffene Kommunen" in history
    assert "hinzugefügt: Oschatz" in history
    assert "Municipalities concerned" not in history


# --- who reads the overall log ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "viewer", "analyst"])
def test_only_administrators_read_the_overall_log(client, django_user_model, editor, who):
    EventFactory(title="Geheimes Treffen")
    users = {"editor": editor}
    users["viewer"] = django_user_model.objects.create_user("neugierig", is_staff=True)
    # Even with the model permission of the log (e.g. given by mistake) it stays closed.
    users["viewer"].user_permissions.add(
        Permission.objects.get(content_type__app_label="auditlog", codename="view_logentry")
    )
    users["analyst"] = django_user_model.objects.create_user("auswertung", is_staff=True)
    users["analyst"].groups.add(Group.objects.get(name="Auswertung"))
    client.force_login(users[who])

    assert client.get(LOG_URL).status_code == 403
    entry = LogEntry.objects.first()
    assert client.get(f"{LOG_URL}{entry.pk}/change/").status_code == 403
    assert LOG_URL not in client.get("/admin/").content.decode()


def test_administrator_filters_the_log_by_person_model_and_date(client, editor, root):
    client.force_login(editor)
    page = PageFactory(title="Datenschutz", slug="datenschutz-test")
    client.post(f"/admin/portal/page/{page.pk}/change/", _page_post(page, title="Datenschutz neu"))
    EventFactory(title="Von niemandem")
    client.force_login(root)

    by_person = client.get(LOG_URL, {"actor__id__exact": editor.pk}).content.decode()
    page_type = ContentType.objects.get_for_model(Page)
    by_model = client.get(LOG_URL, {"content_type__id__exact": page_type.pk}).content.decode()
    today = timezone.localdate()
    by_date = client.get(
        LOG_URL,
        {
            "timestamp__year": today.year,
            "timestamp__month": today.month,
            "timestamp__day": today.day,
        },
    )

    assert "Datenschutz neu" in by_person
    assert "Von niemandem" not in by_person
    assert "Datenschutz neu" in by_model
    assert "Von niemandem" not in by_model
    assert by_date.status_code == 200
    assert "Von niemandem" in by_date.content.decode()
    assert "erika.redaktion" in client.get(LOG_URL).content.decode()


# --- restoring earlier versions ---------------------------------------------------------------


def _restore_url(model, obj, entry):
    opts = model._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/history/{entry.pk}/restore/"


def test_editor_restores_an_earlier_page_version_and_it_is_logged(client, editor):
    page = PageFactory(title="Barrierefreiheit", slug="barrierefreiheit-test", body="<p>Eins</p>")
    client.force_login(editor)
    client.post(f"/admin/portal/page/{page.pk}/change/", _page_post(page, body="<p>Kaputt</p>"))
    first_version = LogEntry.objects.get_for_object(page).get(action=LogEntry.Action.CREATE)
    history = client.get(f"/admin/portal/page/{page.pk}/history/").content.decode()
    assert _restore_url(Page, page, first_version) in history

    response = client.post(_restore_url(Page, page, first_version))

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == "<p>Eins</p>"
    restored = LogEntry.objects.get(additional_data__kind="restore")
    assert restored.actor == editor
    assert restored.additional_data["fields"] == ["body"]
    history = client.get(f"/admin/portal/page/{page.pk}/history/").content.decode()
    assert "Fassung vom" in history
    assert "wiederhergestellt" in history


def test_restoring_an_event_goes_through_the_calendar_service(client, editor):
    event = EventFactory(title="Forum alt")
    client.force_login(editor)
    created = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    Event.objects.filter(pk=event.pk).update(title="Forum neu")

    client.post(_restore_url(Event, event, created))

    event.refresh_from_db()
    assert event.title == "Forum alt"
    assert event.sequence == 1  # subscribed calendars see the change


def test_editor_cannot_restore_what_they_may_not_change(
    client, django_user_model, make_staff, editor
):
    oschatz = MunicipalityFactory(name="Oschatz", slug="oschatz")
    dahlen = MunicipalityFactory(name="Dahlen", slug="dahlen")
    limited = make_staff("nur.oschatz", group="Redaktion", limit=oschatz)
    article = NewsArticleFactory(title="Aus Dahlen")
    article.municipalities.add(dahlen)
    first = LogEntry.objects.get_for_object(article).get(action=LogEntry.Action.CREATE)
    NewsArticle.objects.filter(pk=article.pk).update(title="Aus Dahlen, korrigiert")
    page = PageFactory(title="Impressum", slug="impressum-fremd")
    page_first = LogEntry.objects.get_for_object(page).get(action=LogEntry.Action.CREATE)
    Page.objects.filter(pk=page.pk).update(title="Impressum geändert")
    reader = django_user_model.objects.create_user("nur.lesen", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_page"))

    client.force_login(limited)
    response = client.post(_restore_url(NewsArticle, article, first))
    assert response.status_code in (403, 404)
    client.force_login(reader)
    assert client.post(_restore_url(Page, page, page_first)).status_code == 403
    history = client.get(f"/admin/portal/page/{page.pk}/history/").content.decode()
    assert "restore" not in history  # no button for someone who may only read

    assert NewsArticle.objects.get(pk=article.pk).title == "Aus Dahlen, korrigiert"
    assert Page.objects.get(pk=page.pk).title == "Impressum geändert"
    assert not LogEntry.objects.filter(additional_data__kind="restore").exists()


def test_restore_needs_a_post(client, editor):
    page = PageFactory(title="Kontakt", slug="kontakt-test")
    entry = LogEntry.objects.get_for_object(page).first()
    client.force_login(editor)
    assert client.get(_restore_url(Page, page, entry)).status_code == 405


# --- privacy ---------------------------------------------------------------------------------


def test_purge_also_removes_registrants_from_the_log(client, root, settings):
    settings.EVENTS_REGISTRATION_RETENTION_DAYS = 30
    past = timezone.now() - timedelta(days=40)
    event = EventFactory(
        title="Altes Forum",
        starts_at=past,
        ends_at=past + timedelta(hours=2),
        takes_registrations=True,
        capacity=10,
    )
    registration = RegistrationFactory(
        event=event,
        name="Gundula Geheimnis",
        email="gundula@example.org",
        accessibility_needs="Rollstuhl",
    )
    deleted = RegistrationFactory(event=event, name="Waltraud Weg", email="weg@example.org")
    client.force_login(root)
    # Staff touch the registrations: a change through the admin, a deletion.
    client.post(
        f"/admin/events/registration/{registration.pk}/change/",
        {"name": "Gundula Geheimnis-Neu", "email": "gundula@example.org", "persons": 2},
    )
    client.post(f"/admin/events/registration/{deleted.pk}/delete/", {"post": "yes"})
    # Neither log names them, not even before the purge ("Anmeldung #12").
    assert "Gundula" not in _log_text()

    call_command("purge_registrations", stdout=io.StringIO())

    text = _log_text()
    for secret in ["Gundula", "Waltraud", "example.org", "Rollstuhl"]:
        assert secret not in text, secret
    # What happened stays: who changed the number of persons, from 1 to 2.
    change = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=registration.pk,
        action=LogEntry.Action.UPDATE,
    )
    assert change.actor == root
    assert change.changes["persons"] == ["1", "2"]


def test_personal_fields_are_masked_in_the_log(client, root):
    event = EventFactory(title="Forum", takes_registrations=True, capacity=10)
    registration = RegistrationFactory(event=event, name="Klara Klar", email="klara@example.org")
    client.force_login(root)
    client.post(
        f"/admin/events/registration/{registration.pk}/change/",
        {"name": "Klara Klar", "email": "neu@example.org", "persons": 1},
    )

    change = LogEntry.objects.get(object_id=registration.pk, action=LogEntry.Action.UPDATE)
    assert change.changes["email"] == ["•••", "•••"]  # that it changed, not to what
    assert "neu@example.org" not in _log_text()
    assert "cancel_token" not in _log_text()


def test_user_history_says_staff_status_in_german(client, root, django_user_model):
    colleague = django_user_model.objects.create_user("kollegin", password="Geheim-2026-x")
    colleague.is_staff = True
    colleague.save()
    client.force_login(root)

    history = client.get(f"/admin/auth/user/{colleague.pk}/history/").content.decode()

    assert ">Mitarbeiter-Status<" in history
    assert "Staff status" not in history
    # That a password was set shows (masked), never the hash (tests hash with MD5).
    assert ">Passwort</th><td></td><td>•••<" in history
    assert "md5$" not in history


def test_a_version_outside_the_editors_reach_is_never_saved_nor_mailed():
    """The check runs on the restored state before the real save: an event restored into a
    municipality the editor may not change stays where it is, and nobody gets a mail."""
    from portal import audit

    oschatz = MunicipalityFactory(name="Oschatz", slug="oschatz")
    dahlen = MunicipalityFactory(name="Dahlen", slug="dahlen")
    event = EventFactory(municipality=dahlen, status=EventStatus.CANCELLED, capacity=5)
    version = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    Event.objects.filter(pk=event.pk).update(municipality=oschatz, status=EventStatus.PLANNED)
    RegistrationFactory(event=event)
    event.refresh_from_db()
    saved = []

    with pytest.raises(PermissionError):
        audit.version_restore(
            obj=event,
            entry=version,
            save=lambda obj, changed: saved.append(changed),
            allowed=lambda obj: obj.municipality_id == oschatz.pk,  # limited to Oschatz
        )

    event.refresh_from_db()
    assert event.municipality == oschatz
    assert event.status == EventStatus.PLANNED
    assert saved == []
    assert mail.outbox == []
    assert not LogEntry.objects.filter(additional_data__kind="restore").exists()


def test_djangos_own_change_messages_are_german(client, editor):
    article = NewsArticleFactory(title="Kommunalforen")
    oschatz = MunicipalityFactory(name="Oschatz", slug="oschatz")
    client.force_login(editor)

    client.post(
        f"/admin/portal/newsarticle/{article.pk}/change/",
        _article_post(
            article, title="Kommunalforen in allen Kommunen", municipalities=[oschatz.pk]
        ),
    )

    message = AdminLogEntry.objects.get(object_id=str(article.pk)).get_change_message()
    assert "Betroffene Kommunen" in message
    assert "Titel" in message
    assert "Municipalities concerned" not in message


def test_a_deleted_idea_leaves_no_copy_of_its_text_or_sender(client, root):
    from tests.factories import IdeaFactory

    idea = IdeaFactory(
        title="Spielplatz", text="Ruft mich an: 0151 2345678", name="Anna", email="anna@x.de"
    )
    client.force_login(root)

    client.post(f"/admin/portal/idea/{idea.pk}/delete/", {"post": "yes"})

    text = _log_text()
    assert "0151 2345678" not in text
    assert "anna@x.de" not in text
    assert "Spielplatz" in text  # that an idea was deleted, and which one, stays
