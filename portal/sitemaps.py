"""/sitemap.xml: a registry of sitemaps that every app adds to.

Another app registers its sitemap in ``AppConfig.ready``::

    from portal.sitemaps import register_sitemap
    register_sitemap("events", EventSitemap)

``oschatzerland/urls.py`` passes the live ``SITEMAPS`` dict to Django's sitemap view, so
sitemaps registered at start-up are all served.

Every ``<loc>`` is on ``settings.SITE_URL`` (PORTAL_SITE_URL): ``register_sitemap`` gives
each sitemap ``SiteUrlMixin``, so neither the sites framework's domain nor the request's
scheme and host ever reach the file.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

SITEMAPS: dict[str, type[Sitemap] | Sitemap] = {}


class SiteUrlMixin:
    """Scheme and host of every URL from PORTAL_SITE_URL."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path.rstrip("/")


def register_sitemap(name: str, sitemap: type[Sitemap] | Sitemap) -> None:
    if isinstance(sitemap, type):
        if not issubclass(sitemap, SiteUrlMixin):
            sitemap = type(sitemap.__name__, (SiteUrlMixin, sitemap), {})
    elif not isinstance(sitemap, SiteUrlMixin):
        sitemap.__class__ = type(type(sitemap).__name__, (SiteUrlMixin, type(sitemap)), {})
    SITEMAPS[name] = sitemap


class StaticViewSitemap(Sitemap):
    priority = 0.8

    def items(self):
        return [
            "portal:home",
            "portal:news_list",
            "portal:municipality_list",
            "portal:topic_list",
            "portal:idea_list",
            "portal:contact",
        ]

    def location(self, item):
        return reverse(item)


class NewsSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        from portal.models import NewsArticle

        return NewsArticle.objects.published().only("slug", "updated_at")

    def lastmod(self, article):
        return article.updated_at


class PageSitemap(Sitemap):
    priority = 0.5

    def items(self):
        from portal.models import Page

        return Page.objects.published().only("slug", "updated_at")

    def lastmod(self, page):
        return page.updated_at


class MunicipalitySitemap(Sitemap):
    priority = 0.6

    def items(self):
        from portal.models import Municipality

        return Municipality.objects.only("slug")


class TopicSitemap(Sitemap):
    priority = 0.6

    def items(self):
        from portal.models import Topic

        return Topic.objects.only("slug")


def register_portal_sitemaps() -> None:
    register_sitemap("portal", StaticViewSitemap)
    register_sitemap("news", NewsSitemap)
    register_sitemap("pages", PageSitemap)
    register_sitemap("municipalities", MunicipalitySitemap)
    register_sitemap("topics", TopicSitemap)
