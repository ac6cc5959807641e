"""Editors' journeys: the staff start page and the preview of a draft event.

With ``SHOTS_DIR`` set, the pages are saved there as screenshots (for reviews)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from events.models import EventPublication
from portal.models import IdeaStatus
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import EventFactory, IdeaFactory, NewsArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Redaktion-Test-2026"


def shot(page, name):
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def login(page, live_server, username, next_url="/admin/"):
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_staff_preview_a_draft_event_residents_do_not_see_it(
    page, live_server, django_user_model, check_accessible, foreign_requests
):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("erika", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Redaktion"))
    start = timezone.now() + timedelta(days=5)
    event = EventFactory(
        title="Werkstatt Dorfladen",
        slug="werkstatt-dorfladen",
        publication=EventPublication.DRAFT,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "erika", f"/admin/events/event/{event.pk}/change/")
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Vorschau").click()
    preview = popup.value
    preview.wait_for_load_state()
    assert preview.url.endswith("/termine/werkstatt-dorfladen/?vorschau")
    assert preview.locator("h1").inner_text() == "Werkstatt Dorfladen"
    assert "Vorschau – nicht veröffentlicht" in preview.locator(".preview-banner").inner_text()
    check_accessible(preview)
    shot(preview, "preview-draft-event.png")

    resident = page.context.browser.new_context(viewport=PHONE).new_page()
    for path in ("/termine/werkstatt-dorfladen/?vorschau", "/termine/werkstatt-dorfladen/"):
        assert resident.goto(live_server.url + path).status == 404
    resident.goto(live_server.url + "/termine/")
    assert "Werkstatt Dorfladen" not in resident.content()
    resident.context.close()
    assert foreign_requests == []


def test_the_staff_start_page_shows_the_work(
    page, live_server, django_user_model, check_accessible
):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("erika", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Redaktion"))
    IdeaFactory(title="Mehr Bänke am Döllnitzradweg", status=IdeaStatus.NEW)
    start = timezone.now() + timedelta(days=4)
    EventFactory(title="Kommunalforum Dahlen", starts_at=start, ends_at=start + timedelta(hours=2))
    EventFactory(
        title="Werkstatt Dorfladen",
        publication=EventPublication.DRAFT,
        starts_at=start + timedelta(days=2),
        ends_at=start + timedelta(days=2, hours=2),
    )
    NewsArticleFactory(title="Neuer Radweg eröffnet", scheduled=True)
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "erika")
    assert page.get_by_role("heading", name="Ihre Arbeit").is_visible()
    ideas = page.locator("#panel-ideas")
    assert "Mehr Bänke am Döllnitzradweg" in ideas.inner_text()
    assert "Werkstatt Dorfladen" in page.locator("#panel-events-next").inner_text()
    assert "Neuer Radweg eröffnet" in page.locator("#panel-news-drafts").inner_text()
    check_accessible(page)
    shot(page, "staff-start-page.png")


def test_unsaved_changes_warn_and_the_draft_of_a_long_text_comes_back(
    page, live_server, django_user_model
):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("erika", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Redaktion"))
    article = NewsArticleFactory(title="Radweg", body="<p>Alter Text.</p>")
    idea = IdeaFactory(title="Bank", text="Text einer Bürgerin", email="buergerin@example.org")
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_viewport_size(DESKTOP)
    change = f"/admin/portal/newsarticle/{article.pk}/change/"
    login(page, live_server, "erika", change)
    editor = page.locator(".ProseMirror[contenteditable=true]").first
    editor.wait_for()
    # The toolbar and the selector widgets in German (prose-editor-de.js, the admin catalog).
    assert page.locator(".prose-menubar__button[title='Fett']").count() >= 1
    assert page.locator(".prose-menubar__button[title='insert link']").count() == 0
    # SelectFilter builds its widget once the admin catalog (jsi18n) has loaded: wait for it.
    page.get_by_text("Alle Themenfelder auswählen").first.wait_for()
    body_text = page.locator("body").inner_text()
    assert "Choose all" not in body_text
    assert "arrow button" not in body_text
    editor.click()
    page.keyboard.press("End")
    page.keyboard.type(" Neuer ungesicherter Satz.")
    for _ in range(40):  # polled from here: the page's CSP forbids wait_for_function's eval
        if "ungesicherter Satz" in page.evaluate("JSON.stringify(localStorage)"):
            break
        page.wait_for_timeout(250)
    else:
        pytest.fail("the draft was not kept in localStorage")
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.goto(live_server.url + "/admin/")
    assert dialogs == ["beforeunload"]

    page.goto(live_server.url + change)
    notice = page.locator(".unsaved-draft-notice")
    assert "ungesicherten Entwurf" in notice.inner_text()
    shot(page, "unsaved-draft-offer.png")
    page.get_by_role("button", name="Entwurf wiederherstellen").click()
    page.wait_for_selector("text=Der Entwurf wurde wiederhergestellt")
    assert "Neuer ungesicherter Satz." in editor.inner_text()
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/portal/newsarticle/")
    article.refresh_from_db()
    assert "Neuer ungesicherter Satz." in article.body
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('osl-draft:'))") == []

    # A form with a resident's personal data is never kept in the browser.
    page.goto(live_server.url + f"/admin/portal/idea/{idea.pk}/change/")
    page.fill("#id_reply", "Danke für die Idee!")
    page.wait_for_timeout(3500)
    stored = page.evaluate("JSON.stringify(localStorage)")
    assert "buergerin" not in stored
    assert "Danke für die Idee" not in stored
    assert csp_errors == []
