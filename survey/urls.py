from django.urls import path

from survey import views
from survey.results import stats_views
from survey.results import views as results_views

app_name = "survey"

urlpatterns = [
    path("", views.SurveyListView.as_view(), name="list"),
    path("<slug:slug>/", views.SurveyDetailView.as_view(), name="detail"),
    path("<slug:slug>/teilnehmen/", views.ParticipateView.as_view(), name="participate"),
    path("<slug:slug>/fortsetzen/", views.ResumeView.as_view(), name="resume"),
    path("<slug:slug>/danke/", views.ThanksView.as_view(), name="thanks"),
    path("<slug:slug>/fragebogen/", views.QuestionnairePrintView.as_view(), name="print"),
    # Staff only.
    path(
        "<slug:slug>/fragebogen-drucken/",
        views.QuestionnairePrintOrderView.as_view(),
        name="print_order",
    ),
    # The old address of the PDF: a GET only leads to the form (it must not issue numbers).
    path("<slug:slug>/fragebogen.pdf", views.QuestionnairePdfView.as_view(), name="print_pdf"),
    path(
        "<slug:slug>/fragebogen-layout.json",
        views.QuestionnaireLayoutView.as_view(),
        name="print_layout",
    ),
    path("<slug:slug>/testen/", views.TrialParticipateView.as_view(), name="test"),
    path(
        "<slug:slug>/testen/antworten/", views.TrialResponsesView.as_view(), name="test_responses"
    ),
    path("<slug:slug>/papiererfassung/", views.PaperEntryView.as_view(), name="paper_entry"),
    path(
        "<slug:slug>/papiererfassung/boegen/",
        views.PaperSheetListView.as_view(),
        name="paper_sheets",
    ),
    path(
        "<slug:slug>/papiererfassung/boegen/<int:number>/",
        views.PaperSheetCorrectView.as_view(),
        name="paper_sheet",
    ),
    path("<slug:slug>/scans/pruefen/", views.ScanReviewView.as_view(), name="scan_review"),
    path(
        "<slug:slug>/scans/ausschnitt/<int:answer_id>.png",
        views.scan_crop,
        name="scan_crop",
    ),
    path(
        "<slug:slug>/scans/freitext/<int:crop_id>.png",
        views.scan_text_crop,
        name="scan_text_crop",
    ),
    path("<slug:slug>/zugangscodes/", views.AccessCodeExportView.as_view(), name="access_codes"),
    path(
        "<slug:slug>/zugangscodes/briefe/",
        views.AccessCodeLettersView.as_view(),
        name="access_code_letters",
    ),
    path(
        "<slug:slug>/zugangscodes.csv",
        views.AccessCodeExportView.as_view(),
        {"fmt": "csv"},
        name="access_codes_csv",
    ),
    # Results.
    path("<slug:slug>/ergebnisse/", results_views.ResultsView.as_view(), name="results"),
    path("<slug:slug>/ergebnisse.csv", results_views.ResultsCsvView.as_view(), name="results_csv"),
    path(
        "<slug:slug>/ergebnisse/bericht.pdf",
        results_views.ResultsReportView.as_view(),
        name="results_report",
    ),
    path(
        "<slug:slug>/ergebnisse/diagramme/<int:question_id>.svg",
        results_views.ResultsChartView.as_view(fmt="svg"),
        name="results_chart_svg",
    ),
    path(
        "<slug:slug>/ergebnisse/diagramme/<int:question_id>.png",
        results_views.ResultsChartView.as_view(fmt="png"),
        name="results_chart_png",
    ),
    # Staff only: monitoring and exports.
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
    path(
        "<slug:slug>/auswertung/statistik/",
        stats_views.StatsExportView.as_view(),
        name="export_stats",
    ),
]
