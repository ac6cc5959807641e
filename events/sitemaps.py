"""Sitemap section for events; the lead registers it in the project's sitemap.xml."""

from django.contrib.sitemaps import Sitemap

from events.models import Event


class EventSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Event.objects.order_by("-starts_at", "pk")

    def lastmod(self, event: Event):
        return event.updated_at
