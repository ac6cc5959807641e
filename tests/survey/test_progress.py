"""Drop-out figures: started, each page reached, finished, counted at the moment per survey
and day, without answers, sessions or times finer than the day."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from survey.models import ProgressCount, ProgressStage, SurveyStatus
from survey.progress import progress_count, survey_progress
from tests.factories import UserFactory
from tests.survey.conftest import db_rows

pytestmark = pytest.mark.django_db


def counts(survey) -> dict:
    progress = survey_progress(survey=survey)
    return {
        "started": progress.started,
        "pages": [row.count for row in progress.pages],
        "finished": progress.finished,
    }


def test_a_whole_questionnaire_counts_start_every_page_and_finish_once(filler, mobility):
    filler.fill_all(Client())
    # Mügeln: the Oschatz page (4th) is never reached.
    assert counts(mobility) == {"started": 1, "pages": [1, 1, 1, 0, 1], "finished": 1}


def test_going_back_and_forth_and_reloading_count_each_page_once(filler, mobility):
    client = Client()
    client.post(filler.url, filler.page1())
    client.post(filler.url, filler.page2())
    client.post(filler.url, filler.page3(action="back"))
    client.get(f"{filler.url}?schritt=2")
    client.post(filler.url, filler.page2())
    client.get(f"{filler.url}?schritt=3")
    assert counts(mobility) == {"started": 1, "pages": [1, 1, 1, 0, 0], "finished": 0}


def test_drop_outs_show_where_people_stop(filler, mobility):
    for _person in range(3):
        Client().post(filler.url, filler.page1())
    second = Client()
    second.post(filler.url, filler.page1())
    second.post(filler.url, filler.page2())
    filler.fill_all(Client(), residence="Oschatz")
    # Page 2 is reached by everyone who sent page 1 (it is shown to them).
    assert counts(mobility) == {"started": 5, "pages": [5, 5, 2, 1, 1], "finished": 1}


def test_a_code_survey_counts_the_start_at_the_code(filler, mobility):
    code = filler.use_codes(1)[0]
    filler.send_with_code(code, way="Rad")
    assert counts(mobility) == {"started": 1, "pages": [1, 1, 1, 0, 1], "finished": 1}


def test_refused_and_invalid_pages_count_nothing(filler, mobility):
    client = Client()
    client.get(filler.url)  # looking is not starting
    client.post(filler.url, {"action": "next", "section": "\x00"})
    client.post(filler.url, {"action": "next", "section": "99999999999999999999"})
    client.post(filler.url, filler.page2())  # without a session: told to start again
    client.post(filler.url, filler.page1(action="back"))
    assert counts(mobility) == {"started": 0, "pages": [0, 0, 0, 0, 0], "finished": 0}


def test_no_row_ties_a_session_to_a_counter(filler, mobility):
    """Whoever holds the database sees counters per survey, day and page: no session key,
    no token, no answer, no time of day, nothing that pairs a count with a session."""
    client = Client()
    filler.fill_all(client)
    columns = {
        name
        for (name,) in db_rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            [ProgressCount._meta.db_table],
        )
    }
    assert columns == {"id", "survey_id", "day", "stage", "section_id", "count"}
    types = dict(
        db_rows(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [ProgressCount._meta.db_table],
        )
    )
    assert types["day"] == "date"
    session_key = client.session.session_key
    token = client.session  # the sealed state holds the token, never a counter id
    rows = db_rows(f"SELECT * FROM {connection.ops.quote_name(ProgressCount._meta.db_table)}")
    text = repr(rows)
    assert session_key not in text
    assert all(len(row) == 6 for row in rows)
    assert token is not None
    # One row per stage and page per day, however many people: counts, not events.
    Client().post(filler.url, filler.page1())
    assert ProgressCount.objects.filter(stage=ProgressStage.STARTED).count() == 1
    assert ProgressCount.objects.get(stage=ProgressStage.STARTED).count == 2


def test_counters_are_per_day(mobility):
    section = mobility.sections.first()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    progress_count(survey=mobility, stage=ProgressStage.STARTED, today=yesterday)
    progress_count(survey=mobility, stage=ProgressStage.STARTED)
    progress_count(survey=mobility, stage=ProgressStage.REACHED, section=section)
    progress_count(survey=mobility, stage=ProgressStage.REACHED, section=section)
    assert ProgressCount.objects.filter(stage=ProgressStage.STARTED).count() == 2
    assert ProgressCount.objects.get(stage=ProgressStage.REACHED).count == 2
    assert survey_progress(survey=mobility).started == 2


def test_test_mode_counts_nothing(filler, mobility):
    mobility.status = SurveyStatus.DRAFT
    mobility.save()
    client = Client()
    client.force_login(UserFactory(is_staff=True, permissions=["survey.change_survey"]))
    filler.url = reverse("survey:test", kwargs={"slug": mobility.slug})
    filler.fill_all(client)
    assert not ProgressCount.objects.exists()


def test_monitoring_page_shows_the_drop_out(
    client, filler, mobility, django_assert_max_num_queries
):
    filler.fill_all(Client())
    Client().post(filler.url, filler.page1())
    client.force_login(UserFactory(is_staff=True, permissions=["survey.view_monitoring"]))
    url = reverse("survey:monitoring", kwargs={"slug": mobility.slug})
    with django_assert_max_num_queries(25):
        page = client.get(url).content.decode()
    table = page[page.index('id="progress-table"') :]
    table = table[: table.index("</table>")]
    assert 'Begonnen</th><td class="num">2</td>' in table
    assert "Seite 2 „" in table
    assert 'Abgeschlossen und abgesendet</th><td class="num">1</td>' in table
    assert "50,0 %" in table


def test_monitoring_with_nothing_started(client, mobility):
    client.force_login(UserFactory(is_staff=True, permissions=["survey.view_monitoring"]))
    page = client.get(reverse("survey:monitoring", kwargs={"slug": mobility.slug}))
    assert "Noch niemand hat den Fragebogen online begonnen." in page.content.decode()
