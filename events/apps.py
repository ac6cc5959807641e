from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from datetime import timedelta

        from events.dashboard import register_events_panels
        from events.search import event_vocabulary, search_events
        from events.selectors import FEED_PAST_DAYS, event_list_next, events_for_survey
        from events.sitemaps import EventListSitemap, EventSitemap
        from media.usage import register_rich_text
        from portal.caching import register_content_time
        from portal.page_context import register_page_context
        from portal.search import register_search_provider
        from portal.sitemaps import register_sitemap

        register_search_provider("events", search_events, vocabulary=event_vocabulary)
        register_rich_text("events.Event", "description")
        register_rich_text("events.Event", "results")
        register_events_panels()
        register_sitemap("events", EventSitemap)
        register_sitemap("event-list", EventListSitemap)
        # The next events on the home, municipality and topic pages (events_tags render them).
        register_page_context("home", "upcoming_events", event_list_next, shared=True)
        register_page_context("municipality", "upcoming_events", event_list_next, shared=True)
        register_page_context("topic", "upcoming_events", event_list_next, shared=True)
        # A survey's results page lists the events that presented them.
        register_page_context("survey_results", "presenting_events", events_for_survey, shared=True)
        # Cached pages change when an event starts (registration closes), ends (it moves to
        # the archive), its registration deadline passes, and when it leaves the calendar.
        register_content_time("events.Event", "publish_at")  # a scheduled event appears
        register_content_time("events.Event", "starts_at")
        register_content_time("events.Event", "ends_at")
        register_content_time("events.Event", "registration_deadline")
        register_content_time("events.Event", "ends_at", after=timedelta(days=FEED_PAST_DAYS))
