from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

RICH_TEXT_FIELDS = (
    ("portal.NewsArticle", "body"),
    ("portal.Page", "body"),
    ("portal.Municipality", "portrait"),
    ("portal.Topic", "description"),
)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_migrate, post_save

        from media.usage import register_rich_text
        from portal import audit, caching, checks, search, selectors, services, sitemaps  # noqa: F401 (checks registers)
        from portal.dashboard import register_portal_panels
        from portal.search import providers as search_providers

        audit.connect_actor()
        # Texts that may embed media library files (found by its "not used" filter).
        for label, field in RICH_TEXT_FIELDS:
            register_rich_text(label, field)
        caching.connect_invalidation()
        # A scheduled article appears on every list at its publication time.
        caching.register_content_time("portal.NewsArticle", "published_at")
        search_providers.register_portal_providers()
        connection_created.connect(search.register_sqlite_functions)
        sitemaps.register_portal_sitemaps()
        register_portal_panels()
        # The menus link pages; they are kept apart from the pages (see the selector).
        for signal in (post_save, post_delete):
            for sender in ("portal.Page", "portal.MenuItem"):
                signal.connect(
                    selectors.menus_changed, sender=sender, dispatch_uid=f"portal-menus-{sender}"
                )
        # The sites framework's domain follows PORTAL_SITE_URL (see the service).
        post_migrate.connect(
            services.site_update_from_settings, sender=self, dispatch_uid="portal-site-url"
        )
