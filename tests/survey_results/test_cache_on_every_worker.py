"""Cached results and questionnaires are never stale on another worker, also without Redis.

Without DJANGO_CACHE_URL every gunicorn worker has a local-memory cache of its own. The
change below happens "on another worker": its cache is a separate LocMemCache, exactly as
another process's would be. This worker must not go on serving what it cached before.
"""

import contextlib
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache

from survey.models import Response
from survey.results.caching import survey_results_invalidate
from survey.results.selectors import survey_results
from survey.selectors import survey_definition_cached
from tests.factories import QuestionFactory, SectionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def another_worker():
    other = LocMemCache("another-worker", {})
    with contextlib.ExitStack() as stack:
        for module in ("portal.caching", "survey.results.selectors", "survey.selectors"):
            stack.enter_context(mock.patch(f"{module}.cache", other))
        yield
    other.clear()


def test_results_after_a_change_on_another_worker(counted):
    assert survey_results(survey=counted.survey).total == 12  # cached on this worker
    with another_worker():
        Response.objects.filter(pk=counted.responses[-1].pk).delete()
        survey_results_invalidate(counted.survey.pk)
    assert survey_results(survey=counted.survey).total == 11


def test_questionnaire_after_an_edit_on_another_worker():
    survey = SurveyFactory()
    question = QuestionFactory(section=SectionFactory(survey=survey), text="Alte Frage")
    first = survey_definition_cached(survey=survey)  # cached on this worker
    assert first.sections[0].question_list[0].text == "Alte Frage"
    with another_worker():
        question.text = "Neue Frage"
        question.save()
    again = survey_definition_cached(survey=survey)
    assert again.sections[0].question_list[0].text == "Neue Frage"
