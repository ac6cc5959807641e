"""The home page as a resident on a phone sees it."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_home_is_accessible_and_loads_nothing_from_other_hosts(
    page, live_server, foreign_requests, check_accessible, viewport
):
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Oschatzer Land – Collmregion"
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    check_accessible(page)
    assert foreign_requests == []


def test_keyboard_user_reaches_content_through_skip_link(page, live_server):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/kommunen/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_role("link", name="Mügeln").first.click()
    assert page.locator("h1").inner_text() == "Mügeln"
