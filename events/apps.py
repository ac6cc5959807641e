from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from events.search import event_vocabulary, search_events
        from events.sitemaps import EventListSitemap, EventSitemap
        from portal.search import register_search_provider
        from portal.sitemaps import register_sitemap

        register_search_provider("events", search_events, vocabulary=event_vocabulary)
        register_sitemap("events", EventSitemap)
        register_sitemap("event-list", EventListSitemap)
