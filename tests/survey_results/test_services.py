"""Publishing, coding, quotes and retention: one test per outcome."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from survey.models import (
    Answer,
    AnswerTheme,
    Quote,
    Response,
    ResultsPublication,
    Survey,
    SurveyStatus,
    Theme,
)
from survey.results.compute import compute_results
from survey.results.selectors import (
    survey_municipality_participation,
    survey_results,
    survey_topic_findings,
)
from survey.results.services import (
    DELETED_TEXT,
    answer_themes_set,
    answers_theme_add,
    answers_theme_remove,
    quote_create,
    quote_delete,
    quote_save,
    quotes_delete,
    quotes_release,
    results_publish,
    results_unpublish,
    survey_raw_data_delete,
)
from tests.factories import SurveyFactory, TopicFactory
from tests.survey_results.conftest import OTHER_SECRETS, SECRETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(
        "analyst", password="x", is_staff=True, first_name="Anna", last_name="Lyse"
    )


def test_publish_sets_status_publisher_and_as_of_day(counted, staff):
    publication = results_publish(survey=counted.survey, user=staff)

    counted.survey.refresh_from_db()
    assert counted.survey.status == SurveyStatus.PUBLISHED
    assert publication.publisher_name == "Anna Lyse"
    assert publication.published_by == staff
    assert publication.data_as_of == datetime.date(2019, 8, 1)


def test_publish_counts_every_response_so_results_pages_only_read(
    counted, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        results_publish(survey=counted.survey, user=staff)

    assert not Response.objects.filter(survey=counted.survey, tallied__isnull=True).exists()
    with CaptureQueriesContext(connection) as queries:
        assert survey_results(survey=counted.survey, breakdown="F1").total == 12
    writes = [q["sql"] for q in queries if not q["sql"].startswith("SELECT")]
    assert writes == []
    assert not any("FOR UPDATE" in q["sql"] for q in queries)


def test_publish_refuses_drafts_and_running_surveys(staff):
    with pytest.raises(ValidationError):
        results_publish(survey=SurveyFactory(status=SurveyStatus.DRAFT), user=staff)
    with pytest.raises(ValidationError):
        results_publish(survey=SurveyFactory(status=SurveyStatus.OPEN), user=staff)


def test_unpublish_closes_the_survey_again(published, staff):
    results_unpublish(survey=published.survey, user=staff)

    published.survey.refresh_from_db()
    assert published.survey.status == SurveyStatus.CLOSED
    assert ResultsPublication.objects.get().published_at is None


def test_answer_themes_set_replaces_the_themes_and_refreshes_results(counted):
    _t1, t2 = counted.themes
    survey_results(survey=counted.survey)  # cached now

    answer_themes_set(answer=counted.texts[0], themes=[t2])

    assert set(counted.texts[0].codings.values_list("theme", flat=True)) == {t2.pk}
    themes = survey_results(survey=counted.survey).question(counted.f6.pk).themes
    assert {row.label: row.cells[0].count for row in themes} == {"Verkehr": 1, "Kultur": 1}


def test_answer_themes_set_refuses_a_theme_of_another_question(counted):
    foreign = Theme.objects.create(question=counted.f3, label="Fremd")
    with pytest.raises(ValidationError):
        answer_themes_set(answer=counted.texts[0], themes=[foreign])


def test_bulk_coding_adds_a_theme_only_to_answers_of_its_question(counted):
    _t1, t2 = counted.themes

    change = answers_theme_add(answers=Answer.objects.all(), theme=t2)

    # The three F6 answers (one had T2 already), nothing else.
    assert (change.changed, change.unchanged) == (2, 1)
    assert change.other_questions == Answer.objects.exclude(question=counted.f6).count()
    assert AnswerTheme.objects.filter(theme=t2).count() == 3
    again = answers_theme_add(answers=Answer.objects.all(), theme=t2)  # idempotent
    assert (again.changed, again.unchanged) == (0, 3)
    assert AnswerTheme.objects.filter(theme=t2).count() == 3


def test_bulk_removal_of_a_theme(counted):
    t1, _t2 = counted.themes

    answers_theme_remove(answers=Answer.objects.filter(question=counted.f6), theme=t1)

    assert not AnswerTheme.objects.filter(theme=t1).exists()


def test_quote_from_a_free_text_answer_starts_unreleased(counted):
    quote = quote_create(answer=counted.texts[2])

    assert quote.text == SECRETS[2]
    assert not quote.is_released
    with pytest.raises(ValidationError):
        quote_create(answer=Answer.objects.filter(question=counted.f1).first())


def test_releasing_quotes_shows_them_in_the_results(counted):
    Quote.objects.create(question=counted.f6, text="Mehr Busse")
    survey_results(survey=counted.survey)

    quotes_release(quotes=Quote.objects.all(), released=True)

    assert survey_results(survey=counted.survey).question(counted.f6.pk).quotes == ["Mehr Busse"]


def test_an_edited_quote_shows_at_once(counted):
    quote = Quote.objects.create(question=counted.f6, text="Mehr Busse", is_released=True)
    survey_results(survey=counted.survey)  # cached now

    quote.text = "Mehr Busse am Abend"
    quote_save(quote=quote)

    quotes = survey_results(survey=counted.survey).question(counted.f6.pk).quotes
    assert quotes == ["Mehr Busse am Abend"]


def test_deleted_quotes_leave_the_results_at_once(counted):
    first = Quote.objects.create(question=counted.f6, text="Eins", is_released=True, position=1)
    Quote.objects.create(question=counted.f6, text="Zwei", is_released=True, position=2)
    survey_results(survey=counted.survey)  # cached now

    quote_delete(quote=first)
    assert survey_results(survey=counted.survey).question(counted.f6.pk).quotes == ["Zwei"]

    assert quotes_delete(quotes=Quote.objects.all()) == 1
    assert survey_results(survey=counted.survey).question(counted.f6.pk).quotes == []


def test_raw_data_deletion_keeps_themes_and_counts(counted):
    before = compute_results(survey=counted.survey)
    Quote.objects.create(question=counted.f6, answer=counted.texts[0], text="Gekürzt")

    counts = survey_raw_data_delete(survey=counted.survey)

    assert counts == {"free_texts": 3, "other_texts": 2, "paper_responses": 4, "scans": 0}
    texts = set(Answer.objects.exclude(text="").values_list("text", flat=True))
    assert texts == {DELETED_TEXT}
    assert not any(secret in texts for secret in SECRETS + OTHER_SECRETS)
    assert set(Response.objects.values_list("batch", flat=True)) == {""}
    after = compute_results(survey=counted.survey)
    assert after.question(counted.f6.pk).themes == before.question(counted.f6.pk).themes
    assert after.question(counted.f3.pk).rows == before.question(counted.f3.pk).rows
    assert Quote.objects.get().text == "Gekürzt"
    assert ResultsPublication.objects.get().raw_deleted_at is not None


def test_retention_command_cleans_only_surveys_past_their_date(counted):
    ResultsPublication.objects.create(
        survey=counted.survey, delete_raw_after=datetime.date(2020, 1, 31)
    )
    out = io.StringIO()

    call_command("survey_delete_raw_data", "--today", "2020-01-31", stdout=out)
    assert "Keine Befragung" in out.getvalue()
    assert Answer.objects.filter(text=SECRETS[0]).exists()

    call_command("survey_delete_raw_data", "--today", "2020-02-01", stdout=out)
    assert (
        "testland: 3 Freitexte, 2 Sonstiges-Angaben, 4 Papierbögen und 0 gescannte Stapel "
        "bereinigt."
    ) in out.getvalue()
    assert not Answer.objects.filter(text=SECRETS[0]).exists()


def test_topic_tag_shows_linked_questions_of_published_surveys_only(counted):
    topic = TopicFactory(name="Mobilität", slug="mobilitaet-test")
    counted.f3.topics.add(topic)
    template = Template("{% load survey_results_tags %}{% survey_topic_results entries %}")

    def render():
        return template.render(Context({"entries": survey_topic_findings(topic=topic)}))

    assert "Was ist wichtig?" not in render()

    counted.survey.status = SurveyStatus.PUBLISHED
    counted.survey.save()
    html = render()

    assert "Was ist wichtig?" in html
    assert "Am häufigsten genannt: „Radwege“ (60,0 %)." in html
    assert "/befragungen/testland/ergebnisse/#q-" in html


def test_municipality_tag_shows_participation_per_1000(published):
    ahausen = published.places[0]
    template = Template(
        "{% load survey_results_tags %}{% survey_municipality_results entries municipality %}"
    )
    entries = survey_municipality_participation(municipality=ahausen)

    html = template.render(Context({"entries": entries, "municipality": ahausen}))

    assert "haben 6 Menschen aus Ahausen teilgenommen (6,0 je 1.000 Einwohner)" in html
    assert "/befragungen/testland/ergebnisse/?nach=F1" in html


def test_bench_command_seeds_times_and_cleans_up():
    out = io.StringIO()

    call_command("bench_results", "--responses", "40", "--repeat", "1", stdout=out)

    assert "40 responses with" in out.getvalue()
    assert out.getvalue().count("uncached median") == 4
    assert not Survey.objects.filter(slug="bench-ergebnisse").exists()
