"""Storing a questionnaire once it is complete: online (the last page sent) and on paper
(a sheet typed in by staff).

The online way guards the mixing pool: the per-client rate limit, a lock against a double
click or a resent last page, and the release of that lock when storing fails, so the
participant can send again at once. Nothing here writes the session unless the answers are
kept for a later try.
"""

import enum

from django.http import HttpRequest

from portal.audit import KIND_PAPER, audit_record
from survey import participation as participation_state
from survey.continuation import continuations_forget_access_code
from survey.models import Response, Survey
from survey.participation import Participation
from survey.services import AnswerInput, SubmissionError, response_pool, response_submit


class OnlineSubmission(enum.Enum):
    STORED = "stored"  # in the mixing pool
    DUPLICATE = "duplicate"  # the same questionnaire is being or was stored
    THROTTLED = "throttled"  # too many from this client address; answers kept


def participation_submit(
    *, request: HttpRequest, participation: Participation, answers: list[AnswerInput]
) -> OnlineSubmission:
    """Hand a complete online questionnaire to the mixing pool.

    ``request`` only identifies the client for the rate limit. Raises ``SubmissionError``
    (answers kept in the session, lock released) when the survey refuses the answers."""
    survey = participation.survey
    if not participation_state.submission_allowed(request, survey=survey):
        participation.persist()
        return OnlineSubmission.THROTTLED
    token = participation.token
    if not participation_state.submission_lock(token):
        return OnlineSubmission.DUPLICATE
    try:
        response_pool(
            survey=survey,
            answers=answers,
            access_code=participation.code or None,
            definition=participation.definition,
        )
    except Exception as error:
        # Let the participant try again at once rather than after the lock expires.
        participation_state.release_submission_lock(token)
        if isinstance(error, SubmissionError):
            participation.persist()
        raise
    continuations_forget_access_code(participation.code)
    return OnlineSubmission.STORED


def paper_sheet_submit(
    *,
    survey: Survey,
    answers: list[AnswerInput],
    sheet_number: int,
    batch: str,
    entered_by,
) -> Response:
    """Store one paper questionnaire typed in by staff. Raises ``SubmissionError``.

    Logs who typed in a sheet, not which response it became (the sheet's link to the
    person entering it is deleted with the raw data)."""
    response = response_submit(
        survey=survey,
        answers=answers,
        sheet_number=sheet_number,
        batch=batch,
        entered_by=entered_by,
    )
    audit_record(kind=KIND_PAPER, model=Survey, obj=survey)
    return response
