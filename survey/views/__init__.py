"""The survey app's pages: public pages (``pages``), taking part (``participate``) and the
staff pages outside the admin (``staff``). The results pages live in their own module."""

from survey.views.continuation import ResumeView
from survey.views.invitations import AccessCodeLettersView, AccessCodeLinkView
from survey.views.pages import (
    QuestionnairePrintView,
    SurveyDetailView,
    SurveyListView,
    ThanksView,
)
from survey.views.paper_sheets import PaperSheetCorrectView, PaperSheetListView
from survey.views.participate import ParticipateView
from survey.views.scanning import (
    QuestionnaireLayoutView,
    QuestionnairePdfView,
    QuestionnairePrintOrderView,
)
from survey.views.scans import ScanReviewView, scan_crop, scan_text_crop
from survey.views.staff import AccessCodeExportView, PaperEntryView
from survey.views.testing import TrialParticipateView, TrialResponsesView

__all__ = [
    "AccessCodeExportView",
    "AccessCodeLettersView",
    "AccessCodeLinkView",
    "PaperEntryView",
    "PaperSheetCorrectView",
    "PaperSheetListView",
    "ParticipateView",
    "QuestionnaireLayoutView",
    "QuestionnairePdfView",
    "QuestionnairePrintOrderView",
    "QuestionnairePrintView",
    "ResumeView",
    "ScanReviewView",
    "SurveyDetailView",
    "SurveyListView",
    "ThanksView",
    "TrialParticipateView",
    "TrialResponsesView",
    "scan_crop",
    "scan_text_crop",
]
