from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    # Before <slug>.ics, which would otherwise take "kalender" as an event slug.
    path("kalender.ics", views.calendar_feed, name="feed"),
    path("<slug:slug>.ics", views.event_ics, name="ics"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/anmeldung/", views.registration_create, name="register"),
    path(
        "<slug:slug>/bestaetigung/<str:token>/",
        views.registration_confirm,
        name="confirm",
    ),
    path(
        "<slug:slug>/abmeldung/<str:token>/",
        views.registration_cancel,
        name="cancel",
    ),
]
