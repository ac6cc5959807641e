"""Storing the sheets the reader is sure of (``paper_scan``); the others wait for review."""

from __future__ import annotations

import enum

from django.db import IntegrityError
from django.utils.translation import gettext as _

from survey.conditions import is_shown, stored_facts
from survey.kinds import AnswerInput, kind_of
from survey.paper import paper_sheet_get
from survey.scanning.readings import SheetReading
from survey.selectors import survey_definition
from survey.services import SubmissionError
from survey.submission import paper_sheet_submit


class ScanOutcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # a sheet with this number is stored already
    REVIEW = "review"  # staff must confirm answers first
    REFUSED = "refused"  # the survey refused the answers


def answers_as_written(*, definition, answers: list[AnswerInput]) -> list[AnswerInput]:
    """The answers of a sheet to questions its own answers show, as in paper entry: an
    answer to a question whose condition the sheet does not meet is not stored."""
    given: dict[int, list[AnswerInput]] = {}
    for answer in answers:
        given.setdefault(answer.question_id, []).append(answer)
    facts: dict[int, list[int]] = {}
    kept = []
    for section in definition.sections:
        if not is_shown(section, facts):
            continue
        for question in section.question_list:
            rows = given.get(question.pk, [])
            if not rows or not is_shown(question, facts):
                continue
            kept.extend(rows)
            if kind_of(question).condition_operators:
                facts[question.pk] = stored_facts(rows)
    return kept


def scanned_sheet_store(
    *, survey, reading: SheetReading, batch: str, entered_by=None, definition=None
):
    """Store ``reading`` if nothing in it needs review; returns the outcome and a German
    message for staff (empty when stored). ``definition``: the survey's, loaded once for a
    whole stack."""
    if reading.sheet_number is None or reading.needs_review:
        return ScanOutcome.REVIEW, " ".join(reading.problems)
    if paper_sheet_get(survey=survey, sheet_number=reading.sheet_number) is not None:
        return ScanOutcome.DUPLICATE, _("Sheet %(number)s has already been entered.") % {
            "number": reading.sheet_number
        }
    answers = answers_as_written(
        definition=definition or survey_definition(survey=survey),
        answers=[row for answer in reading.answers for row in answer.answers],
    )
    try:
        paper_sheet_submit(
            survey=survey,
            answers=answers,
            sheet_number=reading.sheet_number,
            batch=batch,
            entered_by=entered_by,
        )
    except IntegrityError:
        return ScanOutcome.DUPLICATE, _("Sheet %(number)s has already been entered.") % {
            "number": reading.sheet_number
        }
    except SubmissionError as error:
        return ScanOutcome.REFUSED, str(error)
    return ScanOutcome.STORED, ""
