from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.db.backends.signals import connection_created

        from portal import audit, caching, search, sitemaps

        audit.connect_actor()
        caching.connect_invalidation()
        search.register_portal_providers()
        connection_created.connect(search.register_sqlite_functions)
        sitemaps.register_portal_sitemaps()
