"""The published survey results as a resident sees them, on a phone and on a desktop."""

import pytest

from survey.models import ResultsPublication, SurveyStatus
from tests.browser.conftest import DESKTOP, PHONE
from tests.survey_results.conftest import SECRETS, build_survey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_results_page_is_accessible_and_breaks_down_without_javascript(
    page, live_server, foreign_requests, check_accessible, viewport
):
    data = build_survey(status=SurveyStatus.PUBLISHED)
    ResultsPublication.objects.create(survey=data.survey, publisher_name="Kooperationsmanagement")
    page.set_viewport_size(viewport)

    page.goto(live_server.url + "/befragungen/testland/ergebnisse/")

    assert page.locator("h1").inner_text() == "Ergebnisse: Bürgerbefragung Testland"
    assert page.get_by_text("12 Menschen haben teilgenommen.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    check_accessible(page)
    page.screenshot(path=f"/tmp/results-browser-{viewport['width']}.png", full_page=True)

    page.get_by_label("Aufschlüsseln nach").select_option("F1")
    page.get_by_role("button", name="Anzeigen").click()

    assert page.url.endswith("?nach=F1")
    assert page.get_by_text("Unter „Weitere“ zusammengefasst").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    check_accessible(page)
    assert all(secret not in page.content() for secret in SECRETS)
    assert foreign_requests == []


def test_resident_downloads_a_chart_and_the_report_from_the_results_page(
    page, live_server, foreign_requests, check_accessible
):
    data = build_survey(status=SurveyStatus.PUBLISHED)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/befragungen/testland/ergebnisse/")
    check_accessible(page)

    # The links' accessible names say which question's chart they download.
    link = page.get_by_role("link", name="Diagramm als PNG herunterladen: F3 Was ist wichtig?")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "testland-f3.png"
    with open(download.value.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Diagramm als SVG herunterladen: F5 {data.f5.text}").click()
    assert download.value.suggested_filename == "testland-f5.svg"

    href = page.get_by_role("link", name="Ergebnisbericht als PDF").get_attribute("href")
    report = page.request.get(live_server.url + href)
    assert report.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_weighted_results_switch_to_unweighted_and_stay_accessible(
    page, live_server, foreign_requests, check_accessible, viewport
):
    from survey.results.weighting_admin import weighting_targets_prefill

    data = build_survey(status=SurveyStatus.PUBLISHED)
    ResultsPublication.objects.create(survey=data.survey, publisher_name="Kooperationsmanagement")
    weighting_targets_prefill(survey=data.survey)
    page.set_viewport_size(viewport)

    page.goto(live_server.url + "/befragungen/testland/ergebnisse/")
    assert page.get_by_text("Gewichtet nach Einwohnerzahl", exact=False).is_visible()
    assert page.get_by_text("Prozentpunkte", exact=False).first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    check_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Ungewichtete Ergebnisse zeigen").click()
    assert page.url.endswith("?gewichtet=0")
    assert page.get_by_text("Ungewichtete Ergebnisse.").is_visible()
    check_accessible(page)

    # The breakdown keeps the choice.
    page.get_by_label("Aufschlüsseln nach").select_option("kanal")
    with page.expect_navigation():
        page.get_by_role("button", name="Anzeigen").click()
    assert "gewichtet=0" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    check_accessible(page)
    assert foreign_requests == []
