from django.conf import settings


def site(request):
    """Site-wide values for the base layout (no database access). ``SITE_URL`` is the one
    base of every absolute URL a page writes (canonical, Open Graph), never the request's
    host."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "DEMO_MODE": settings.DEMO_MODE,
    }
