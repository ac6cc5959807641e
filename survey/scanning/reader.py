"""Reading a scanned stack of printed questionnaires back (``read_stack``).

Per scanned page: find the four corner markers, map the page onto the layout (a homography,
which undoes rotation, shift and scale), read the QR code (survey, layout, page, sheet
number), measure the share of dark pixels inside every box, decide empty / ticked / filled,
then apply the rules of each question. Pages of one sheet number make one ``SheetReading``.
Nothing here writes to the database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from django.utils.translation import gettext as _

from survey.kinds import AnswerInput
from survey.models import PaperSheetBatch, QuestionKind, Survey
from survey.scanning.printing import QR_PREFIX, layout_by_prefix
from survey.scanning.readings import (
    EMPTY,
    FILLED,
    TICKED,
    AnswerReading,
    BoxReading,
    ProgressCallback,
    SheetReading,
)

CANON = 2.0  # pixels per PDF point of the aligned page (144 dpi)
PDF_DPI = 150  # scanned PDFs are rasterised at this resolution
INK = 0.72  # a pixel darker than this share of the paper's brightness is ink
# Share of dark pixels inside a box (its border left out): below EMPTY_BELOW empty, from
# TICKED_FROM a tick, from FILLED_FROM filled; between them the reader is unsure.
EMPTY_BELOW = 0.035
TICKED_FROM = 0.08
FILLED_BELOW = 0.80
FILLED_FROM = 0.90
TEXT_WRITTEN = 0.004  # share of dark pixels that makes a text area written in
BLANK_INK = 0.002  # below this share of dark pixels a page counts as empty
CONFIDENCE_THRESHOLD = 0.8  # below: the answer goes to review
BOX_INSET = 2.2  # points left out at every side of a box (its printed border, alignment)
TEXT_INSET = 3.0


def handwriting_reason() -> str:
    """The review reason of an answer whose handwriting staff must type in."""
    return _("Handwriting to type in.")


class ScanError(ValueError):
    """A file that is no readable scan; the message is German, for staff."""


# --- Pages of the file ------------------------------------------------------------------------


def _pdf_pages(path: Path) -> tuple[int, Iterator[np.ndarray]]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        raise ScanError(_("The file is not a readable PDF.")) from error

    def pages():
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=PDF_DPI / 72, grayscale=True)
            array = bitmap.to_numpy()
            if array.ndim == 3:
                array = (
                    cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
                    if array.shape[2] >= 3
                    else array[:, :, 0]
                )
            yield np.ascontiguousarray(array)
            page.close()
        document.close()

    return len(document), pages()


def _image_pages(path: Path) -> tuple[int, Iterator[np.ndarray]]:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(path)
        total = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError) as error:
        raise ScanError(_("The file is neither a PDF nor a TIFF image.")) from error

    def pages():
        with image:
            for frame in ImageSequence.Iterator(image):
                yield np.asarray(frame.convert("L"))

    return total, pages()


def scan_pages(path: str | Path) -> tuple[int, Iterator[np.ndarray]]:
    """The number of pages of a scanned PDF or (multi-page) image, and the pages as
    grayscale arrays, one at a time."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(5)
    if head.startswith(b"%PDF"):
        return _pdf_pages(path)
    return _image_pages(path)


# --- Aligning one page ------------------------------------------------------------------------


def _find_markers(gray: np.ndarray, layout: dict) -> np.ndarray | None:
    """The centres of the four corner markers in ``gray`` (pixels), in layout order."""
    width = gray.shape[1]
    page_w = layout["page_size"][0]
    scale = width / page_w  # pixels per point, roughly
    factor = min(1.0, 1.2 / scale)
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    s = scale * factor
    _threshold, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _count, _labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    expected = layout["marker_size"] * s
    w, h, area = stats[:, 2], stats[:, 3], stats[:, 4]
    square = (
        (w >= 0.7 * expected)
        & (w <= 1.5 * expected)
        & (h >= 0.7 * expected)
        & (h <= 1.5 * expected)
        & (area >= 0.6 * w * h)
    )
    square[0] = False  # the background
    candidates = centroids[square]
    if len(candidates) < 4:
        return None
    found = []
    for cx, cy in layout["markers"]:
        distances = np.hypot(candidates[:, 0] - cx * s, candidates[:, 1] - cy * s)
        best = int(np.argmin(distances))
        if distances[best] > 70 * s:
            return None
        found.append(candidates[best])
    return (np.array(found, dtype=np.float32) + 0.5) / factor - 0.5


