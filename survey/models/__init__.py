"""The Bürgerbefragung: questionnaires (survey → sections → questions → options) and the
responses to them, split by concern:

- ``definition``: Survey, Section, Question, Option, MatrixItem and their choices
- ``responses``: Response, Answer, the mixing pool and the submission lock
- ``access_codes``: AccessCode
- ``label_sets``: LabelSet, reusable answer lists for new questions
- ``results``: publication, free-text coding, quotes and the result tallies

Every model is importable from ``survey.models``, where Django looks for them.
"""

from survey.models.access_codes import AccessCode
from survey.models.definition import (
    AccessMode,
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

__all__ = [
    "AccessCode",
    "AccessMode",
    "Answer",
    "AnswerTheme",
    "Channel",
    "DisplayCondition",
    "FreeTextAnswer",
    "LabelSet",
    "LabelSetItem",
    "MatrixItem",
    "Option",
    "PooledResponse",
    "Question",
    "QuestionKind",
    "Quote",
    "Response",
    "ResultTally",
    "ResultTallyState",
    "ResultsPublication",
    "Section",
    "SubmissionLock",
    "Survey",
    "SurveyQuerySet",
    "SurveyStatus",
    "TextQuestion",
    "Theme",
]
