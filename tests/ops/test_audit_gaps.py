"""Attacks on the audit trail by a careless or malicious staff member: actions that left no
trace (or one without who/what/how many), traces that could be erased, log entries that
leaked what the log must never hold, and restores that went around the admin's rules."""

import io
import json
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Registration
from portal import audit
from portal.models import EditorProfile, Idea, NewsArticle, NewsStatus
from survey.kinds import kind_values
from survey.models import AccessCode, Answer, QuestionKind, Quote, ResultsPublication, Survey, Theme
from survey.services import access_codes_generate
from tests.factories import (
    AnswerFactory,
    EventFactory,
    IdeaFactory,
    MunicipalityFactory,
    NewsArticleFactory,
    QuestionFactory,
    RegistrationFactory,
    ResponseFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db

LOG_URL = "/admin/auditlog/logentry/"
RAW = "Mein Nachbar Heinz Kunze in der Lindenstraße 4 parkt immer falsch"


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x")


@pytest.fixture
def editor(make_staff):
    return make_staff("erika.redaktion", group="Redaktion")


def _stored() -> str:
    return "\n".join(
        json.dumps(
            [e.object_repr, e.changes, e.changes_text, e.serialized_data, e.additional_data],
            default=str,
            ensure_ascii=False,
        )
        for e in LogEntry.objects.all()
    )


def _free_text_answer(text=RAW):
    question = QuestionFactory(kind=QuestionKind.LONG_TEXT, code="F9")
    return AnswerFactory(
        question=question, response=ResponseFactory(survey=question.survey), text=text
    )


# --- quotes: released without a trace, and the raw answer in the log ---------------------------


def test_quote_release_is_logged_per_quote_without_the_raw_answer(client, root):
    answer = _free_text_answer()
    client.force_login(root)
    client.post(
        "/admin/survey/freetextanswer/",
        {"action": "make_quotes", "_selected_action": [answer.pk]},
    )
    quote = Quote.objects.get()

    client.post("/admin/survey/quote/", {"action": "release", "_selected_action": [quote.pk]})

    assert Quote.objects.get().is_released
    change = LogEntry.objects.get_for_object(quote).get(
        action=LogEntry.Action.UPDATE, additional_data__isnull=True
    )
    assert change.actor == root
    assert change.changes["is_released"] == ["False", "True"]
    assert "Heinz Kunze" not in _stored()
    assert "Heinz Kunze" not in client.get(LOG_URL).content.decode()


def test_editing_a_quote_text_leaves_a_trace_without_the_text(client, root):
    answer = _free_text_answer()
    quote = Quote.objects.create(question=answer.question, answer=answer, text=RAW)
    client.force_login(root)

    client.post(
        f"/admin/survey/quote/{quote.pk}/change/",
        {"text": "Jemand parkt falsch.", "is_released": "on", "position": 0},
    )

    change = LogEntry.objects.get_for_object(quote).get(action=LogEntry.Action.UPDATE)
    assert change.actor == root
    assert "text" in change.changes
    assert "Heinz" not in _stored()
    assert "Jemand parkt" not in _stored()
    # Django's own admin log stored str(quote), the raw answer, too.
    assert AdminLogEntry.objects.get().object_repr == f"Zitat #{quote.pk}"


# --- coding and access codes: what and how many ------------------------------------------------


def test_coding_in_bulk_names_the_theme_and_the_count(client, root):
    answer = _free_text_answer()
    other = AnswerFactory(
        question=answer.question,
        response=ResponseFactory(survey=answer.question.survey),
        text="Mehr Busse",
    )
    theme = Theme.objects.create(question=answer.question, label="Verkehr")
    client.force_login(root)

    client.post(
        "/admin/survey/freetextanswer/",
        {"action": "add_theme", "theme": theme.pk, "_selected_action": [answer.pk, other.pk]},
    )

    entry = LogEntry.objects.get(additional_data__kind="coding")
    assert entry.actor == root
    assert entry.additional_data["count"] == 2
    assert entry.additional_data["theme"] == "Verkehr"
    assert "Verkehr" in client.get(LOG_URL).content.decode()
    assert "Heinz" not in _stored()
    assert "Busse" not in _stored()


def test_an_action_on_one_answer_names_no_answer_in_the_log(client, root):
    """Survey raw data is counted only: an action on a single answer must not point the
    log at that answer (its id leads to the response and its other answers)."""
    answer = _free_text_answer()
    theme = Theme.objects.create(question=answer.question, label="Verkehr")
    client.force_login(root)

    client.post(
        "/admin/survey/freetextanswer/",
        {"action": "add_theme", "theme": theme.pk, "_selected_action": [answer.pk]},
    )

    entry = LogEntry.objects.get(additional_data__kind="action")
    assert entry.additional_data["count"] == 1
    assert entry.object_pk == ""
    assert entry.object_id is None
    assert entry.additional_data["objects"] == []
    assert f"#{answer.pk}" not in _stored()


def test_generating_access_codes_logs_how_many_and_never_the_codes(client, root):
    survey = SurveyFactory(title="Jugendbefragung", access_mode="codes")
    client.force_login(root)
    form = {"action": "generate_access_codes", "_selected_action": [survey.pk]}

    client.post("/admin/survey/survey/", form)  # the form that asks how many
    assert not LogEntry.objects.filter(additional_data__kind="action").exists()
    client.post("/admin/survey/survey/", {**form, "apply": "1", "count": 25})

    assert AccessCode.objects.filter(survey=survey).count() == 25
    entry = LogEntry.objects.get(additional_data__kind="generated")
    assert entry.actor == root
    assert entry.additional_data["count"] == 25
    stored = _stored()
    assert not any(code in stored for code in AccessCode.objects.values_list("code", flat=True))
    assert "25 Zugangscodes erzeugt" in client.get(LOG_URL).content.decode()


# --- mails to one resident ---------------------------------------------------------------------


def test_reply_mailed_to_an_idea_sender_is_logged_without_the_address(client, root):
    idea = IdeaFactory(title="Bank am Teich", name="Hanna Hinz", email="hanna@example.org")
    client.force_login(root)

    client.post(
        f"/admin/portal/idea/{idea.pk}/change/",
        {"title": idea.title, "text": idea.text, "status": idea.status, "reply": "Danke!"},
    )

    assert len(mail.outbox) == 1
    entry = LogEntry.objects.get(additional_data__kind="mail")
    assert entry.actor == root
    assert entry.additional_data["recipients"] == 1
    assert "hanna@example.org" not in _stored()
    assert "Hanna" not in _stored()


# --- users, groups, permissions, passwords -----------------------------------------------------


def test_permission_and_password_changes_of_a_user_are_logged(client, root, editor):
    client.force_login(root)
    permission = Permission.objects.get(codename="delete_registration")

    editor.user_permissions.add(permission)
    Group.objects.get(name="Redaktion").permissions.add(
        Permission.objects.get(codename="delete_logentry", content_type__app_label="admin")
    )
    client.post(
        f"/admin/auth/user/{editor.pk}/password/",
        {
            "password1": "Neu-und-geheim-2026!",
            "password2": "Neu-und-geheim-2026!",
            "usable_password": "true",
        },
    )

    user_entries = LogEntry.objects.get_for_object(editor)
    assert any("user_permissions" in (e.changes or {}) for e in user_entries)
    password = [e for e in user_entries if "password" in (e.changes or {})]
    assert password
    assert password[0].actor == root
    group = LogEntry.objects.get_for_object(Group.objects.get(name="Redaktion"))
    assert any("permissions" in (e.changes or {}) for e in group)
    stored = _stored()
    for secret in ("pbkdf2", "argon2", "Neu-und-geheim"):
        assert secret not in stored


def test_deleting_a_staff_account_does_not_erase_who_acted(client, root, editor):
    article = NewsArticleFactory(title="Markttag")
    client.force_login(editor)
    client.post(
        "/admin/portal/newsarticle/", {"action": "unpublish", "_selected_action": [article.pk]}
    )
    client.force_login(root)

    editor.delete()  # e.g. to cover their tracks, or simply when they leave

    change = LogEntry.objects.get_for_object(article).get(
        action=LogEntry.Action.UPDATE, additional_data__isnull=True
    )
    assert change.actor is None  # the account is gone ...
    assert change.actor_email == "erika.redaktion"  # ... the name stays
    log = client.get(f"{LOG_URL}?vorgang=update").content.decode()
    assert "erika.redaktion (Konto gelöscht)" in log
    history = client.get(f"/admin/portal/newsarticle/{article.pk}/history/").content.decode()
    assert "erika.redaktion (Konto gelöscht)" in history


# --- operators' commands -------------------------------------------------------------------------


def test_purging_personal_data_by_command_is_logged(settings):
    past = timezone.now() - timedelta(days=5)
    event = EventFactory(
        starts_at=past, ends_at=past + timedelta(hours=1), takes_registrations=True, capacity=9
    )
    RegistrationFactory(event=event, email="a@example.org")
    RegistrationFactory(event=event, email="b@example.org")

    call_command("purge_registrations", "--days", "0", stdout=io.StringIO())

    entry = LogEntry.objects.get(additional_data__kind="purge")
    assert entry.additional_data["count"] == 2
    assert entry.additional_data["command"] == "purge_registrations"
    assert entry.additional_data["retention_days"] == 0
    summary = "Name, E-Mail und Bedarfe der Angemeldeten gelöscht, 2 Datensätze"
    assert summary in audit.entry_summary(entry)
    assert "Frist 0 Tage" in audit.entry_summary(entry)
    assert "@example.org" not in _stored()


def test_deleting_raw_survey_data_by_command_is_logged():
    answer = _free_text_answer()
    survey = answer.question.survey
    ResultsPublication.objects.create(
        survey=survey, delete_raw_after=timezone.localdate() - timedelta(days=1)
    )

    call_command("survey_delete_raw_data", stdout=io.StringIO())

    assert Answer.objects.get(pk=answer.pk).text != RAW
    entry = LogEntry.objects.get(additional_data__kind="purge")
    assert entry.object_repr == survey.title
    assert entry.additional_data["count"] == 1
    assert "Heinz" not in _stored()


def test_generating_fake_responses_into_a_survey_is_logged():
    question = QuestionFactory(kind=QuestionKind.SHORT_TEXT)
    survey = question.survey

    call_command("generate_responses", survey.slug, "7", stdout=io.StringIO())

    entry = LogEntry.objects.get(additional_data__kind="generated")
    assert entry.object_repr == survey.title
    assert entry.additional_data["count"] == 7


# --- the paper entry page ----------------------------------------------------------------------


def test_paper_entry_is_logged_per_sheet(client, root):
    question = QuestionFactory(kind=QuestionKind.SHORT_TEXT, required=False)
    survey = question.survey
    client.force_login(root)

    response = client.post(
        f"/befragungen/{survey.slug}/papiererfassung/",
        {"sheet_number": 12, "batch": "Stapel A", f"s{question.section_id}-q{question.pk}": RAW},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = LogEntry.objects.get(additional_data__kind="paper")
    assert entry.actor == root
    assert entry.object_repr == survey.title
    assert "Heinz" not in _stored()


# --- restore around the admin's rules ------------------------------------------------------------


def test_limited_editor_cannot_unpublish_a_shared_article_by_restoring(client, make_staff):
    oschatz = MunicipalityFactory(name="Oschatz", slug="oschatz")
    dahlen = MunicipalityFactory(name="Dahlen", slug="dahlen")
    limited = make_staff("nur.oschatz", group="Redaktion", limit=oschatz)
    article = NewsArticleFactory(title="Regionalforum", status=NewsStatus.DRAFT)
    article.municipalities.add(oschatz, dahlen)
    draft = LogEntry.objects.get_for_object(article).get(action=LogEntry.Action.CREATE)
    article.status = NewsStatus.PUBLISHED
    article.save()
    client.force_login(limited)

    client.post(f"/admin/portal/newsarticle/{article.pk}/history/{draft.pk}/restore/")

    assert NewsArticle.objects.get(pk=article.pk).status == NewsStatus.PUBLISHED


def test_restoring_a_version_whose_municipality_is_gone_says_so(client, root):
    gone = MunicipalityFactory(name="Altgemeinde", slug="altgemeinde")
    event = EventFactory(title="Forum", municipality=gone)
    first = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    event.municipality = None
    event.title = "Forum neu"
    event.save()
    gone.delete()
    client.force_login(root)

    response = client.post(
        f"/admin/events/event/{event.pk}/history/{first.pk}/restore/", follow=True
    )

    assert response.status_code == 200
    assert "kann nicht wiederhergestellt werden" in response.content.decode()
    assert Event.objects.get(pk=event.pk).title == "Forum neu"


def test_restore_is_protected_against_cross_site_posts(root):
    from django.test import Client

    event = EventFactory(title="Forum")
    first = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    Event.objects.filter(pk=event.pk).update(title="Neu")
    client = Client(enforce_csrf_checks=True)
    client.force_login(root)

    response = client.post(f"/admin/events/event/{event.pk}/history/{first.pk}/restore/")

    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).title == "Neu"


# --- the log itself -----------------------------------------------------------------------------


def test_nobody_edits_or_deletes_the_log_through_the_admin(client, root):
    EventFactory(title="Forum")
    entry = LogEntry.objects.first()
    client.force_login(root)

    assert client.post(f"{LOG_URL}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{LOG_URL}{entry.pk}/change/", {}).status_code == 403
    client.post(
        LOG_URL, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_registration_history_never_shows_personal_data(client, root):
    event = EventFactory(takes_registrations=True, capacity=5)
    registration = RegistrationFactory(
        event=event,
        name="Berta Blind",
        email="berta@example.org",
        accessibility_needs="Blindenhund",
    )
    client.force_login(root)
    client.post(
        "/admin/events/registration/",
        {"action": "cancel_registrations", "_selected_action": [registration.pk]},
    )

    history = client.get(f"/admin/events/registration/{registration.pk}/history/").content.decode()
    log = client.get(LOG_URL).content.decode()

    for secret in ("Berta", "berta@example.org", "Blindenhund"):
        assert secret not in history
        assert secret not in log
        assert secret not in _stored()


# --- a whole demo run, then the staff actions: what the stored log holds ---------------------


def test_after_a_demo_run_and_staff_work_the_log_holds_no_secret(client, root, settings):
    call_command("seed_demo", stdout=io.StringIO())
    idea = Idea.objects.first()
    Idea.objects.filter(pk=idea.pk).update(email="ideengeber@example.org", name="Ida Ideengeber")
    client.force_login(root)
    events = list(Event.objects.filter(takes_registrations=True).values_list("pk", flat=True))
    registrations = list(Registration.objects.values_list("pk", flat=True))
    client.post(
        "/admin/events/event/", {"action": "export_registrations", "_selected_action": events}
    )
    client.post(
        "/admin/events/registration/",
        {"action": "cancel_registrations", "_selected_action": registrations[:3]},
    )
    client.post(
        "/admin/events/event/", {"action": "mark_cancelled", "_selected_action": events[:1]}
    )
    client.post(
        f"/admin/portal/idea/{idea.pk}/change/",
        {"title": idea.title, "text": idea.text, "status": idea.status, "reply": "Danke sehr!"},
    )
    texts = Answer.objects.filter(question__kind__in=kind_values("is_free_text"))
    answers = list(texts.exclude(text="").values_list("pk", flat=True)[:5])
    client.post(
        "/admin/survey/freetextanswer/", {"action": "make_quotes", "_selected_action": answers}
    )
    client.post(
        "/admin/survey/quote/",
        {"action": "release", "_selected_action": list(Quote.objects.values_list("pk", flat=True))},
    )
    survey = Survey.objects.first()
    client.post(
        "/admin/survey/survey/",
        {
            "action": "generate_access_codes",
            "_selected_action": [survey.pk],
            "apply": "1",
            "count": 5,
        },
    )
    for name in ("export_csv", "export_xlsx", "export_codebook"):
        client.get(reverse(f"survey:{name}", args=[survey.slug]))
    # Everything secret that exists now.
    secrets = set(Registration.objects.exclude(email="").values_list("email", flat=True))
    secrets |= {n for n in Registration.objects.values_list("name", flat=True) if " " in n}
    secrets |= {
        n for n in Registration.objects.values_list("accessibility_needs", flat=True) if len(n) > 12
    }
    secrets |= {"ideengeber@example.org", "Ida Ideengeber"}
    secrets |= {t for t in Idea.objects.values_list("text", flat=True) if len(t) > 20}
    secrets |= set(AccessCode.objects.values_list("code", flat=True))
    secrets |= {t for t in texts.values_list("text", flat=True) if len(t) > 25}
    secrets.add(root.password)
    assert len(secrets) > 50
    stored = _stored() + "\n".join(
        f"{e.object_repr} {e.change_message}" for e in AdminLogEntry.objects.all()
    )

    leaked = sorted(secret for secret in secrets if secret in stored)

    assert LogEntry.objects.count() > 100
    assert leaked == []


# --- deletions of what has no history of its own, and the login logs --------------------------


def test_deleting_a_single_survey_response_is_logged(client, root):
    response = ResponseFactory(survey=SurveyFactory(title="Haushaltsbefragung"))
    client.force_login(root)

    client.post(f"/admin/survey/response/{response.pk}/delete/", {"post": "yes"})

    entry = LogEntry.objects.get(additional_data__kind="delete")
    assert entry.actor == root
    assert entry.additional_data["count"] == 1
    assert entry.object_pk == ""  # which response is not named (anonymity)
    log = client.get(f"{LOG_URL}?vorgang=delete").content.decode()
    assert "1 Objekt gelöscht" in log


def test_failed_logins_stay_logged_and_login_logs_cannot_be_deleted(client, root):
    from axes.models import AccessFailureLog, AccessLog

    client.post("/admin/login/", {"username": "root", "password": "falsch"})
    client.post("/admin/login/", {"username": "root", "password": "x"})  # resets attempts
    assert AccessFailureLog.objects.filter(username="root").count() == 1
    login = AccessLog.objects.get(username="root")
    failure = AccessFailureLog.objects.get()

    assert (
        client.post(f"/admin/axes/accesslog/{login.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    client.post(
        "/admin/axes/accessfailurelog/",
        {"action": "delete_selected", "_selected_action": [failure.pk], "post": "yes"},
    )
    assert AccessLog.objects.filter(pk=login.pk).exists()
    assert AccessFailureLog.objects.filter(pk=failure.pk).exists()


def test_user_rights_changes_show_old_and_new_values(client, root, editor):
    oschatz = MunicipalityFactory(name="Oschatz", slug="oschatz")
    dahlen = MunicipalityFactory(name="Dahlen", slug="dahlen")
    EditorProfile.objects.create(user=editor, municipality=oschatz)
    client.force_login(root)
    profile = EditorProfile.objects.get(user=editor)

    editor.is_superuser = True
    editor.save()
    editor.groups.add(Group.objects.get(name="Auswertung"))
    profile.municipality = dahlen
    profile.save()

    entries = LogEntry.objects.all()  # changed in code here, so without an actor
    superuser = entries.filter(changes__has_key="is_superuser").latest("pk")
    assert superuser.changes["is_superuser"] == ["False", "True"]
    groups = entries.filter(changes__has_key="groups").latest("pk")
    assert groups.changes["groups"]["objects"] == ["Auswertung"]
    limit = entries.filter(changes__has_key="municipality").latest("pk")
    assert limit.changes["municipality"] == ["Oschatz", "Dahlen"]


def test_editing_a_quote_inline_keeps_its_text_out_of_the_admin_log(client, root):
    answer = _free_text_answer()
    quote = Quote.objects.create(question=answer.question, answer=answer, text=RAW)
    client.force_login(root)

    response = client.post(
        f"/admin/survey/textquestion/{answer.question.pk}/change/",
        {
            "themes-TOTAL_FORMS": 0,
            "themes-INITIAL_FORMS": 0,
            "quotes-TOTAL_FORMS": 1,
            "quotes-INITIAL_FORMS": 1,
            "quotes-0-id": quote.pk,
            "quotes-0-question": answer.question.pk,
            "quotes-0-text": "Jemand parkt falsch.",
            "quotes-0-is_released": "on",
            "quotes-0-position": 1,
        },
    )

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Quote.objects.get().is_released
    admin_log = " ".join(f"{e.object_repr} {e.change_message}" for e in AdminLogEntry.objects.all())
    assert f"Zitat #{quote.pk}" in admin_log
    assert "Heinz" not in admin_log
    assert "Heinz" not in _stored()


def test_results_publication_by_action_shows_who_and_old_and_new_status(client, root):
    survey = SurveyFactory(
        title="Mobilität",
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
        status="closed",
    )
    publication = ResultsPublication.objects.create(survey=survey)
    client.force_login(root)

    client.post(
        "/admin/survey/resultspublication/",
        {"action": "publish", "_selected_action": [publication.pk]},
    )
    client.post(
        "/admin/survey/resultspublication/",
        {"action": "unpublish", "_selected_action": [publication.pk]},
    )

    status = [
        e.changes["status"]
        for e in LogEntry.objects.get_for_object(survey).filter(actor=root).order_by("pk")
        if "status" in (e.changes or {})
    ]
    assert status == [["closed", "published"], ["published", "closed"]]
    published = [
        e.changes["published_at"]
        for e in LogEntry.objects.get_for_object(publication).filter(actor=root).order_by("pk")
        if "published_at" in (e.changes or {})
    ]
    assert len(published) == 2
    assert published[1][1] == "None"


def test_unused_access_codes_are_only_readable_through_the_logged_lists(client, root):
    survey = SurveyFactory(title="Jugendbefragung", access_mode="codes")
    codes = [c.code for c in access_codes_generate(survey=survey, count=3)]
    used = AccessCode.objects.get(code=codes[0])
    used.used, used.used_on = True, timezone.localdate()
    used.save()
    client.force_login(root)

    listing = client.get("/admin/survey/accesscode/").content.decode()
    detail = client.get(
        f"/admin/survey/accesscode/{AccessCode.objects.get(code=codes[1]).pk}/change/"
    )

    assert codes[0] in listing  # a used code is worthless
    for code in codes[1:]:
        assert code not in listing
        assert code not in detail.content.decode()
    printed = client.get(reverse("survey:access_codes", args=[survey.slug]))
    assert printed.status_code == 200
    assert LogEntry.objects.filter(additional_data__kind="export").count() == 1
