"""The two baseline views of `make bench` exist only when switched on."""

import pytest
from django.test import override_settings

from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/_bench/constant/", "/_bench/query/"])
def test_bench_views_404_unless_enabled(client, path):
    assert client.get(path).status_code == 404


@override_settings(BENCHMARK_VIEWS=True)
def test_bench_constant_view_uses_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/_bench/constant/")
    assert response.status_code == 200
    assert "<h1>Konstante Seite</h1>" in response.content.decode()


@override_settings(BENCHMARK_VIEWS=True)
def test_bench_query_view_is_one_query_through_a_template(client, django_assert_num_queries):
    MunicipalityFactory(name="Aaa-Testort")
    # One query: the municipality names.
    with django_assert_num_queries(1):
        response = client.get("/_bench/query/")
    assert response.status_code == 200
    assert "<li>Aaa-Testort</li>" in response.content.decode()
