"""Sitemap section for the public surveys (start pages and, once published, results)."""

from django.contrib.sitemaps import Sitemap

from survey.models import Survey


class SurveySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return Survey.objects.public().order_by("-opens_at", "pk")
