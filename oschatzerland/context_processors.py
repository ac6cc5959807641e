from django.conf import settings


def site(request):
    """Site-wide values for the base layout (no database access)."""
    return {"SITE_NAME": settings.SITE_NAME, "DEMO_MODE": settings.DEMO_MODE}
