from django.urls import path

from survey import views

app_name = "survey"

urlpatterns = [
    path("", views.SurveyListView.as_view(), name="list"),
    path("<slug:slug>/", views.SurveyDetailView.as_view(), name="detail"),
    path("<slug:slug>/teilnehmen/", views.ParticipateView.as_view(), name="participate"),
    path("<slug:slug>/danke/", views.ThanksView.as_view(), name="thanks"),
    path("<slug:slug>/fragebogen/", views.QuestionnairePrintView.as_view(), name="print"),
    # Staff only.
    path("<slug:slug>/papiererfassung/", views.PaperEntryView.as_view(), name="paper_entry"),
    path("<slug:slug>/zugangscodes/", views.AccessCodeExportView.as_view(), name="access_codes"),
    path(
        "<slug:slug>/zugangscodes.csv",
        views.AccessCodeExportView.as_view(),
        {"fmt": "csv"},
        name="access_codes_csv",
    ),
]
