"""Handing data over: the statistical export form on the monitoring page and the LimeSurvey
import in the admin, as staff use them (keyboard-reachable forms, no JavaScript needed)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from survey.models import Survey, SurveyStatus
from tests.browser.conftest import DESKTOP
from tests.survey_results.conftest import build_survey

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/work/wt/shots/handover")
LSS = Path(__file__).parents[1] / "survey" / "data" / "all_types.lss"


def _login(page, live_server, django_user_model, *codenames):
    user = django_user_model.objects.create_user("analyse", password="geheim-123", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Benutzername").fill("analyse")
    page.get_by_label("Passwort").fill("geheim-123")
    page.get_by_role("button", name="Anmelden").click()


def _shot(page, name):
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


def test_statistical_export_form_downloads_stata_with_texts(
    page, live_server, foreign_requests, check_accessible, django_user_model
):
    build_survey(status=SurveyStatus.CLOSED)
    page.set_viewport_size(DESKTOP)
    _login(page, live_server, django_user_model, "export_responses", "view_monitoring")

    page.goto(live_server.url + "/befragungen/testland/auswertung/verlauf/")
    check_accessible(page)
    _shot(page, "monitoring-statistik-export.png")
    page.get_by_label("Stata (.dta)").check()
    page.get_by_label("Antworttexte").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Herunterladen").click()

    assert download.value.suggested_filename == "testland-antworten-texte.dta"
    assert foreign_requests == []


def test_limesurvey_import_in_the_admin(page, live_server, foreign_requests, django_user_model):
    page.set_viewport_size(DESKTOP)
    _login(page, live_server, django_user_model, "add_survey", "view_survey", "change_survey")

    page.goto(live_server.url + "/admin/survey/survey/")
    page.get_by_role("link", name="LimeSurvey-Struktur importieren").click()
    page.get_by_label("LimeSurvey-Struktur (.lss)").set_input_files(str(LSS))
    page.get_by_role("button", name="Als Entwurf importieren").click()

    assert page.get_by_role("heading", name="Nicht übernommen oder geändert").is_visible()
    assert page.get_by_text("MEHRZAHL: Der Fragetyp").is_visible()
    _shot(page, "admin-lss-import.png")
    page.get_by_role("link", name="Entwurf öffnen").click()
    assert Survey.objects.get().status == SurveyStatus.DRAFT
    assert foreign_requests == []
