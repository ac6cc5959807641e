"""Portal journeys: staff publish news in the admin, residents find it and send ideas."""

import pytest
from django.core import mail

from portal.models import Idea, IdeaStatus, NewsArticle
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import IdeaFactory, NewsArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Redaktion-Test-2026"


def test_staff_publishes_an_article_and_a_resident_finds_it(
    page, live_server, django_user_model, check_accessible
):
    django_user_model.objects.create_superuser("redaktion", password=PASSWORD)
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/admin/login/?next=/admin/portal/newsarticle/add/")
    page.fill("#id_username", "redaktion")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.fill("#id_title", "Neuer Radweg zwischen Oschatz und Mügeln")
    page.fill("#id_teaser", "Der Radweg entlang der Döllnitz ist fertig.")
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Ab heute radeln Sie sicher auf den neuen Radwegen.")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/portal/newsarticle/")
    article = NewsArticle.objects.get()
    assert article.slug == "neuer-radweg-zwischen-oschatz-und-mugeln"
    assert "Ab heute radeln Sie sicher" in article.body
    assert csp_errors == []

    resident = page.context.browser.new_context(viewport=PHONE).new_page()
    resident.goto(live_server.url + "/")
    resident.get_by_role("link", name="Neuer Radweg zwischen Oschatz und Mügeln").click()
    assert resident.locator("h1").inner_text() == "Neuer Radweg zwischen Oschatz und Mügeln"
    assert "Ab heute radeln Sie sicher" in resident.locator(".rich-text").inner_text()
    resident.get_by_text("Menü").click()  # on a phone the search sits behind the menu button
    resident.fill("#site-search-q", "Radwege")
    resident.keyboard.press("Enter")
    resident.wait_for_url("**/suche/?q=Radwege")
    assert resident.locator(".search-result mark").count() >= 1
    resident.get_by_role("link", name="Neuer Radweg zwischen Oschatz und Mügeln").click()
    check_accessible(resident)
    resident.context.close()


def test_resident_sends_an_idea(page, live_server, settings, check_accessible):
    settings.SPAM_MIN_FILL_SECONDS = 0
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/mitmachen/")
    with page.expect_navigation():  # the form goes to the server: wait for its answer
        page.get_by_role("button", name="Idee senden").click()
    # Nothing typed: errors with a summary, the page title says so.
    assert page.title().startswith("Fehler: ")
    check_accessible(page)
    page.fill("#id_title", "Bänke am Wanderweg")
    page.fill("#id_text", "Am Collm fehlen Bänke zum Ausruhen.")
    page.select_option("#id_municipality", label="Wermsdorf")
    page.fill("#id_name", "Grete")
    page.fill("#id_email", "grete@example.org")
    page.check("#id_consent")
    page.get_by_role("button", name="Idee senden").click()
    assert "Vielen Dank für Ihre Idee" in page.locator(".messages").inner_text()
    idea = Idea.objects.get()
    assert idea.municipality.name == "Wermsdorf"
    assert idea.status == IdeaStatus.NEW
    assert len(mail.outbox) == 1


PUBLIC_URLS = [
    "/",
    "/aktuelles/",
    "/aktuelles/?thema=radverkehr",
    "/aktuelles/radweg-fertig/",
    "/themen/radverkehr/",
    "/kommunen/oschatz/",
    "/mitmachen/",
    "/kontakt/",
    "/suche/",
    "/suche/?q=Radwege",
    "/suche/?q=Radwegg",  # nothing found: "Meinten Sie Radweg?" as a link
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_public_portal_pages_are_accessible(
    page, live_server, foreign_requests, check_accessible, viewport
):
    article = NewsArticleFactory(
        slug="radweg-fertig",
        title="Radweg fertig",
        body="<h2>Strecke</h2><p>Der Radweg ist <strong>fertig</strong>.</p>",
    )
    from portal.models import Topic

    topic = Topic.objects.get(slug="radverkehr")
    article.topics.add(topic)
    NewsArticleFactory(title="Noch ein Radweg").topics.add(topic)
    IdeaFactory(topic=topic, status=IdeaStatus.APPROVED, reply="Danke!")
    page.set_viewport_size(viewport)
    for url in PUBLIC_URLS:
        page.goto(live_server.url + url)
        assert page.locator("h1").count() == 1, url
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], url
        check_accessible(page)
    page.goto(live_server.url + "/suche/?q=Radwegg")
    page.get_by_role("link", name="Radweg", exact=True).click()
    page.wait_for_url("**/suche/?q=Radweg")
    assert page.locator(".search-result").count() >= 2
    assert foreign_requests == []
