"""The Bürgerbefragung: questionnaires (survey → sections → questions → options) and the
responses to them, split by concern:

- ``definition``: Survey, Section, Question, Option, MatrixItem and their choices
- ``responses``: Response, Answer, the mixing pool and the submission lock
- ``access_codes``: AccessCode
- ``results``: publication, free-text coding, quotes and the result tallies

Every model is importable from ``survey.models``, where Django looks for them.
"""

from survey.models.access_codes import AccessCode
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
    "Condition",
    "ConditionMode",
    "ConditionOperator",
    "DisplayCondition",
    "FreeTextAnswer",
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
