from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from portal import caching, search, sitemaps

        caching.connect_invalidation()
        # A scheduled article appears on every list at its publication time.
        caching.register_content_time("portal.NewsArticle", "published_at")
        search.register_portal_providers()
        sitemaps.register_portal_sitemaps()
