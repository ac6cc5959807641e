"""Storing the sheets the reader is sure of (``paper_scan``); the others wait for review."""

from __future__ import annotations

import enum

from django.db import IntegrityError
from django.utils.translation import gettext as _

from survey.paper import paper_sheet_get
from survey.scanning.readings import SheetReading
from survey.services import SubmissionError
from survey.submission import paper_sheet_submit


class ScanOutcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # a sheet with this number is stored already
    REVIEW = "review"  # staff must confirm answers first
    REFUSED = "refused"  # the survey refused the answers


def scanned_sheet_store(*, survey, reading: SheetReading, batch: str, entered_by=None):
    """Store ``reading`` if nothing in it needs review; returns the outcome and a German
    message for staff (empty when stored)."""
    if reading.sheet_number is None or reading.needs_review:
        return ScanOutcome.REVIEW, " ".join(reading.problems)
    if paper_sheet_get(survey=survey, sheet_number=reading.sheet_number) is not None:
        return ScanOutcome.DUPLICATE, _("Sheet %(number)s has already been entered.") % {
            "number": reading.sheet_number
        }
    answers = [answer for reading_answer in reading.answers for answer in reading_answer.answers]
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
