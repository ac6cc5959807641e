from django.urls import path

from survey import results_views

app_name = "survey"

urlpatterns = [
    # Results (issue 4).
    path("<slug:slug>/ergebnisse/", results_views.ResultsView.as_view(), name="results"),
    path("<slug:slug>/ergebnisse.csv", results_views.ResultsCsvView.as_view(), name="results_csv"),
    # Staff only.
    path(
        "<slug:slug>/auswertung/verlauf/",
        results_views.MonitoringView.as_view(),
        name="monitoring",
    ),
    path(
        "<slug:slug>/auswertung/antworten.csv",
        results_views.ResponsesCsvView.as_view(),
        name="export_csv",
    ),
    path(
        "<slug:slug>/auswertung/antworten.xlsx",
        results_views.ResponsesXlsxView.as_view(),
        name="export_xlsx",
    ),
    path(
        "<slug:slug>/auswertung/codebuch.csv",
        results_views.CodebookCsvView.as_view(),
        name="export_codebook",
    ),
]
