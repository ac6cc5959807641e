"""Sitemap sections for events: the calendar and every event."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from events.models import Event


class EventSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Event.objects.public().order_by("-starts_at", "pk")

    def lastmod(self, event: Event):
        return event.updated_at


class EventListSitemap(Sitemap):
    """The calendar of all events (/termine/)."""

    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["events:list"]

    def location(self, item):
        return reverse(item)
