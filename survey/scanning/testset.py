"""Filled-in scans made from the real questionnaire PDF, with the truth beside them: the test
set that measures how well ``read_stack`` reads (tests, ``make bench-scan``).

Each sheet is the printed PDF rasterised at 200 or 300 dpi, marked the way people mark paper
(ticks and crosses in pen or light pencil, marks that overshoot the box, a filled box with
the answer ticked beside it, scribbles in the text frames, empty sheets), then put through
a scanner: grey paper, rotation up to ±3°, shift up to 5 mm, scale ±2 %, noise and specks.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from survey.models import QuestionKind
from survey.scanning.printing import SheetRange, questionnaire_pdf
from survey.scanning.reader import handwriting_reason
from survey.scanning.readings import EMPTY, FILLED, TICKED

MM = 72 / 25.4


def box_key(question: str, option: str, item: str) -> str:
    return f"{question}|{option}|{item}"


def layout_box_key(box: dict) -> str:
    role = box["role"]
    if role == "text":
        return box_key(box["question"], box.get("option", ""), "text")
    if role == "cell":
        return box_key(box["question"], str(box["value"]), box.get("item", box.get("option", "")))
    if role == "digit":
        return box_key(box["question"], str(box["value"]), str(box["column"]))
    if role == "sign":
        return box_key(box["question"], "-", "")
    return box_key(box["question"], box.get("option", str(box.get("value", ""))), "")


@dataclass
class Pen:
    ink: int  # grey value of the stroke on white paper
    width: float  # points
    pencil: bool = False


@dataclass
class SheetTruth:
    sheet: int
    dpi: int
    empty: bool = False
    boxes: dict[str, str] = field(default_factory=dict)  # box key → state
    answers: dict[str, list[dict]] = field(default_factory=dict)  # question code → answers
    marks: list[tuple] = field(default_factory=list)  # (page, kind, box) to draw


class _Filler:
    """Marks one question the way a person would, recording the truth."""

    def __init__(self, meta: dict, boxes: list[dict], rng: random.Random, truth: SheetTruth):
        self.meta, self.rng, self.truth = meta, rng, truth
        self.reads = [box for box in boxes if box["role"] != "text"]
        self.texts = [box for box in boxes if box["role"] == "text"]

    def mark(self, box: dict, kind: str, state: str = TICKED) -> None:
        self.truth.boxes[layout_box_key(box)] = state
        self.truth.marks.append((box["page"], kind, box))

    def choice(self) -> list[dict]:
        count = 1
        if self.meta["kind"] == QuestionKind.MULTIPLE:
            count = self.rng.randint(1, min(len(self.reads), self.meta.get("max_choices") or 3))
        chosen = self.rng.sample(self.reads, count)
        rest = [box for box in self.reads if box not in chosen]
        if rest and self.rng.random() < 0.03:  # a correction: filled, the answer beside it
            self.mark(self.rng.choice(rest), "fill", FILLED)
        answers = []
        for box in chosen:
            self.mark(box, "tick")
            if "option_id" not in box:
                answers.append({"number": box["value"]})
                continue
            answers.append({"option_id": box["option_id"]})
            for text in self.texts:
                if text.get("option_id") == box["option_id"]:
                    self.mark(text, "scribble")
        return answers

    def rows(self, key: str) -> list[dict]:
        rows: dict = {}
        for box in self.reads:
            rows.setdefault(box[key], []).append(box)
        answers = []
        places = list(range(1, len(rows) + 1))
        self.rng.shuffle(places)
        for (row_id, row), place in zip(rows.items(), places, strict=True):
            if key == "item_id":
                if self.rng.random() < 0.08:
                    continue
                box = self.rng.choice(row)
            else:
                box = next(box for box in row if box["value"] == place)
            self.mark(box, "tick")
            answers.append({key: row_id, "number": box["value"]})
        return answers

    def digits(self) -> list[dict]:
        columns = max((box.get("column", 0) for box in self.reads), default=0)
        if self.meta["kind"] == QuestionKind.NUMBER:
            low = self.meta["number_min"] if self.meta["number_min"] is not None else 0
            high = self.meta["number_max"]
            high = high if high is not None else 10**columns - 1
            value = self.rng.randint(max(low, 0), high)
            digits = str(value)
            start = 1 if self.rng.random() < 0.5 else columns - len(digits) + 1
            answers = [{"number": value}]
        else:
            date = datetime.date(2020, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 2500))
            digits, start = date.strftime("%d%m%Y"), 1
            answers = [{"date": date.isoformat()}]
        for offset, digit in enumerate(digits):
            column = start + offset
            box = next(
                b for b in self.reads if b.get("column") == column and b["value"] == int(digit)
            )
            self.mark(box, "tick")
        return answers

    def text(self) -> list[dict]:
        for text in self.texts:
            self.mark(text, "scribble")
        return [{"text": True}]

    def answers(self) -> list[dict]:
        kind = self.meta["kind"]
        if kind == QuestionKind.MATRIX:
            return self.rows("item_id")
        if kind == QuestionKind.RANKING:
            return self.rows("option_id")
        if kind in (QuestionKind.NUMBER, QuestionKind.DATE):
            return self.digits()
        if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            return self.text()
        return self.choice()


def _stroke(image, points, pen: Pen, scale: float, rng: random.Random) -> None:
    pts = np.array([[x * scale, y * scale] for x, y in points], dtype=np.float64)
    thickness = max(1, round(pen.width * scale))
    ink = int(np.clip(pen.ink + rng.randint(-10, 10), 0, 255))
    cv2.polylines(
        image, [np.round(pts * 16).astype(np.int32)], False, ink, thickness, cv2.LINE_AA, shift=4
    )


def _draw_tick(image, box, pen, scale, rng) -> None:
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    over = rng.random() < 0.25
    reach = (0.15 + rng.random() * 0.2) * w if over else 0.0
    jx, jy = rng.uniform(-1.2, 1.2), rng.uniform(-1.2, 1.2)
    if rng.random() < 0.5:  # a cross
        a = 0.15 * w
        _stroke(
            image,
            [
                (x + a + jx - reach, y + a + jy - reach),
                (x + w - a + jx + reach, y + h - a + jy + reach),
            ],
            pen,
            scale,
            rng,
        )
        _stroke(
            image,
            [
                (x + w - a + jx + reach, y + a + jy - reach),
                (x + a + jx - reach, y + h - a + jy + reach),
            ],
            pen,
            scale,
            rng,
        )
    else:  # a tick
        _stroke(
            image,
            [
                (x + 0.2 * w + jx, y + 0.55 * h + jy),
                (x + 0.42 * w + jx, y + 0.82 * h + jy),
                (x + 0.88 * w + jx + reach, y + 0.12 * h + jy - reach),
            ],
            pen,
            scale,
            rng,
        )


def _draw_fill(image, box, pen, scale, rng) -> None:
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    ink = min(pen.ink, 90) if not pen.pencil else pen.ink
    left, top = round((x + 0.6) * scale), round((y + 0.6) * scale)
    right, bottom = round((x + w - 0.6) * scale), round((y + h - 0.6) * scale)
    cv2.rectangle(image, (left, top), (right, bottom), ink, -1)
    for _ in range(3):  # a few gaps and strokes beyond the edge, as a pen leaves them
        gx, gy = rng.randint(left, right), rng.randint(top, bottom)
        cv2.circle(image, (gx, gy), max(1, round(0.5 * scale)), 200, -1)


def _draw_scribble(image, box, pen, scale, rng) -> None:
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    lines = max(1, int((h - 6) // 16))
    for line in range(lines):
        base = y + 6 + (line + 0.7) * min(16, h - 6) / 1.0 if lines > 1 else y + h * 0.65
        base = min(base, y + h - 4)
        cursor = x + 6 + rng.uniform(0, 10)
        end = x + w * rng.uniform(0.4, 0.9)
        points = []
        while cursor < end:
            points.append((cursor, base - rng.uniform(0, 7)))
            points.append((cursor + rng.uniform(1.5, 3.5), base + rng.uniform(-1, 1)))
            cursor += rng.uniform(3, 6)
            if rng.random() < 0.12:
                _stroke(image, points, pen, scale, rng)
                points = []
                cursor += rng.uniform(4, 8)
        if len(points) > 1:
            _stroke(image, points, pen, scale, rng)


def _scanner(page: np.ndarray, dpi: int, rng: random.Random) -> np.ndarray:
    """Grey paper, rotation, shift, scale, noise and specks."""
    height, width = page.shape
    paper = rng.randint(200, 245)
    image = (page.astype(np.float32) * (paper / 255.0)).astype(np.float32)
    angle = rng.uniform(-3, 3)
    scale = 1 + rng.uniform(-0.02, 0.02)
    shift = 5 * MM * dpi / 72
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
    matrix[0, 2] += rng.uniform(-shift, shift)
    matrix[1, 2] += rng.uniform(-shift, shift)
    image = cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=float(paper - 10)
    )
    noise = np.empty(image.shape, np.float32)
    cv2.setRNGSeed(rng.randint(0, 2**31))
    cv2.randn(noise, 0.0, 5.0)  # sensor noise (OpenCV's generator: fast on 9 megapixels)
    image += noise
    specks = int(image.size * 0.0006)
    flat = image.reshape(-1)
    positions = np.array([rng.randrange(image.size) for _ in range(specks)], dtype=np.int64)
    flat[positions] = np.array([rng.randint(20, 120) for _ in range(specks)], dtype=np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def _render_pages(pdf_bytes: bytes, dpi: int) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf_bytes)
    pages = []
    for index in range(len(document)):
        bitmap = document[index].render(scale=dpi / 72, grayscale=True)
        array = bitmap.to_numpy()
        pages.append(np.ascontiguousarray(array if array.ndim == 2 else array[:, :, 0]))
    document.close()
    return pages


def sheet_truth(
    layout: dict, sheet: int, dpi: int, rng: random.Random, *, empty: bool
) -> SheetTruth:
    truth = SheetTruth(sheet=sheet, dpi=dpi, empty=empty)
    for box in layout["boxes"]:
        truth.boxes[layout_box_key(box)] = EMPTY
    by_question: dict[int, list[dict]] = {}
    for box in layout["boxes"]:
        by_question.setdefault(box["question_id"], []).append(box)
    for meta in layout["questions"]:
        truth.answers[meta["question"]] = []
        if empty or rng.random() > 0.85:
            continue
        filler = _Filler(meta, by_question.get(meta["question_id"], []), rng, truth)
        truth.answers[meta["question"]] = filler.answers()
    return truth


def scan_images(layout_obj, sheet: int, dpi: int, marks: list[tuple], rng: random.Random, pen=None):
    """The scanned pages of copy ``sheet`` with ``marks`` ((page, "tick"|"fill"|"scribble",
    layout box)) drawn in."""
    pages = _render_pages(questionnaire_pdf(layout=layout_obj, sheets=SheetRange(sheet, 1)), dpi)
    if pen is None and rng.random() < 0.15:
        pen = Pen(ink=rng.randint(110, 150), width=rng.uniform(0.7, 1.0), pencil=True)
    elif pen is None:
        pen = Pen(ink=rng.randint(10, 60), width=rng.uniform(0.8, 1.4))
    scale = dpi / 72
    draw = {"tick": _draw_tick, "fill": _draw_fill, "scribble": _draw_scribble}
    for page_number, kind, box in marks:
        draw[kind](pages[page_number - 1], box, pen, scale, rng)
    return [_scanner(page, dpi, rng) for page in pages]


def make_sheet(layout_obj, sheet: int, dpi: int, rng: random.Random, *, empty=False):
    """The scanned pages of one filled-in sheet and its truth."""
    truth = sheet_truth(layout_obj.data, sheet, dpi, rng, empty=empty)
    return scan_images(layout_obj, sheet, dpi, truth.marks, rng), truth


def images_write(images: list[np.ndarray], out: str | Path, dpi: int = 300) -> None:
    """Pages as one multi-page PDF or TIFF (by the suffix)."""
    pictures = [Image.fromarray(image) for image in images]
    if str(out).lower().endswith(".pdf"):
        pictures[0].save(out, save_all=True, append_images=pictures[1:], resolution=float(dpi))
    else:
        pictures[0].save(out, save_all=True, append_images=pictures[1:], compression="tiff_deflate")


def scan_testset_write(
    *,
    layout_obj,
    out: str | Path,
    sheets: int,
    seed: int,
    first_sheet: int = 1,
    dpi: int | None = None,
    compression: str = "tiff_deflate",
) -> Path:
    """Write ``sheets`` filled-in sheets (every tenth empty) as one multi-page PDF or TIFF
    (by the suffix of ``out``) and the truth beside it as ``<out>.truth.json``.
    ``compression``: the TIFF's (Pillow's name); deflate spends about a quarter of a second
    per page on the scanner noise and saves a third of the size, "packbits" next to nothing."""
    out = Path(out)
    rng = random.Random(seed)
    images: list[Image.Image] = []
    truths = []
    for offset in range(sheets):
        sheet_dpi = dpi or rng.choice((200, 300))
        pages, truth = make_sheet(
            layout_obj, first_sheet + offset, sheet_dpi, rng, empty=offset % 10 == 9
        )
        for page in pages:
            image = Image.fromarray(page)
            image.info["dpi"] = (sheet_dpi, sheet_dpi)
            images.append(image)
        truths.append(truth)
    if out.suffix.lower() == ".pdf":
        # One resolution per file in Pillow's PDF writer: pages keep their pixel size.
        images[0].save(out, save_all=True, append_images=images[1:], resolution=float(dpi or 250))
    else:
        images[0].save(out, save_all=True, append_images=images[1:], compression=compression)
    truth_path = out.with_name(out.name + ".truth.json")
    truth_path.write_text(
        json.dumps(
            {
                "survey": layout_obj.data["survey"],
                "fingerprint": layout_obj.fingerprint,
                "sheets": [
                    {
                        "sheet": t.sheet,
                        "dpi": t.dpi,
                        "empty": t.empty,
                        "boxes": t.boxes,
                        "answers": t.answers,
                    }
                    for t in truths
                ],
            },
            ensure_ascii=False,
        )
    )
    return truth_path


# --- Comparing a reading with the truth -------------------------------------------------------


@dataclass
class Score:
    boxes: int = 0
    correct: int = 0
    correct_unreviewed: int = 0  # right, and the question not sent to review at all
    correct_boxes_unreviewed: int = 0  # right, and no box of the question to check
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)  # (truth, read) → n
    questions: int = 0
    reviewed: int = 0
    silent_errors: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # review reason → questions
    caught_errors: int = 0
    text_areas: int = 0
    text_areas_correct: int = 0
    sheets: int = 0
    sheets_stored: int = 0
    cpu: float = 0.0
    pages: int = 0

    @property
    def share_correct_unreviewed(self) -> float:
        return self.correct_unreviewed / self.boxes if self.boxes else 0.0

    @property
    def share_boxes_unreviewed(self) -> float:
        return self.correct_boxes_unreviewed / self.boxes if self.boxes else 0.0


def _comparable(answers) -> set:
    rows = set()
    for answer in answers:
        if isinstance(answer, dict):
            rows.add(
                (
                    answer.get("option_id"),
                    answer.get("item_id"),
                    answer.get("number"),
                    answer.get("date"),
                    bool(answer.get("text")),
                )
            )
        else:
            rows.add(
                (
                    answer.option_id,
                    answer.item_id,
                    answer.number,
                    answer.date.isoformat() if answer.date else None,
                    bool(answer.text),
                )
            )
    return rows


def _score_answer(score: Score, reading, answer, expected: dict) -> None:
    score.questions += 1
    reviewed = answer.needs_review or bool(reading.problems)
    score.reviewed += answer.needs_review
    for reason in [answer.review_reason, *reading.problems]:
        if reason:
            score.reasons[reason] = score.reasons.get(reason, 0) + 1
    # The boxes of a question sent to review only to type its handwriting were decided
    # without review; counted apart (``correct_boxes_unreviewed``).
    boxes_reviewed = bool(reading.problems) or answer.review_reason not in (
        "",
        handwriting_reason(),
    )
    wanted = expected["answers"].get(answer.question_code, [])
    # Free text: the reader proposes nothing and sends written areas to review.
    is_text = any(w.get("text") for w in wanted)
    wrong = _comparable(answer.answers) != _comparable([] if is_text else wanted)
    if wrong and not reviewed:
        score.silent_errors.append(f"{reading.sheet_number}:{answer.question_code}")
    elif wrong:
        score.caught_errors += 1
    for box in answer.boxes:
        key = box_key(box.question_code, box.option_code, box.item_code)
        state = expected["boxes"].get(key, EMPTY)
        if box.item_code == "text":  # a text area, not a box: typed in by staff
            score.text_areas += 1
            score.text_areas_correct += state == box.state
            continue
        score.boxes += 1
        score.confusion[(state, box.state)] = score.confusion.get((state, box.state), 0) + 1
        if state == box.state:
            score.correct += 1
            if not reviewed:
                score.correct_unreviewed += 1
            if not boxes_reviewed:
                score.correct_boxes_unreviewed += 1


def score_readings(readings, truth: dict, score: Score | None = None) -> Score:
    """Compare ``SheetReading``s with a truth file's content."""
    score = score or Score()
    truths = {sheet["sheet"]: sheet for sheet in truth["sheets"]}
    for reading in readings:
        score.sheets += 1
        score.cpu += reading.cpu_seconds
        score.pages += len(reading.scan_pages)
        if not reading.needs_review:
            score.sheets_stored += 1
        expected = truths.get(reading.sheet_number)
        if expected is None:
            continue
        for answer in reading.answers:
            _score_answer(score, reading, answer, expected)
    return score


def score_table(score: Score) -> str:
    states = (EMPTY, TICKED, FILLED)
    lines = ["truth \\ read | " + " | ".join(states), "---|---|---|---"]
    for truth_state in states:
        cells = [str(score.confusion.get((truth_state, read), 0)) for read in states]
        lines.append(f"{truth_state} | " + " | ".join(cells))
    return "\n".join(lines)
