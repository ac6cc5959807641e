"""System checks of the portal's own settings (``manage.py check --deploy``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def check_site_url(app_configs, **kwargs):
    """Every absolute URL the site writes (feeds, sitemap, canonical links, calendars,
    e-mails) starts with PORTAL_SITE_URL, so production must set its public https address."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and parts.hostname not in (None, "127.0.0.1", "localhost", "::1"):
        return []
    return [
        Warning(
            f"PORTAL_SITE_URL is {settings.SITE_URL!r}: feeds, the sitemap, canonical links, "
            "calendars and e-mails would point there.",
            hint="Set PORTAL_SITE_URL to the public https address, e.g. https://oschatzerland.de.",
            id="portal.W001",
        )
    ]
