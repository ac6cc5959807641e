"""One JSON line per request, without personal data."""

import io
import json
import logging

import pytest
from django.conf import settings
from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter

from tests.factories import MunicipalityFactory
from tests.test_settings import PROD_ENV, load_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log():
    """The lines the request logger writes, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(settings.LOGGING["formatters"]["json"]["fmt"]))
    logger = logging.getLogger("oschatzerland.requests")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_request_log_one_json_line_with_method_path_status_duration(client, request_log):
    MunicipalityFactory(slug="oschatz", name="Oschatz")
    client.get("/kommunen/oschatz/?q=Max+Mustermann", HTTP_USER_AGENT="Secret-Browser/1.0")

    [line] = request_log()
    assert line["message"] == "request"
    assert line["levelname"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/kommunen/oschatz/", 200)
    assert isinstance(line["duration_ms"], float)
    text = json.dumps(line)
    for private in ["Mustermann", "Secret-Browser", "127.0.0.1", "q="]:
        assert private not in text


def test_request_log_has_no_form_contents(client, request_log):
    client.post("/admin/login/", {"username": "erika", "password": "Geheimes-Passwort-1"})

    [line] = request_log()
    assert (line["method"], line["path"], line["status"]) == ("POST", "/admin/login/", 200)
    assert "erika" not in json.dumps(line)
    assert "Geheimes" not in json.dumps(line)


def test_request_log_records_error_statuses(client, request_log):
    client.get("/gibt-es-nicht/")

    assert [(line["path"], line["status"]) for line in request_log()] == [("/gibt-es-nicht/", 404)]


@override_settings(LOG_CLIENT_IP=True)
def test_request_log_client_ip_only_when_configured(client, request_log):
    client.get("/healthz", REMOTE_ADDR="192.0.2.7")

    [line] = request_log()
    assert line["client_ip"] == "192.0.2.7"


def test_production_defaults_log_requests_without_ip_and_hide_bench_views():
    assert load_settings(
        PROD_ENV,
        "[s.LOG_REQUESTS, s.LOG_CLIENT_IP, 'bench' in s.INSTALLED_APPS,"
        " s.LOGGING['loggers']['oschatzerland.requests']['level']]",
    ) == [True, False, False, "INFO"]
