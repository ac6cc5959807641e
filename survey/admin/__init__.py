"""The survey app's admin, split by concern; importing this package registers every class.

- ``surveys``: the survey with its pages, tools and actions (open, duplicate, access codes)
- ``questionnaire``: pages, questions, options and matrix items, frozen once answered
- ``responses``: stored responses, read-only
- ``access_codes``: access codes, masked
- ``scans``: scanned paper questionnaires: upload and progress
- ``assignments``: per-survey permissions of limited analysts

The analysts' admin (publication, coding, quotes) is registered from ``SurveyConfig.ready``.
"""

from survey.admin.access_codes import AccessCodeAdmin
from survey.admin.assignments import SurveyAssignmentAdmin
from survey.admin.questionnaire import (
    FROZEN,
    FrozenInlineMixin,
    FrozenQuestionnaireMixin,
    MatrixItemInline,
    OptionInline,
    QuestionAdmin,
    QuestionAdminForm,
    QuestionInline,
    SectionAdmin,
    SectionAdminForm,
    is_frozen,
    validate_condition,
)
from survey.admin.responses import AnswerInline, ResponseAdmin
from survey.admin.scans import ScanBatchAdmin
from survey.admin.surveys import SectionInline, SurveyAdmin, SurveyAdminForm

__all__ = [
    "FROZEN",
    "AccessCodeAdmin",
    "AnswerInline",
    "FrozenInlineMixin",
    "FrozenQuestionnaireMixin",
    "MatrixItemInline",
    "OptionInline",
    "QuestionAdmin",
    "QuestionAdminForm",
    "QuestionInline",
    "ResponseAdmin",
    "ScanBatchAdmin",
    "SectionAdmin",
    "SectionAdminForm",
    "SectionInline",
    "SurveyAdmin",
    "SurveyAdminForm",
    "SurveyAssignmentAdmin",
    "is_frozen",
    "validate_condition",
]
