"""The public survey pages as visitors see them, and their query counts."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from survey.models import SurveyStatus
from survey.selectors import _DEFINITIONS, _SURVEYS
from survey.synthetic import responses_generate
from tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def test_list_groups_open_upcoming_and_closed(client, mobility):
    now = timezone.now()
    SurveyFactory(
        title="Jugendbefragung",
        opens_at=now + datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=40),
    )
    SurveyFactory(title="Bürgerbefragung 2019", status=SurveyStatus.CLOSED)
    SurveyFactory(title="Geheimer Entwurf", status=SurveyStatus.DRAFT)

    page = client.get(reverse("survey:list")).content.decode()

    assert "<title>Befragungen – Oschatzer Land – Collmregion</title>" in page
    open_part, rest = page.split('id="surveys-upcoming"')
    upcoming_part, closed_part = rest.split('id="surveys-closed"')
    assert "Mobilität im Oschatzer Land 2026" in open_part
    assert "Jugendbefragung" in upcoming_part
    assert "Bürgerbefragung 2019" in closed_part
    assert "Geheimer Entwurf" not in page
    assert page.count("<h1") == 1


def test_detail_shows_intro_window_privacy_and_start(client, mobility):
    page = client.get(mobility.get_absolute_url()).content.decode()
    assert "<h1>Mobilität im Oschatzer Land 2026</h1>" in page
    assert "Radverkehr und ÖPNV" in page
    assert "Datenschutz" in page
    assert "IP-Adresse" in page
    assert f'href="{reverse("survey:participate", kwargs={"slug": mobility.slug})}"' in page
    assert "Befragung starten" in page
    assert "Vom " in page


def test_detail_of_a_closed_survey_has_no_start_button(client, mobility):
    mobility.status = SurveyStatus.CLOSED
    mobility.save()
    page = client.get(mobility.get_absolute_url()).content.decode()
    assert "Befragung starten" not in page
    assert "Diese Befragung endete am" in page


def test_detail_of_an_upcoming_survey_says_when_it_opens(client, mobility):
    mobility.opens_at = timezone.now() + datetime.timedelta(days=2)
    mobility.save()
    page = client.get(mobility.get_absolute_url()).content.decode()
    assert "Diese Befragung beginnt am" in page
    assert "Befragung starten" not in page


def test_staff_can_preview_a_draft(admin_client, mobility):
    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    page = admin_client.get(mobility.get_absolute_url()).content.decode()
    assert "Entwurf: Nur die Verwaltung sieht diese Seite." in page


def test_print_page_has_every_question_with_boxes_and_lines(client, mobility):
    response = client.get(reverse("survey:print", kwargs={"slug": mobility.slug}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fragebogen zum Ausdrucken – Mobilität im Oschatzer Land 2026" in page
    for code in ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "M8", "M9", "M10"]:
        assert f'<span class="print-question__code">{code}</span>' in page
    assert page.count('class="print-box"') > 40
    assert 'class="print-lines"' in page
    assert "Kreuzen Sie höchstens 3 Kästchen an." in page
    assert "Nur beantworten, wenn Sie bei Frage M4 „Fahrrad oder E-Bike“ angegeben haben." in page
    assert "1 = sehr schlecht" in page
    assert "Bogen-Nr. (trägt die Verwaltung ein):" in page
    assert "Liebschützberg" in page


def test_print_css_targets_a4():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/site.css").read_text()
    survey_css = css.split("/* === survey === */")[1]
    assert "@page { size: A4;" in survey_css


def test_thanks_page(client, mobility):
    page = client.get(reverse("survey:thanks", kwargs={"slug": mobility.slug})).content.decode()
    assert "Vielen Dank für Ihre Teilnahme!" in page


def test_home_shows_the_open_survey_prominently(client, mobility):
    page = client.get("/").content.decode()
    assert "Jetzt mitmachen" in page
    assert "An „Mobilität im Oschatzer Land 2026“ teilnehmen" in page
    assert page.index("survey-teaser") < page.index("home-municipalities")


def test_home_without_open_survey_shows_no_teaser(client, mobility):
    mobility.status = SurveyStatus.CLOSED
    mobility.save()
    assert "survey-teaser" not in client.get("/").content.decode()


def test_public_pages_set_no_session_cookie(client, mobility):
    for url in [
        reverse("survey:list"),
        mobility.get_absolute_url(),
        reverse("survey:print", kwargs={"slug": mobility.slug}),
    ]:
        assert "sessionid" not in client.get(url).cookies


# Query counts: the same literal number with one response and with many, so no page loads
# responses. Counted: the survey; for the print and step pages its questionnaire (sections,
# questions, options with municipalities, matrix items, the two condition tables); for the
# step page of a first visit no session (none exists before the first page is sent); for
# the list the three groups (open, upcoming, closed). Every page but "thanks" also reads the
# content version (the page cache's, or for the step page the key of the cached
# questionnaire). The menus are kept in memory under the content version; pages the page
# cache does not look up read the menus' version.
@pytest.mark.parametrize(
    ("name", "queries"),
    [("list", 4), ("detail", 2), ("print", 10), ("thanks", 2), ("participate", 11)],
)
def test_query_counts_do_not_grow_with_responses(
    client, mobility, django_assert_num_queries, name, queries
):
    url = (
        reverse("survey:list")
        if name == "list"
        else reverse(f"survey:{name}", kwargs={"slug": mobility.slug})
    )
    responses_generate(survey=mobility, count=1)
    client.get(url)  # fills the caches (the questionnaire); creates no session
    cache.clear()  # count the page as rendered, not as served from the page cache
    _DEFINITIONS.clear()  # and the questionnaire as loaded, not as kept by the worker
    _SURVEYS.clear()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    responses_generate(survey=mobility, count=300, seed=7)
    cache.clear()
    _DEFINITIONS.clear()
    _SURVEYS.clear()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_the_home_teaser_costs_one_query_and_its_tag_none(mobility, django_assert_num_queries):
    from django.template import Context, Template

    from survey.selectors import survey_open_teaser

    with django_assert_num_queries(1):
        survey = survey_open_teaser()
    template = Template("{% load survey_tags %}{% survey_open_teaser open_survey %}")
    with django_assert_num_queries(0):
        html = template.render(Context({"open_survey": survey}))
    assert mobility.title in html
    assert template.render(Context({"open_survey": None})).strip() == ""


def test_questionnaire_pages_read_the_definition_from_the_cache(
    client, mobility, django_assert_num_queries
):
    url = reverse("survey:participate", kwargs={"slug": mobility.slug})
    client.get(url)  # caches the questionnaire (and creates no session)
    # The content version (the key of the survey row and the questionnaire kept by the
    # worker) and the menus' version; the survey, sections, questions and options come
    # from memory (3 queries when the survey row was read per request).
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
