"""The Bürgerbefragung: questionnaires (survey → sections → questions → options) and the
responses to them, split by concern:

- ``definition``: Survey, Section, Question, Option, MatrixItem and their choices
- ``responses``: Response, Answer, the mixing pool and the submission lock
- ``access_codes``: AccessCode
- ``continuation``: ContinuationState (save and continue later)
- ``assignments``: SurveyAssignment (analysts limited to some surveys)
- ``label_sets``: LabelSet, reusable answer lists for new questions
- ``paper_print``: PaperLayout, PaperSheetBatch (machine-readable paper questionnaires)
- ``results``: publication, free-text coding, quotes and the result tallies
- ``scans``: ScanBatch, ScannedSheet, ScanAnswer (scanned paper questionnaires)
- ``trial``: test-mode responses and the drop-out counters
- ``weighting``: WeightingTarget, the population per group for weighted results

Every model is importable from ``survey.models``, where Django looks for them.
"""

from survey.models.access_codes import AccessCode
from survey.models.assignments import ONLY_ASSIGNED_PERMISSION, SurveyAssignment
from survey.models.continuation import ContinuationState
from survey.models.definition import (
    AccessMode,
    Condition,
    ConditionMode,
    ConditionOperator,
    DisplayCondition,
    MatrixItem,
    Option,
    Question,
    QuestionKind,
    Section,
    Survey,
    SurveyQuerySet,
    SurveyStatus,
)
from survey.models.label_sets import LabelSet, LabelSetItem
from survey.models.paper_print import PaperLayout, PaperSheetBatch
from survey.models.responses import Answer, Channel, PooledResponse, Response, SubmissionLock
from survey.models.results import (
    AnswerTheme,
    FreeTextAnswer,
    Quote,
    ResultsPublication,
    ResultTally,
    ResultTallyState,
    TextQuestion,
    Theme,
)
from survey.models.scans import (
    ScanAnswer,
    ScanBatch,
    ScanBatchStatus,
    ScannedSheet,
    ScannedSheetState,
    ScanTextCrop,
)
from survey.models.trial import ProgressCount, ProgressStage, TrialResponse
from survey.models.weighting import WeightingTarget

__all__ = [
    "ONLY_ASSIGNED_PERMISSION",
    "AccessCode",
    "AccessMode",
    "Answer",
    "AnswerTheme",
    "Channel",
    "Condition",
    "ConditionMode",
    "ConditionOperator",
    "ContinuationState",
    "DisplayCondition",
    "FreeTextAnswer",
    "LabelSet",
    "LabelSetItem",
    "MatrixItem",
    "Option",
    "PaperLayout",
    "PaperSheetBatch",
    "PooledResponse",
    "ProgressCount",
    "ProgressStage",
    "Question",
    "QuestionKind",
    "Quote",
    "Response",
    "ResultTally",
    "ResultTallyState",
    "ResultsPublication",
    "ScanAnswer",
    "ScanBatch",
    "ScanBatchStatus",
    "ScanTextCrop",
    "ScannedSheet",
    "ScannedSheetState",
    "Section",
    "SubmissionLock",
    "Survey",
    "SurveyAssignment",
    "SurveyQuerySet",
    "SurveyStatus",
    "TextQuestion",
    "Theme",
    "TrialResponse",
    "WeightingTarget",
]
