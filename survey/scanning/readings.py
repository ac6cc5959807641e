"""What reading a scanned stack yields, before anybody confirmed it.

The reader (``survey.scanning.reader.read_stack``) produces one ``SheetReading`` per printed
sheet; the review (admin) shows every ``AnswerReading`` that ``needs_review`` beside its
cut-out and stores the sheet with ``survey.submission.paper_sheet_submit`` once every answer
is confirmed. Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from survey.kinds.base import AnswerInput

# Box states the reader decides between.
EMPTY = "empty"
TICKED = "ticked"  # a tick or a cross inside the box: an answer
FILLED = "filled"  # a box blacked out completely: a correction, the answer was withdrawn
STATES = (EMPTY, TICKED, FILLED)


@dataclass(frozen=True)
class Rect:
    """A rectangle on a printed page in PDF points, origin top left (x right, y down),
    ``page`` counted from 1 within one printed copy of the questionnaire."""

    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class BoxReading:
    """One box of the layout as the reader saw it. A free-text area (or the line of an
    "other" option) is read too: ``item_code`` "text", ``option_code`` the "other" option's
    code (else ""), ``state`` TICKED when something is written in it. Digit boxes of numbers
    and dates: ``item_code`` the column (1 = left), ``option_code`` the digit; ranking:
    ``item_code`` the option ranked, ``option_code`` the place."""

    question_code: str
    option_code: str = ""  # the option (choice) or the scale point / digit it stands for
    item_code: str = ""  # the matrix row, if any
    state: str = EMPTY
    confidence: float = 1.0  # 0..1: how sure the reader is of ``state``
    darkness: float = 0.0  # share of dark pixels inside the box, after alignment


@dataclass
class AnswerReading:
    """The proposed answer to one question of one sheet."""

    question_id: int
    question_code: str
    answers: list[AnswerInput] = field(default_factory=list)  # proposed; [] = no answer
    confidence: float = 1.0  # the lowest confidence of the boxes that decided it
    review_reason: str = ""  # German, for staff; "" = no review needed
    boxes: list[BoxReading] = field(default_factory=list)
    crop_png: bytes = b""  # the question's area cut out of the scan (grayscale PNG)
    text_crops: list[bytes] = field(default_factory=list)  # free-text areas to type

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reason)


@dataclass
class SheetReading:
    """One printed copy (all its pages) read from a stack."""

    survey_slug: str
    sheet_number: int | None  # from the QR code; None if no page of it could be decoded
    scan_pages: list[int] = field(default_factory=list)  # page indexes in the uploaded file
    answers: list[AnswerReading] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # German: unreadable page, missing page …
    cpu_seconds: float = 0.0

    @property
    def needs_review(self) -> bool:
        return bool(self.problems) or any(a.needs_review for a in self.answers)


# read_stack(survey, path, *, on_page: ProgressCallback | None = None) -> Iterator[SheetReading]
# calls on_page(done_pages, total_pages) after every scanned page.
ProgressCallback = Callable[[int, int], None]
