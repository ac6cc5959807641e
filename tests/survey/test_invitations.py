"""Invitation letters with QR codes and the short link that fills in the code."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from survey.invitations import access_code_link
from survey.models import AccessCode, SurveyStatus
from tests.factories import QuestionFactory, SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes(filler):
    return filler.use_codes(3)


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, permissions=["survey.view_accesscode"]))
    return client


def _link(code: str) -> str:
    return f"{reverse('access_code_link')}?c={code}"


def test_letters_one_page_per_unused_code_with_inline_qr(
    staff, mobility, codes, django_assert_max_num_queries
):
    AccessCode.objects.filter(code=codes[0]).update(used=True, used_on="2026-01-01")
    url = reverse("survey:access_code_letters", args=[mobility.slug])
    with django_assert_max_num_queries(12):
        response = staff.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert page.count('<article class="letter"') == 2
    assert page.count('<svg viewBox="') == 2
    assert "style=" not in page.split("<main", 1)[1]  # the CSP forbids inline styles
    assert f"{codes[1][:4]}-{codes[1][4:]}" in page
    assert f"{codes[0][:4]}-{codes[0][4:]}" not in page  # used codes get no letter
    assert "Einladung zur Befragung" in page
    assert "Datenschutz" in page
    assert "Liebschützberg" in page
    assert not re.search(r'(src|href)="https?://(?!127\.0\.0\.1)', page)


def test_letters_need_the_permission(client, mobility, codes):
    url = reverse("survey:access_code_letters", args=[mobility.slug])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(UserFactory(is_staff=True, permissions=["survey.view_survey"]))
    assert client.get(url).status_code == 403
    client.force_login(
        UserFactory(username="ehemalig", is_staff=False, permissions=["survey.view_accesscode"])
    )
    assert client.get(url).status_code == 403


def test_letter_qr_encodes_the_short_link(settings, codes):
    settings.SITE_URL = "https://oschatzerland.de"
    assert access_code_link(codes[0]) == f"https://oschatzerland.de/zugang/?c={codes[0]}"


def test_short_link_fills_in_the_code_and_leaves_the_address(client, mobility, codes, filler):
    response = client.get(_link(codes[0]))
    assert response.status_code == 302
    assert response["Location"] == filler.url  # no code in the address any more
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    page = client.get(filler.url).content.decode()
    assert "Ihr Zugangscode" not in page  # straight to the first page
    for data in [filler.page1(), filler.page2(), filler.page3(), filler.page_ideas()]:
        response = client.post(filler.url, data)
    assert response["Location"].endswith("/danke/")
    assert AccessCode.objects.get(code=codes[0]).used


def test_short_link_accepts_the_code_as_printed(client, codes):
    assert client.get(_link(f"{codes[0][:4].lower()}-{codes[0][4:]}")).status_code == 302


@pytest.mark.parametrize("value", ["", "NOPE-NOPE", "A" * 5000, "AC\x00DE", "<script>"])
def test_short_link_with_a_wrong_code_says_so_in_german(client, codes, value):
    response = client.get(reverse("access_code_link"), {"c": value})
    assert response.status_code in {400, 404}
    if response.status_code == 404:
        assert "Diesen Zugangscode kennen wir nicht" in response.content.decode()


def test_short_link_with_a_used_code(client, codes, filler):
    filler.send_with_code(codes[0], way="Bus")
    response = Client().get(_link(codes[0]))
    assert response.status_code == 410
    assert "bereits verwendet" in response.content.decode()


def test_short_link_of_a_closed_or_draft_survey(client, mobility, codes):
    mobility.status = SurveyStatus.CLOSED
    mobility.save()
    assert "beendet" in client.get(_link(codes[0])).content.decode()
    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    assert client.get(_link(codes[1])).status_code == 404


def test_short_link_code_belongs_to_its_own_survey_only(client, mobility, codes, filler):
    other = SurveyFactory(slug="andere", access_mode="codes")
    QuestionFactory(section__survey=other, kind="short_text")  # passes the activation check
    client.get(_link(codes[0]))
    # The code opened the mobility survey, not any other code survey.
    assert (
        "Ihr Zugangscode"
        in client.get(reverse("survey:participate", args=[other.slug])).content.decode()
    )


def test_short_link_guessing_is_limited(client, settings, codes):
    settings.SURVEY_CODE_ATTEMPTS_PER_HOUR = 3
    for _n in range(3):
        assert client.get(_link("WRONGCODE")).status_code == 404
    response = client.get(_link(codes[0]))  # even a right code is not checked any more
    assert response.status_code == 429
    assert "Zu viele Versuche" in response.content.decode()


def test_many_letters_come_in_print_runs(staff, mobility, codes, monkeypatch):
    monkeypatch.setattr("survey.views.invitations.LETTERS_PER_PAGE", 2)
    url = reverse("survey:access_code_letters", args=[mobility.slug])
    first = staff.get(url).content.decode()
    second = staff.get(url, {"teil": "2"}).content.decode()
    assert first.count('<article class="letter"') == 2
    assert second.count('<article class="letter"') == 1
    assert "Druckteil 1 von 2" in first
    # Nonsense page numbers give a valid page, never an error.
    for value in ["0", "-1", "abc", "99999999999999999999", "\u0661"]:
        assert staff.get(url, {"teil": value}).status_code == 200


def test_short_link_keeps_a_questionnaire_under_way(client, codes, filler):
    client.get(_link(codes[0]))
    client.post(filler.url, filler.page1())
    # A second letter's QR code (or a link planted elsewhere) in the same browser.
    assert client.get(_link(codes[1])).status_code == 302
    assert "Schritt 2 von" in client.get(filler.url).content.decode()
    for data in [filler.page2(), filler.page3(), filler.page_ideas()]:
        response = client.post(filler.url, data)
    assert response["Location"].endswith("/danke/")
    assert AccessCode.objects.get(code=codes[0]).used
    assert not AccessCode.objects.get(code=codes[1]).used
    # Once that questionnaire is sent, the second letter starts a new one.
    client.get(_link(codes[1]))
    assert "Schritt 1 von" in client.get(filler.url).content.decode()


def test_short_link_counts_the_start_like_the_code_form(client, mobility, codes, filler):
    """The drop-out figures must not lose everyone who came by letter: the short link starts
    the questionnaire, so it counts as started and as having reached page 1."""
    from survey.progress import survey_progress

    client.get(_link(codes[0]))
    progress = survey_progress(survey=mobility)
    assert progress.started == 1
    assert progress.pages[0].count == 1
