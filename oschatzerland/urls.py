from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve

from oschatzerland import views
from portal import admin_audit
from portal.admin_scoping import view_on_site
from portal.caching import cache_public_page
from portal.sitemaps import SITEMAPS
from survey.lss_views import LssImportView
from survey.views import AccessCodeLinkView

# Every app has registered its admins by now: log their actions, show the audit history.
admin_audit.install(admin.site)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Before the admin's own "view on site" (which asks no permission): see view_on_site.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin_view_on_site",
    ),
    # Before the admin's own survey pages, whose <object_id> would match it.
    path(
        "admin/survey/survey/lss-import/",
        admin.site.admin_view(LssImportView.as_view()),
        name="survey_lss_import",
    ),
    # The admin's JavaScript catalog with the rich-text editor's German texts, too (Django's
    # own has the admin's only); before the admin's URLs, under the name they use.
    path(
        "admin/jsi18n/",
        admin.site.admin_view(
            JavaScriptCatalog.as_view(packages=["django.contrib.admin", "django_prose_editor"]),
            cacheable=True,
        ),
    ),
    path("admin/", admin.site.urls),
    path("termine/", include("events.urls")),
    # Every app adds its sitemap with portal.sitemaps.register_sitemap() in AppConfig.ready.
    path(
        "sitemap.xml",
        cache_public_page(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("befragungen/", include("survey.urls")),
    # The short link on invitation letters (QR code): /zugang/?c=CODE.
    path("zugang/", AccessCodeLinkView.as_view(), name="access_code_link"),
    path("", include("portal.urls")),
]

if django_apps.is_installed("bench"):  # DJANGO_BENCH=true, `make bench` only
    urlpatterns.insert(0, path("_bench/", include("bench.urls")))

if settings.DEBUG:
    urlpatterns.insert(0, path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

# A database outage inside middleware (session, user, axes) gives the 503 page, not the 500.
handler500 = "oschatzerland.middleware.server_error"

admin.site.site_header = "Oschatzer Land – Verwaltung"
admin.site.site_title = "Oschatzer Land"
admin.site.index_title = "Inhalte und Befragungen verwalten"
