from django.urls import path
from django.views.generic import RedirectView

from portal import views
from portal.feeds import AtomNewsFeed, NewsFeed

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("aktuelles/", views.NewsListView.as_view(), name="news_list"),
    path("aktuelles/feed/", NewsFeed(), name="news_feed"),
    path("aktuelles/feed/atom/", AtomNewsFeed(), name="news_feed_atom"),
    path("aktuelles/feed/<str:kind>/<slug:slug>/", NewsFeed(), name="news_feed_filtered"),
    path(
        "aktuelles/feed/<str:kind>/<slug:slug>/atom/",
        AtomNewsFeed(),
        name="news_feed_filtered_atom",
    ),
    path("aktuelles/<slug:slug>/", views.NewsDetailView.as_view(), name="news_detail"),
    path("kommunen/", views.MunicipalityListView.as_view(), name="municipality_list"),
    path(
        "kommunen/<slug:slug>/",
        views.MunicipalityDetailView.as_view(),
        name="municipality_detail",
    ),
    path("themen/", views.TopicListView.as_view(), name="topic_list"),
    path("themen/<slug:slug>/", views.TopicDetailView.as_view(), name="topic_detail"),
    path("mitmachen/", views.IdeaView.as_view(), name="idea_list"),
    path("kontakt/", views.ContactView.as_view(), name="contact"),
    path("suche/", views.SearchView.as_view(), name="search"),
    # Old WordPress addresses keep working (links from the press and the municipalities).
    path(
        "<int:year>/<int:month>/<int:day>/<slug:slug>/",
        views.legacy_news_redirect,
        name="legacy_news",
    ),
    path("umfrage/", RedirectView.as_view(url="/befragungen/", permanent=True)),
    # Staff-edited pages answer at /<slug>/; this catch-all stays last.
    path("<slug:slug>/", views.PageDetailView.as_view(), name="page_detail"),
]
