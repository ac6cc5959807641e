"""RSS and Atom feeds of the news, for the whole region, a municipality or a topic.

Every link, id and the feed's own address are absolute URLs on ``settings.SITE_URL``
(PORTAL_SITE_URL), never on the sites framework's domain or the request's host: Django's
feed only adds a domain to relative URLs.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from portal.models import Municipality, NewsArticle, Topic

FEED_LENGTH = 20


class NewsFeed(Feed):
    """Latest public news; ``kind`` is None, "kommune" or "thema"."""

    url_name = "portal:news_feed"
    filtered_url_name = "portal:news_feed_filtered"

    def get_object(self, request, kind=None, slug=None):
        if kind == "kommune":
            return get_object_or_404(Municipality, slug=slug)
        if kind == "thema":
            return get_object_or_404(Topic, slug=slug)
        if kind is not None:
            raise Http404
        return None

    def title(self, obj):
        if obj is None:
            return _("News – Oschatzer Land – Collmregion")
        return _("News about %(name)s – Oschatzer Land – Collmregion") % {"name": obj.name}

    def link(self, obj):
        url = settings.SITE_URL + reverse("portal:news_list")
        if isinstance(obj, Municipality):
            return f"{url}?kommune={obj.slug}"
        if isinstance(obj, Topic):
            return f"{url}?thema={obj.slug}"
        return url

    def feed_url(self, obj):
        if isinstance(obj, Municipality | Topic):
            kind = "kommune" if isinstance(obj, Municipality) else "thema"
            path = reverse(self.filtered_url_name, kwargs={"kind": kind, "slug": obj.slug})
        else:
            path = reverse(self.url_name)
        return settings.SITE_URL + path

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def description(self, obj):
        return _("News of the cooperation of seven municipalities in the Oschatzer Land.")

    def items(self, obj):
        articles = NewsArticle.objects.published()
        if isinstance(obj, Municipality):
            articles = articles.filter(municipalities=obj)
        elif isinstance(obj, Topic):
            articles = articles.filter(topics=obj)
        return articles.select_related("author")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.teaser

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    url_name = "portal:news_feed_atom"
    filtered_url_name = "portal:news_feed_filtered_atom"

    def subtitle(self, obj):
        return self.description(obj)
