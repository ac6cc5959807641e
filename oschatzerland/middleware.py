"""Project-wide middleware: one JSON log line per request, security headers Django has no
setting for, and a friendly 503 page while the database is away."""

import logging
import sys
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
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


def _contains_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


def _signed_in(request) -> bool:
    """Whether the session cookie names a session with a signed-in user. Read here, before
    the session middleware, and only for a body over the public limit on an admin address."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    return SESSION_KEY in import_module(settings.SESSION_ENGINE).SessionStore(key)


class RequestLimitsMiddleware:
    """Refuse what scanners send before any view or other middleware reads it.

    - A NUL byte in the path or the query string: 400. PostgreSQL refuses NUL in text, so
      in a slug, token or filter it would otherwise end as a 500 in whatever view passes it
      on. (Form fields are checked by Django's forms: CharField refuses NUL.)
    - A body larger than ``PUBLIC_MAX_REQUEST_BODY``: 413, judged by Content-Length before
      a byte is read (a chunked body without a length likewise). Public forms send a few
      kilobytes; staff uploads in the admin are limited by ``DJANGO_MAX_UPLOAD_SIZE``
      instead, but only for a signed-in session: the admin's login page (and anything
      under /admin/) is public too, and CSRF would read an anonymous 50 MB body there.
    Sits before the CSRF and session middleware, which would read the body first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _contains_nul(request):
            return HttpResponse(render_to_string("400.html"), status=400)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(render_to_string("400.html"), status=400)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if (chunked or length > settings.PUBLIC_MAX_REQUEST_BODY) and not (
            request.path.startswith(reverse("admin:index")) and _signed_in(request)
        ):
            response = HttpResponse(render_to_string("413.html"), status=413)
            response["Connection"] = "close"  # do not wait for the rest of the body
            return response
        return self.get_response(request)
