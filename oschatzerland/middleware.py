"""Project-wide middleware: security headers Django has no setting for, and a friendly
503 page while the database is away."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with a plain page when the database cannot be reached.

    The app server keeps running; persistent connections with health checks reconnect by
    themselves once PostgreSQL is back, so the site recovers without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", type(exception).__name__)
        html = render_to_string("503.html")
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response
