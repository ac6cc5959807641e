"""The results pages as residents and staff see them."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal.caching import bump_content_version
from survey.models import Quote, ResultsPublication, SurveyStatus
from survey.results.services import results_publish
from tests.survey_results.conftest import OTHER_SECRETS, SECRETS, build_survey

pytestmark = pytest.mark.django_db


def _url(survey, name="survey:results"):
    return reverse(name, kwargs={"slug": survey.slug})


@pytest.fixture
def analyst(django_user_model):
    user = django_user_model.objects.create_user("auswertung", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_monitoring", "export_responses"], content_type__app_label="survey"
        )
    )
    return user


@pytest.fixture
def editor(django_user_model):
    """Staff without any survey permission (e.g. the news desk)."""
    return django_user_model.objects.create_user("redaktion", password="x", is_staff=True)


def test_published_results_show_participation_questions_and_publisher(client, published):
    ResultsPublication.objects.create(
        survey=published.survey, publisher_name="Kooperationsmanagement"
    )
    published.survey.publication.published_at = published.survey.closes_at
    published.survey.publication.save()

    response = client.get(_url(published.survey))
    body = response.content.decode()

    assert response.status_code == 200
    assert (
        "<title>Ergebnisse: Bürgerbefragung Testland – Oschatzer Land – Collmregion</title>" in body
    )
    assert body.count("<h1") == 1
    assert "12 Menschen haben teilgenommen." in body
    assert "von Kooperationsmanagement" in body
    assert "Stand: 1. August 2019" in body
    assert "Ahausen" in body
    assert "6,0" in body  # Ahausen per 1,000 inhabitants
    assert "60,0\u00a0%" in body  # Radwege
    assert "mehr als 100\u00a0%" in body or "mehr als 100 %" in body
    assert "Nennungen nach Themen" in body
    assert "Verkehr" in body
    assert "Mittelwert" in body


def test_unpublished_results_are_not_public(client, counted):
    assert client.get(_url(counted.survey)).status_code == 404
    assert client.get(_url(counted.survey, "survey:results_csv")).status_code == 404


def test_staff_with_permission_preview_unpublished_results(client, counted, analyst, editor):
    client.force_login(editor)
    assert client.get(_url(counted.survey)).status_code == 404

    client.force_login(analyst)
    response = client.get(_url(counted.survey))

    assert response.status_code == 200
    assert "Vorschau" in response.content.decode()


def test_raw_free_text_never_appears_on_public_pages(client, published):
    for path in [
        _url(published.survey),
        _url(published.survey) + "?nach=F1",
        _url(published.survey) + "?nach=kanal",
        _url(published.survey, "survey:results_csv"),
        _url(published.survey, "survey:results_csv") + "?nach=F1",
    ]:
        response = client.get(path)
        assert response.status_code == 200
        body = b"".join(response).decode()
        for secret in SECRETS + OTHER_SECRETS:
            assert secret not in body, (path, secret)


def test_released_quote_appears_with_its_question_only_once_released(
    client, published, django_capture_on_commit_callbacks
):
    quote = Quote.objects.create(
        question=published.f6,
        answer=published.texts[0],
        text="Mehr Busse am Wochenende",
        is_released=False,
    )
    assert "Mehr Busse am Wochenende" not in client.get(_url(published.survey)).content.decode()

    from survey.results.services import quotes_release

    # The page was cached; releasing invalidates it once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        quotes_release(quotes=Quote.objects.filter(pk=quote.pk), released=True)
    body = client.get(_url(published.survey)).content.decode()

    assert "„Mehr Busse am Wochenende“" in body
    assert SECRETS[0] not in body


def test_hidden_questions_are_left_out_of_public_results(client, published):
    publication = ResultsPublication.objects.create(survey=published.survey)
    publication.hidden_questions.add(published.f7)
    from survey.results.caching import survey_results_invalidate

    survey_results_invalidate(published.survey.pk)

    body = client.get(_url(published.survey)).content.decode()

    assert "Wie alt sind Sie?" not in body
    assert "Was ist wichtig?" in body


def test_breakdown_shows_groups_and_explains_merging(client, published):
    body = client.get(_url(published.survey) + "?nach=F1").content.decode()

    assert "Aufgeschlüsselt nach: Kommune" in body or "nach: Kommune" in body
    assert "Weitere" in body
    assert "Bedorf, Cestadt, Dewitz" in body
    assert '<option value="F1" selected>' in body


def test_breakdown_without_large_enough_groups_is_refused(client, published, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 50
    body = client.get(_url(published.survey) + "?nach=F1").content.decode()

    assert "Es gibt zu wenige Antworten, um nach Kommune aufzuschlüsseln" in body


def test_garbage_breakdown_is_ignored(client, published):
    response = client.get(_url(published.survey) + "?nach=%27;DROP")
    assert response.status_code == 200
    # A NUL byte is refused before any view (tests/ops/test_payloads.py).
    assert client.get(_url(published.survey) + "?nach=%00").status_code == 400


def test_public_csv_has_aggregated_counts(client, published):
    response = client.get(_url(published.survey, "survey:results_csv"))
    content = b"".join(response.streaming_content).decode("utf-8")

    assert response["Content-Type"].startswith("text/csv")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Frage", "Fragetext", "Aspekt", "Antwort"]
    radwege = next(row for row in rows if row[0] == "F3" and row[3] == "Radwege")
    assert radwege[4:8] == ["Alle", "6", "60,0", "10"]
    # The 95 % interval (Wilson on 10: 31.3 … 83.2, ± 26.0), not weighted (no targets).
    assert radwege[8:] == ["31,3", "83,2", "26,0", "nein"]
    streets = [row for row in rows if row[0] == "F4" and row[2] == "Straßen"]
    assert [row[5] for row in streets] == ["0", "0", "0", "2", "1", ""]
    assert streets[-1][3:8] == ["Mittelwert", "Alle", "", "–", "3"]  # n = 3: no mean
    assert streets[-1][8:11] == ["–", "–", "–"]  # nor its interval


@pytest.mark.parametrize(("breakdown", "queries"), [("", 17), ("?nach=F1", 18)])
def test_results_page_runs_a_constant_number_of_queries(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, breakdown, queries
):
    """Few and many responses cost the same queries: the content version of the page cache
    (its counter and, as content changed, the next due moment), survey, publication, the
    results version of the survey, (with a breakdown) the allowed breakdowns, then
    questions + options + items + themes + quotes, hidden questions, the tally state (last
    day, new or deleted responses), the tallies, theme counts and coded answers, and the
    events that presented the survey. The first
    computation after responses arrived (and so a new content version: the menu entries are
    read again, +1) adds a fixed 13 to count them into the tallies
    (savepoint, lock the tally state, count the counted responses, claim the new ones, their
    groups, answer counts and multiple-choice respondents over all breakdowns, read, delete
    and write the tallies, mark the claimed ones counted, save the state, release), whether
    1 or 30 responses arrived. Each invalidation of published results also invalidates the
    cached page (on commit)."""
    from survey.models import Answer
    from survey.results.caching import survey_results_invalidate
    from tests.factories import ResponseFactory

    small = build_survey(status=SurveyStatus.PUBLISHED)
    client.get(_url(small.survey) + breakdown)  # counts the 12 responses into the tallies

    def invalidate():
        with django_capture_on_commit_callbacks(execute=True):
            survey_results_invalidate(small.survey.pk)

    def arrive(count):
        for _ in range(count):
            response = ResponseFactory(survey=small.survey)
            option = small.f1.options.first()
            Answer.objects.create(response=response, question=small.f1, option=option)
            Answer.objects.create(
                response=response, question=small.f3, option=small.f3.options.first()
            )
        invalidate()

    invalidate()
    with django_assert_num_queries(queries):
        client.get(_url(small.survey) + breakdown)
    arrive(30)
    with django_assert_num_queries(queries + 13):
        client.get(_url(small.survey) + breakdown)
    arrive(1)
    with django_assert_num_queries(queries + 13):
        client.get(_url(small.survey) + breakdown)
    invalidate()
    with django_assert_num_queries(queries):
        response = client.get(_url(small.survey) + breakdown)
    assert "43 Menschen haben teilgenommen." in response.content.decode()
    # The page itself is cached for anonymous visitors: only the content version.
    with django_assert_num_queries(1):
        assert "43 Menschen" in client.get(_url(small.survey) + breakdown).content.decode()
    # Another change of public content re-renders the page from the cached results: only
    # the content version (counter and next due moment), the survey, its publication and
    # its results version, the events that presented it, and the menu entries (kept under
    # the content version).
    bump_content_version()
    with django_assert_num_queries(7):
        client.get(_url(small.survey) + breakdown)


def test_publish_service_makes_results_public_and_logs(client, counted, analyst):
    from django.contrib.admin.models import LogEntry

    results_publish(survey=counted.survey, user=analyst, publisher_name="Auswertungsteam")

    counted.survey.refresh_from_db()
    assert counted.survey.status == SurveyStatus.PUBLISHED
    assert client.get(_url(counted.survey)).status_code == 200
    entry = LogEntry.objects.get()
    assert entry.user == analyst
    assert "veröffentlicht" in entry.get_change_message()


def test_results_of_a_survey_without_responses_render(client):
    from tests.factories import QuestionFactory, SectionFactory, SurveyFactory

    survey = SurveyFactory(status=SurveyStatus.PUBLISHED, slug="leer")
    QuestionFactory(section=SectionFactory(survey=survey), text="Gibt es das?")

    body = client.get(_url(survey)).content.decode()

    assert "0 Menschen haben teilgenommen." in body
    assert "Gibt es das?" in body


@pytest.mark.parametrize(("query", "cached"), [("?nach=F1", True), ("?nach=unbekannt", False)])
def test_only_offered_breakdowns_fill_the_page_cache(client, published, query, cached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(_url(published.survey) + query)
    with CaptureQueriesContext(connection) as queries:
        client.get(_url(published.survey) + query)
    assert (len(queries) == 1) is cached  # from the cache: only the content version
