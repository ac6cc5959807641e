"""Test mode: staff with the survey permission take a draft or scheduled survey as a
participant would, before it opens. What they send is a ``TrialResponse``, never a
``Response``: it bypasses the mixing pool, the access codes, the rate limit and the drop-out
counters, and it is deleted when the survey opens."""

import datetime
from dataclasses import asdict, dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from survey import selectors
from survey.answers import SubmissionError, answers_check
from survey.kinds import AnswerInput
from survey.models import Survey, SurveyStatus, TrialResponse

# Whoever may edit a survey may test it (the same permission as the draft preview).
TRIAL_PERMISSION = "survey.change_survey"


def survey_is_testable(*, survey: Survey, now: datetime.datetime | None = None) -> bool:
    """A draft, or an open survey whose time has not come yet (scheduled)."""
    return survey.status == SurveyStatus.DRAFT or survey.has_not_opened(now)


def trial_response_store(*, survey: Survey, answers: list[AnswerInput], user) -> TrialResponse:
    """Keep a questionnaire sent in test mode, checked like a real one. Raises
    ``SubmissionError`` when the survey has opened meanwhile (or is closed): a test session
    never writes into real results."""
    if not survey_is_testable(survey=survey):
        raise SubmissionError(
            _("This survey is no longer in preparation; test answers are not stored.")
        )
    answers_check(survey=survey, answers=answers)
    return TrialResponse.objects.create(
        survey=survey,
        tested_by=user,
        tested_on=timezone.localdate(),
        answers=[asdict(answer) for answer in answers],
    )


def trial_responses_discard(*, survey: Survey) -> int:
    """Delete the test responses of a survey that opens; returns how many."""
    deleted, _per_model = TrialResponse.objects.filter(survey=survey).delete()
    return deleted


def trial_responses_discard_opened(*, now: datetime.datetime | None = None) -> int:
    """Delete the test responses of every survey that has opened (a scheduled survey opens
    at its time, with nobody pressing a button: the daily job and the first participant
    call this)."""
    now = now or timezone.now()
    opened = Survey.objects.exclude(status=SurveyStatus.DRAFT).exclude(
        status=SurveyStatus.OPEN, opens_at__gt=now
    )
    deleted, _per_model = TrialResponse.objects.filter(survey__in=opened).delete()
    return deleted


@dataclass
class TrialAnswer:
    question: str  # code
    text: str  # the question
    value: str  # the answer as shown


@dataclass
class TrialRow:
    response: TrialResponse
    answers: list[TrialAnswer]


def trial_responses_listed(*, survey: Survey) -> list[TrialRow]:
    """The test responses of a survey, newest first, each answer readable (question code,
    question, option label or value): two queries plus the questionnaire."""
    definition = selectors.survey_definition(survey=survey)
    questions = definition.question_by_id()
    options = {o.pk: o.label for q in definition.questions for o in q.option_list}
    items = {i.pk: i.label for q in definition.questions for i in q.item_list}
    rows = []
    for response in TrialResponse.objects.filter(survey=survey).select_related("tested_by"):
        answers = []
        for raw in response.answers:
            question = questions.get(raw.get("question_id"))
            if question is None:
                continue  # deleted since the test
            answers.append(
                TrialAnswer(question.code, question.text, _answer_text(raw, options, items))
            )
        rows.append(TrialRow(response, answers))
    return rows


def _answer_text(raw: dict, options: dict, items: dict) -> str:
    parts = []
    if raw.get("item_id") is not None:
        parts.append(f"{items.get(raw['item_id'], '?')}:")
    if raw.get("option_id") is not None:
        parts.append(options.get(raw["option_id"], "?"))
    if raw.get("number") is not None:
        parts.append(str(raw["number"]))
    if raw.get("text"):
        parts.append(f"„{raw['text']}“")
    return " ".join(parts)
