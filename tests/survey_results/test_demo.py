"""The demo seed publishes the 2019 survey's results with coded free texts."""

import datetime
import io

import pytest

from survey.models import Answer, AnswerTheme, QuestionKind, Quote, SurveyStatus
from survey.results import demo as results_demo
from tests.factories import QuestionFactory, ResponseFactory, SectionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_codes_texts_releases_quotes_and_publishes_once():
    survey = SurveyFactory(
        slug=results_demo.SURVEY_SLUG,
        status=SurveyStatus.CLOSED,
        opens_at=datetime.datetime(2019, 6, 17, tzinfo=datetime.UTC),
        closes_at=datetime.datetime(2019, 7, 29, tzinfo=datetime.UTC),
    )
    question = QuestionFactory(
        section=SectionFactory(survey=survey), code="F4", kind=QuestionKind.LONG_TEXT
    )
    quote_text = results_demo.QUOTES["F4"][0]
    for text in ["Glasfaser bis ins Haus", quote_text]:
        Answer.objects.create(response=ResponseFactory(survey=survey), question=question, text=text)

    results_demo.seed(stdout=io.StringIO())
    results_demo.seed(stdout=io.StringIO())  # idempotent

    survey.refresh_from_db()
    assert survey.status == SurveyStatus.PUBLISHED
    assert survey.publication.publisher_name == results_demo.PUBLISHER
    labels = set(AnswerTheme.objects.values_list("theme__label", flat=True))
    assert labels == {
        "Internet und Mobilfunk",
        "Straßen, Rad- und Fußwege",
        "Kinder, Jugend und Familien",
    }
    assert Quote.objects.filter(is_released=True, text=quote_text).count() == 1
