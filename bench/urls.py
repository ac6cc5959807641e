from django.urls import path

from bench import views

app_name = "bench"

urlpatterns = [
    path("constant/", views.constant, name="constant"),
    path("query/", views.query, name="query"),
]
