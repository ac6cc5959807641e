"""The bench app (baseline views, bench_results) is loaded only for `make bench`."""

import pytest

from tests.factories import MunicipalityFactory
from tests.test_settings import PROD_ENV, load_settings

pytestmark = pytest.mark.django_db


def test_production_settings_leave_the_bench_app_out():
    # The test suite runs with DJANGO_BENCH=true (pyproject.toml); production does not.
    code = (
        "[__import__('django').setup(), 'bench' in s.INSTALLED_APPS,"
        " [str(p.pattern) for p in __import__('django.urls').urls.get_resolver().url_patterns],"
        " 'bench_results' in __import__('django.core.management').core.management.get_commands()"
        "][1:]"
    )
    installed, patterns, command = load_settings(PROD_ENV, code)
    assert (installed, "_bench/" in patterns, command) == (False, False, False)
    installed, patterns, command = load_settings({**PROD_ENV, "DJANGO_BENCH": "true"}, code)
    assert (installed, "_bench/" in patterns, command) == (True, True, True)


def test_bench_constant_view_uses_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/_bench/constant/")
    assert response.status_code == 200
    assert "<h1>Konstante Seite</h1>" in response.content.decode()


def test_bench_query_view_is_one_query_through_a_template(client, django_assert_num_queries):
    MunicipalityFactory(name="Aaa-Testort")
    # One query: the municipality names.
    with django_assert_num_queries(1):
        response = client.get("/_bench/query/")
    assert response.status_code == 200
    assert "<li>Aaa-Testort</li>" in response.content.decode()