def _align(gray: np.ndarray, markers: np.ndarray, layout: dict) -> np.ndarray:
    """The page mapped onto the layout at ``CANON`` pixels per point."""
    page_w, page_h = layout["page_size"]
    target = np.array(layout["markers"], dtype=np.float32) * CANON
    scale = gray.shape[1] / page_w
    if scale > CANON * 1.15:  # shrink first: averaging, not skipping pixels
        factor = CANON / scale
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        markers = (markers + 0.5) * factor - 0.5
    matrix = cv2.getPerspectiveTransform(markers.astype(np.float32), target)
    size = (round(page_w * CANON), round(page_h * CANON))
    return cv2.warpPerspective(
        gray, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


@dataclass(frozen=True)
class PageCode:
    slug: str
    survey_id: int
    fingerprint: str
    page: int
    pages: int
    sheet: int


def parse_qr(text: str) -> PageCode | None:
    parts = text.split(":")
    if len(parts) != 7 or parts[0] != QR_PREFIX:
        return None
    try:
        return PageCode(
            parts[1], int(parts[2]), parts[3], int(parts[4]), int(parts[5]), int(parts[6])
        )
    except ValueError:
        return None


def _read_qr(image: np.ndarray) -> PageCode | None:
    for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        code = parse_qr(result.text)
        if code is not None:
            return code
    return None


def _qr_in(aligned: np.ndarray, layout: dict) -> PageCode | None:
    x, y, w, h = layout["qr"]
    margin = 14
    top, left = max(0, int((y - margin) * CANON)), max(0, int((x - margin) * CANON))
    crop = aligned[top : int((y + h + margin) * CANON), left : int((x + w + margin) * CANON)]
    code = _read_qr(np.ascontiguousarray(crop))
    if code is None:
        code = _read_qr(cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    return code


# --- Measuring boxes --------------------------------------------------------------------------


@dataclass
class AlignedPage:
    """One scanned page, aligned: the dark-pixel map and its integral for quick shares."""

    image: np.ndarray
    ink: np.ndarray
    integral: np.ndarray

    @classmethod
    def of(cls, aligned: np.ndarray) -> AlignedPage:
        cleaned = cv2.medianBlur(aligned, 3)  # speckles out, strokes stay
        paper = float(np.percentile(cleaned[::7, ::7], 90))
        ink = (cleaned < paper * INK).astype(np.uint8)
        return cls(cleaned, ink, cv2.integral(ink))

    def share(self, x: float, y: float, width: float, height: float, inset: float) -> float:
        left = round((x + inset) * CANON)
        top = round((y + inset) * CANON)
        right = round((x + width - inset) * CANON)
        bottom = round((y + height - inset) * CANON)
        if right <= left or bottom <= top:
            return 0.0
        s = self.integral
        dark = s[bottom, right] - s[top, right] - s[bottom, left] + s[top, left]
        return float(dark) / ((right - left) * (bottom - top))

    def png(self, rect: list[float], margin: float = 2.0) -> bytes:
        x, y, w, h = rect
        height, width = self.image.shape
        top, left = max(0, int((y - margin) * CANON)), max(0, int((x - margin) * CANON))
        bottom = min(height, int((y + h + margin) * CANON))
        right = min(width, int((x + w + margin) * CANON))
        ok, encoded = cv2.imencode(
            ".png", self.image[top:bottom, left:right], [cv2.IMWRITE_PNG_COMPRESSION, 1]
        )
        return encoded.tobytes() if ok else b""


def box_state(darkness: float) -> tuple[str, float]:
    """The state of a tick box and how sure that is, from its share of dark pixels."""

    def unsure(low: float, high: float, below: str, above: str) -> tuple[str, float]:
        middle = (low + high) / 2
        state = below if darkness < middle else above
        return state, round(0.5 + 0.5 * abs(darkness - middle) / (middle - low), 3)

    if darkness < EMPTY_BELOW:
        return EMPTY, 1.0
    if darkness < TICKED_FROM:
        return unsure(EMPTY_BELOW, TICKED_FROM, EMPTY, TICKED)
    if darkness < FILLED_BELOW:
        return TICKED, 1.0
    if darkness < FILLED_FROM:
        return unsure(FILLED_BELOW, FILLED_FROM, TICKED, FILLED)
    return FILLED, 1.0


# --- Rules of the questions -------------------------------------------------------------------


@dataclass
class _Read:
    box: dict
    reading: BoxReading

    @property
    def state(self) -> str:
        return self.reading.state


@dataclass
class _Question:
    meta: dict
    reads: list[_Read] = field(default_factory=list)
    texts: list[_Read] = field(default_factory=list)


def _box_reading(box: dict, darkness: float) -> BoxReading:
    role = box["role"]
    if role == "text":
        state = TICKED if darkness >= TEXT_WRITTEN else EMPTY
        # A text area: item "text", option the "other" option it belongs to (if any);
        # ticked means written in.
        return BoxReading(box["question"], box.get("option", ""), "text", state, 1.0, darkness)
    state, confidence = box_state(darkness)
    if role == "cell" and "item" in box:
        option, item = str(box["value"]), box["item"]
    elif role == "cell":
        option, item = str(box["value"]), box["option"]
    elif role == "digit":
        option, item = str(box["value"]), str(box["column"])
    elif role == "sign":
        option, item = "-", ""
    else:
        option, item = box.get("option", str(box.get("value", ""))), ""
    return BoxReading(box["question"], option, item, state, confidence, round(darkness, 4))


def _ticked(reads: list[_Read]) -> list[_Read]:
    return [read for read in reads if read.state == TICKED]


def _choice(q: _Question, reasons: list[str]) -> list[AnswerInput]:
    meta, ticked = q.meta, _ticked(q.reads)
    qid = meta["question_id"]
    kind = meta["kind"]
    if kind == QuestionKind.MULTIPLE:
        if meta.get("max_choices") and len(ticked) > meta["max_choices"]:
            reasons.append(
                _("More boxes are ticked than allowed (at most %(max)s).")
                % {"max": meta["max_choices"]}
            )
    elif len(ticked) > 1:
        reasons.append(_("Several boxes are ticked where one answer is allowed."))
        return []
    answers = []
    for read in ticked:
        box = read.box
        if "option_id" in box:
            answers.append(AnswerInput(question_id=qid, option_id=box["option_id"]))
        else:
            answers.append(AnswerInput(question_id=qid, number=box["value"]))
    return answers


def _rows(q: _Question, key: str, reasons: list[str]) -> list[AnswerInput]:
    """Matrix (rows: items) and ranking (rows: options): one tick per row."""
    rows: dict = {}
    for read in q.reads:
        rows.setdefault(read.box[key], []).append(read)
    answers = []
    qid = q.meta["question_id"]
    several = False
    for reads in rows.values():
        ticked = _ticked(reads)
        if len(ticked) > 1:
            several = True
            continue
        if ticked:
            box = ticked[0].box
            if key == "item_id":
                answers.append(
                    AnswerInput(question_id=qid, item_id=box["item_id"], number=box["value"])
                )
            else:
                answers.append(
                    AnswerInput(question_id=qid, option_id=box["option_id"], number=box["value"])
                )
    if several:
        reasons.append(_("A row has several ticks where one is allowed."))
    if key == "option_id" and answers:
        places = sorted(answer.number for answer in answers)
        if several or places != list(range(1, len(rows) + 1)):
            reasons.append(_("Every place must be given exactly once: please check the ranking."))
    return answers


def _digits(q: _Question, reasons: list[str], message: str) -> str | None:
    """The digits ticked, left to right ("" when none; None when they cannot be read)."""
    columns: dict[int, list[_Read]] = {}
    for read in q.reads:
        if read.box["role"] == "digit":
            columns.setdefault(read.box["column"], []).append(read)
    digits = []
    for column in sorted(columns):
        ticked = _ticked(columns[column])
        if len(ticked) > 1:
            reasons.append(message)
            return None
        digits.append(str(ticked[0].box["value"]) if ticked else " ")
    text = "".join(digits).strip()
    if " " in text:
        reasons.append(message)
        return None
    return text


def _number(q: _Question, reasons: list[str]) -> list[AnswerInput]:
    text = _digits(q, reasons, _("The digits cannot be read as a number: please check."))
    negative = any(read.state == TICKED for read in q.reads if read.box["role"] == "sign")
    if not text:
        if negative and text == "":
            reasons.append(_("The digits cannot be read as a number: please check."))
        return []
    number = -int(text) if negative else int(text)
    low, high = q.meta.get("number_min"), q.meta.get("number_max")
    if (low is not None and number < low) or (high is not None and number > high):
        reasons.append(_("The number is outside the allowed range: please check."))
        return []
    return [AnswerInput(question_id=q.meta["question_id"], number=number)]


def _date(q: _Question, reasons: list[str]) -> list[AnswerInput]:
    import datetime

    message = _("The date cannot be read: please check.")
    text = _digits(q, reasons, message)
    if not text:
        return []
    if len(text) != 8:
        reasons.append(message)
        return []
    try:
        date = datetime.date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        reasons.append(message)
        return []
    return [AnswerInput(question_id=q.meta["question_id"], date=date)]


_RULES = {
    QuestionKind.SINGLE: _choice,
    QuestionKind.DROPDOWN: _choice,
    QuestionKind.MULTIPLE: _choice,
    QuestionKind.YES_NO: _choice,
    QuestionKind.SCALE: _choice,
    QuestionKind.MATRIX: lambda q, reasons: _rows(q, "item_id", reasons),
    QuestionKind.RANKING: lambda q, reasons: _rows(q, "option_id", reasons),
    QuestionKind.NUMBER: _number,
    QuestionKind.DATE: _date,
}


def _text_crops(q: _Question, page: AlignedPage, answers: list[AnswerInput]) -> list[bytes]:
    """Written text areas, and the "other" line of an option chosen, to type in."""
    crops = []
    chosen_options = {answer.option_id for answer in answers}
    for read in q.texts:
        other = read.box.get("option_id")
        if other is not None and other not in chosen_options:
            continue
        if read.state == TICKED or other is not None:
            box = read.box
            crops.append(page.png([box["x"], box["y"], box["width"], box["height"]]))
    return crops


def _answer(q: _Question, page: AlignedPage) -> AnswerReading:
    meta = q.meta
    reasons: list[str] = []
    rule = _RULES.get(meta["kind"])
    answers = rule(q, reasons) if rule else []
    if any(read.state == FILLED for read in q.reads):
        reasons.append(_("A box is filled in (a correction): please check the answer."))
    confidence = min([read.reading.confidence for read in q.reads] or [1.0])
    if confidence < CONFIDENCE_THRESHOLD:
        reasons.append(_("A mark is unclear: please check."))
    text_crops = _text_crops(q, page, answers)
    if text_crops:
        reasons.append(handwriting_reason())
    return AnswerReading(
        question_id=meta["question_id"],
        question_code=meta["question"],
        answers=answers,
        confidence=confidence,
        review_reason=" ".join(dict.fromkeys(reasons)),
        boxes=[read.reading for read in q.reads + q.texts],
        crop_png=page.png(meta["rect"], margin=0),
        text_crops=text_crops,
    )


def read_page(aligned: np.ndarray, layout: dict, page_number: int) -> list[AnswerReading]:
    """The answers on one aligned page of the questionnaire."""
    page = AlignedPage.of(aligned)
    questions = {
        meta["question_id"]: _Question(meta)
        for meta in layout["questions"]
        if meta["page"] == page_number
    }
    for box in layout["boxes"]:
        if box["page"] != page_number or box["question_id"] not in questions:
            continue
        inset = TEXT_INSET if box["role"] == "text" else BOX_INSET
        darkness = page.share(box["x"], box["y"], box["width"], box["height"], inset)
        read = _Read(box, _box_reading(box, darkness))
        target = questions[box["question_id"]]
        (target.texts if box["role"] == "text" else target.reads).append(read)
    return [_answer(q, page) for q in questions.values()]


# --- The stack --------------------------------------------------------------------------------


@dataclass
class _ScannedPage:
    index: int
    code: PageCode | None = None
    answers: list[AnswerReading] = field(default_factory=list)
    problem: str = ""
    cpu: float = 0.0
    blank: bool = False  # an empty page (the back of a duplex scan): skipped


def is_blank(gray: np.ndarray) -> bool:
    """Whether a page has next to no ink: no markers, no text, no marks."""
    small = cv2.resize(gray, (200, 283), interpolation=cv2.INTER_AREA)
    paper = float(np.percentile(small, 90))
    return float(np.mean(small < paper * INK)) < BLANK_INK


class _Layouts:
    """The stored layouts of one survey, loaded once per fingerprint."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.cache: dict[str, dict | None] = {}
        self.any = None
        self.batches: list[tuple[int, int]] | None = None

    def issued(self, number: int) -> bool:
        """Whether ``number`` was printed for this survey (a batch of numbered copies)."""
        if self.batches is None:
            self.batches = list(
                PaperSheetBatch.objects.filter(survey=self.survey).values_list("first", "count")
            )
        return any(first <= number < first + count for first, count in self.batches)

    def get(self, prefix: str) -> dict | None:
        if prefix not in self.cache:
            layout = layout_by_prefix(survey_id=self.survey.pk, prefix=prefix)
            self.cache[prefix] = layout.data if layout else None
        return self.cache[prefix]

    def geometry(self) -> dict:
        """Any layout: the markers, QR place and page size are the same in all."""
        if self.any is None:
            from survey.scanning.printing import layout_for_survey

            self.any = layout_for_survey(survey=self.survey).data
        return self.any


def _read_scanned(gray: np.ndarray, index: int, layouts: _Layouts) -> _ScannedPage:
    started = time.process_time()
    scanned = _ScannedPage(index)
    geometry = layouts.geometry()
    code = aligned = None
    for image in (gray, cv2.rotate(gray, cv2.ROTATE_180)):
        markers = _find_markers(image, geometry)
        if markers is None:
            continue
        aligned = _align(image, markers, geometry)
        code = _qr_in(aligned, geometry)
        if code is not None:
            break
    if code is None and is_blank(gray):
        scanned.blank = True
        return scanned
    if code is None:
        code = _read_qr(gray)
        scanned.problem = (
            _("Page %(page)s of the stack: the corner markers were not found.")
            if code is not None
            else _("Page %(page)s of the stack cannot be read (no QR code found).")
        ) % {"page": index + 1}
    scanned.code = code
    if code is not None and not scanned.problem:
        layout = layouts.get(code.fingerprint) if code.survey_id == layouts.survey.pk else None
        if code.survey_id != layouts.survey.pk:
            scanned.problem = _("Page %(page)s of the stack belongs to another survey.") % {
                "page": index + 1
            }
        elif layout is None or not 1 <= code.page <= layout["pages"]:
            scanned.problem = _(
                "Page %(page)s of the stack was printed from an unknown questionnaire version."
            ) % {"page": index + 1}
        else:
            scanned.answers = read_page(aligned, layout, code.page)
    scanned.cpu = time.process_time() - started
    return scanned


class _Sheet:
    def __init__(self, code: PageCode, slug: str) -> None:
        self.reading = SheetReading(survey_slug=slug, sheet_number=code.sheet)
        self.pages_total = code.pages
        self.pages: dict[int, _ScannedPage] = {}

    def add(self, scanned: _ScannedPage) -> None:
        page = scanned.code.page
        self.reading.scan_pages.append(scanned.index)
        self.reading.cpu_seconds += scanned.cpu
        if scanned.problem:
            self.reading.problems.append(scanned.problem)
            return
        if page in self.pages:
            self.reading.problems.append(
                _("Page %(page)s of the questionnaire is twice in the stack.") % {"page": page}
            )
            return
        self.pages[page] = scanned

    @property
    def complete(self) -> bool:
        return len(self.pages) == self.pages_total

    def finish(self, layouts: _Layouts) -> SheetReading:
        if not layouts.issued(self.reading.sheet_number):
            self.reading.problems.append(
                _("Sheet number %(number)s was never printed for this survey.")
                % {"number": self.reading.sheet_number}
            )
        for page in range(1, self.pages_total + 1):
            if page not in self.pages:
                self.reading.problems.append(
                    _("Page %(page)s of the questionnaire is missing.") % {"page": page}
                )
        for page in sorted(self.pages):
            self.reading.answers.extend(self.pages[page].answers)
        return self.reading


def read_stack(
    survey: Survey, path: str | Path, *, on_page: ProgressCallback | None = None
) -> Iterator[SheetReading]:
    """Read a scanned stack (PDF or multi-page TIFF) of numbered questionnaires of ``survey``:
    one ``SheetReading`` per sheet number, yielded as soon as all its pages were read
    (sheets missing a page at the end). Raises ``ScanError`` for a file that is no scan."""
    total, pages = scan_pages(path)
    layouts = _Layouts(survey)
    open_sheets: dict[int, _Sheet] = {}
    for index in range(total):
        started = time.process_time()
        gray = next(pages, None)
        if gray is None:
            break
        scanned = _read_scanned(gray, index, layouts)
        scanned.cpu = time.process_time() - started  # decoding the page included
        if scanned.blank:
            pass
        elif scanned.code is None:
            yield SheetReading(
                survey_slug=survey.slug,
                sheet_number=None,
                scan_pages=[index],
                problems=[scanned.problem],
                cpu_seconds=scanned.cpu,
            )
        else:
            sheet = open_sheets.setdefault(scanned.code.sheet, _Sheet(scanned.code, survey.slug))
            sheet.add(scanned)
            if sheet.complete and not sheet.reading.problems:
                del open_sheets[scanned.code.sheet]
                yield sheet.finish(layouts)
        if on_page is not None:
            on_page(index + 1, total)
    for sheet in open_sheets.values():
        yield sheet.finish(layouts)
