"""Project-wide middleware: one JSON log line per request, security headers Django has no
setting for, and a friendly 503 page while the database is away."""

import logging
import sys
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from portal.clients import client_address

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("oschatzerland.requests")

DATABASE_ERRORS = (OperationalError, InterfaceError)


class RequestLogMiddleware:
    """Log method, path (without query string), status and duration of every request.

    No query string, form contents, user agent or cookies; the client's IP address only
    when DJANGO_LOG_CLIENT_IP is on (the real client behind a trusted proxy). Sits first in
    MIDDLEWARE so that it sees the final status, including the 503 page and responses of
    other middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if settings.LOG_CLIENT_IP:
            fields["client_ip"] = client_address(request)
        request_logger.info("request", extra=fields)
        return response


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def database_unavailable_response(exception: BaseException) -> HttpResponse:
    logger.error("database unavailable: %s", type(exception).__name__)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with a plain page when the database cannot be reached.

    Views and template rendering are covered by ``process_exception``. Database errors raised
    inside other middleware (loading or saving the session, axes, the user) never reach this
    one: Django turns them into a response at the middleware that raised them, through
    ``handler500``, so ``server_error`` below (the project's ``handler500``) gives those the
    503 page too. The app server keeps running; persistent connections with health
    checks reconnect by themselves once PostgreSQL is back, so the site recovers without a
    restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable_response(exception)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the 503 page when the uncaught exception is a database outage."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable_response(exception)
    return defaults.server_error(request, template_name)
