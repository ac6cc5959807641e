"""The demo content seeded once per module (``demo_content_for_module``, tests/conftest.py):
never committed, so no later module sees it, and each test's changes are undone before the
next test of the module."""

import pytest
from django.db import connections

from portal.models import NewsArticle

pytestmark = pytest.mark.django_db


def committed_articles() -> int:
    """What another connection (another process) sees of the news articles."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM portal_newsarticle")
            return cursor.fetchone()[0]
    finally:
        other.close()


def test_the_demo_content_is_never_committed(demo_content_for_module):
    assert NewsArticle.objects.exists()
    assert committed_articles() == 0


@pytest.mark.parametrize("attempt", [1, 2])
def test_a_test_sees_the_demo_content_as_seeded_whatever_the_one_before_did(
    demo_content_for_module, attempt
):
    articles = NewsArticle.objects.count()
    assert articles > 0
    NewsArticle.objects.all().delete()
    assert not NewsArticle.objects.exists()
