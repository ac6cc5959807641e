from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("kommunen/", views.MunicipalityListView.as_view(), name="municipality_list"),
    path(
        "kommunen/<slug:slug>/",
        views.MunicipalityDetailView.as_view(),
        name="municipality_detail",
    ),
    path("themen/", views.TopicListView.as_view(), name="topic_list"),
    path("themen/<slug:slug>/", views.TopicDetailView.as_view(), name="topic_detail"),
    # Staff-edited pages answer at /<slug>/; this catch-all stays last.
    path("<slug:slug>/", views.PageDetailView.as_view(), name="page_detail"),
]
