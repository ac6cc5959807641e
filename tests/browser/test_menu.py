"""The header on a 390 px phone: a compact menu button (a <details>) in front of search and
navigation, used by keyboard only."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

# The issue: the header took about 270 px (274 measured before the menu), the navigation
# wrapped over three rows.
PHONE_HEADER_MAX = 80  # 60 px measured with the demo content


def _focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def _ax_button(page) -> tuple[str, str, bool]:
    """Role, name and expanded state of the menu button in Chromium's accessibility tree:
    what a screen reader is told (Chromium's role for <summary>, exposed as an expandable
    button to the platform)."""
    cdp = page.context.new_cdp_session(page)
    document = cdp.send("DOM.getDocument")
    summary = cdp.send(
        "DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": "summary"}
    )
    (node,) = cdp.send("Accessibility.getPartialAXTree", {"nodeId": summary["nodeId"]})["nodes"][:1]
    properties = {item["name"]: item["value"].get("value") for item in node.get("properties", [])}
    cdp.detach()
    return node["role"]["value"], node["name"]["value"], bool(properties.get("expanded"))


def test_phone_menu_by_keyboard(page, live_server, check_accessible):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/kommunen/")
    header = page.locator(".site-header")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert header.bounding_box()["height"] <= PHONE_HEADER_MAX
    assert not nav.is_visible()
    assert not page.get_by_role("searchbox").is_visible()

    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # logo
    page.keyboard.press("Tab")
    button = page.locator(".site-menu__button")
    assert button.evaluate("el => el === document.activeElement")
    assert _focused_text(page) == "Menü"
    # Screen readers hear a collapsed button.
    assert _ax_button(page) == ("DisclosureTriangle", "Menü", False)

    page.keyboard.press("Enter")
    assert nav.is_visible()
    assert _ax_button(page) == ("DisclosureTriangle", "Menü", True)
    check_accessible(page)
    # Tab runs through the search and then each entry of the navigation up to "Kontakt".
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(_focused_text(page))
        if seen[-1] == "Kontakt":
            break
    assert seen[-1] == "Kontakt", seen
    assert seen.index("Aktuelles") < seen.index("Kommunen") < seen.index("Kontakt")
    assert page.evaluate("document.activeElement.closest('nav') !== null")
    # "Kommunen" is marked as the current section.
    assert nav.get_by_role("link", name="Kommunen").get_attribute("aria-current") == "page"

    # Escape closes the menu and returns to the button.
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    assert button.evaluate("el => el === document.activeElement")
    # Space opens it as well; Enter on the button closes it again.
    page.keyboard.press("Space")
    assert nav.is_visible()
    page.keyboard.press("Enter")
    assert not nav.is_visible()


def test_phone_menu_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert not nav.is_visible()
    page.get_by_text("Menü").click()
    assert nav.is_visible()
    nav.get_by_role("link", name="Kontakt").click()
    assert page.locator("h1").inner_text() == "Kontakt"
    context.close()


def test_wide_screen_shows_navigation_without_button(page, live_server):
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    assert not page.locator(".site-menu__button").is_visible()
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert nav.get_by_role("link", name="Kontakt").is_visible()
    assert page.get_by_role("searchbox").is_visible()
    # Escape on a wide screen hides nothing.
    page.keyboard.press("Escape")
    assert nav.is_visible()
