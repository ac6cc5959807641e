"""Sitemap sections for the public surveys: the list, start pages and published results."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from survey.models import Survey


class SurveySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return Survey.objects.public().order_by("-opens_at", "pk")


class SurveyPagesSitemap(Sitemap):
    """The list of surveys and the results page of every survey whose results are public."""

    changefreq = "weekly"
    priority = 0.7

    def items(self):
        published = Survey.objects.results_published().order_by("-opens_at", "pk")
        return [reverse("survey:list")] + [
            reverse("survey:results", kwargs={"slug": slug})
            for slug in published.values_list("slug", flat=True)
        ]

    def location(self, item):
        return item
