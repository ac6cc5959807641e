from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from oschatzerland import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("admin/", admin.site.urls),
    path("befragungen/", include("survey.urls")),
    path("", include("portal.urls")),
]

if settings.DEBUG:
    urlpatterns.insert(0, path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

admin.site.site_header = "Oschatzer Land – Verwaltung"
admin.site.site_title = "Oschatzer Land"
admin.site.index_title = "Inhalte und Befragungen verwalten"
