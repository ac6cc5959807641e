"""PORTAL_SITE_URL alone decides every absolute URL the site writes.

Feeds and the sitemap took their host from the sites framework (``http://oschatzerland.de``)
and pages, robots.txt and the access codes from the request's Host header, while calendars
and e-mails used PORTAL_SITE_URL. Here the three disagree on purpose: the site's address is
https://portal.example, the Site row says oschatzerland.de, and the request comes to
"testserver" over plain HTTP. Only the first may appear.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.sites.models import Site
from django.utils import timezone

from portal.models import Municipality, Topic
from tests.factories import EventFactory, MediaFileFactory, NewsArticleFactory, SurveyFactory

pytestmark = pytest.mark.django_db

SITE = "https://portal.example"
URL = re.compile(r"""https?://[^\s"'<>]+""")
# Namespaces of the XML formats, not links of the site.
NAMESPACES = ("http://www.w3.org/", "http://www.sitemaps.org/", "http://purl.org/")


@pytest.fixture(autouse=True)
def _addresses(settings):
    settings.SITE_URL = SITE
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": "oschatzerland.de"})


@pytest.fixture
def content(db):
    image = MediaFileFactory(file="library/radweg.jpg")  # for og:image; no file needed
    article = NewsArticleFactory(
        slug="radweg", published_at=timezone.now() - timedelta(hours=1), image=image
    )
    event = EventFactory(slug="forum")
    survey = SurveyFactory(slug="mobilitaet")
    return article, event, survey


def site_urls(body: str) -> list[str]:
    """Every absolute URL in the text that is not an XML namespace."""
    return [url for url in URL.findall(body) if not url.startswith(NAMESPACES)]


def assert_only_site_urls(body: str, *, expected: int = 1) -> list[str]:
    urls = site_urls(body)
    foreign = [url for url in urls if not url.startswith(SITE + "/")]
    assert foreign == []
    assert "testserver" not in body  # nor the request's host, with or without a scheme
    assert len(urls) >= expected
    return urls


@pytest.mark.parametrize(
    "path",
    [
        "/aktuelles/feed/",
        "/aktuelles/feed/atom/",
        "/aktuelles/feed/kommune/oschatz/",
        "/aktuelles/feed/thema/radverkehr/",
        "/aktuelles/feed/thema/radverkehr/atom/",
    ],
)
def test_feeds_use_the_site_url(client, content, path):
    article = content[0]
    article.municipalities.add(Municipality.objects.get(slug="oschatz"))
    article.topics.add(Topic.objects.get(slug="radverkehr"))
    body = client.get(path).content.decode()
    urls = assert_only_site_urls(body, expected=3)  # the feed, its page, the article
    assert f"{SITE}/aktuelles/radweg/" in urls
    assert any(url.startswith(f"{SITE}{path}") for url in urls)  # the feed's own address


def test_sitemap_uses_the_site_url(client, content):
    body = client.get("/sitemap.xml").content.decode()
    urls = assert_only_site_urls(body, expected=10)
    for path in ("/", "/aktuelles/radweg/", "/termine/forum/", "/befragungen/mobilitaet/"):
        assert f"{SITE}{path}" in urls


def test_robots_txt_points_to_the_sitemap_at_the_site_url(client):
    body = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in body
    assert_only_site_urls(body)


@pytest.mark.parametrize("path", ["/termine/kalender.ics", "/termine/forum.ics"])
def test_calendars_use_the_site_url(client, content, path):
    body = client.get(path).content.decode().replace("\r\n ", "")  # unfold long lines
    assert f"URL:{SITE}/termine/forum/" in body
    assert_only_site_urls(body)


@pytest.mark.parametrize(
    "path", ["/", "/aktuelles/", "/aktuelles/radweg/", "/termine/forum/", "/kommunen/oschatz/"]
)
def test_canonical_and_open_graph_use_the_site_url(client, content, path):
    body = client.get(path).content.decode()
    assert f'<link rel="canonical" href="{SITE}{path}">' in body
    assert f'<meta property="og:url" content="{SITE}{path}">' in body
    head = body.split("</head>")[0]
    assert_only_site_urls(head, expected=2)


def test_the_open_graph_image_uses_the_site_url(client, content):
    body = client.get("/aktuelles/radweg/").content.decode()
    assert f'<meta property="og:image" content="{SITE}/media/library/radweg.jpg">' in body


def test_access_codes_name_the_site_url(client, content, admin_user):
    from survey.models import AccessMode
    from survey.services import access_codes_generate

    survey = content[2]
    survey.access_mode = AccessMode.CODES
    survey.save()
    access_codes_generate(survey=survey, count=2)
    client.force_login(admin_user)
    page = client.get("/befragungen/mobilitaet/zugangscodes/").content.decode()
    assert f"{SITE}/befragungen/mobilitaet/" in page
    assert "testserver" not in page
    csv = b"".join(client.get("/befragungen/mobilitaet/zugangscodes.csv")).decode()
    assert f"{SITE}/befragungen/mobilitaet/" in csv
    assert "testserver" not in csv


def test_the_sites_framework_follows_the_site_url_after_migrate(client, admin_user):
    """The admin's "view on site" reads the Site row; migrate points it at the site URL."""
    from django.contrib.contenttypes.models import ContentType

    from portal.services import site_update_from_settings

    article = NewsArticleFactory(slug="ansehen")
    site_update_from_settings()
    assert Site.objects.get_current().domain == "portal.example"
    client.force_login(admin_user)
    content_type = ContentType.objects.get_for_model(article)
    response = client.get(f"/admin/r/{content_type.pk}/{article.pk}/")
    assert response["Location"].endswith("//portal.example/aktuelles/ansehen/")
