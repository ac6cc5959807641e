"""Where everything goes on the printed questionnaire: one map per questionnaire version.

``layout_compute`` walks the survey definition and places, page by page, the texts to print
(``ops``) and every box and text area the reader looks at (``boxes``), in PDF points with the
origin top left. The map is a plain JSON dict; its fingerprint is the hash of the map itself,
so printing and reading agree by construction: the PDF is drawn from the stored map, and the
QR code of each page names the map it was printed from.

Box roles: ``choice`` (an option, a scale point, yes/no: ``value`` is the answer),
``cell`` (a matrix cell: ``item`` and ``value``; a ranking place: ``option`` and ``value``),
``digit`` (a number or date: column ``column``, digit ``value``), ``sign`` (minus for a
negative number), ``text`` (a framed area to write in; with ``option`` the "other" line).
"""

from __future__ import annotations

import hashlib
import json

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit

from survey.kinds import kind_of
from survey.models import QuestionKind

LAYOUT_VERSION = 1
PAGE_WIDTH, PAGE_HEIGHT = A4  # 595.28 × 841.89 pt

# Corner markers: filled squares, centres MARKER_INSET from the page edges.
MARKER_SIZE = 20.0
MARKER_INSET = 48.0  # inside what a scanner keeps of a page turned by 3° and shifted 5 mm
MARKERS = [
    (MARKER_INSET, MARKER_INSET),
    (PAGE_WIDTH - MARKER_INSET, MARKER_INSET),
    (MARKER_INSET, PAGE_HEIGHT - MARKER_INSET),
    (PAGE_WIDTH - MARKER_INSET, PAGE_HEIGHT - MARKER_INSET),
]
# The QR code of the page, left of the top right marker.
QR_SIZE = 58.0
QR_RECT = (PAGE_WIDTH - MARKER_INSET - MARKER_SIZE / 2 - 12 - QR_SIZE, 30.0, QR_SIZE, QR_SIZE)

LEFT = 62.0
RIGHT = PAGE_WIDTH - 62.0
TOP = 100.0
BOTTOM = PAGE_HEIGHT - 70.0
WIDTH = RIGHT - LEFT

BOX = 12.0  # a tick box
CELL_PITCH = 30.0  # scale points and matrix columns
DIGIT_BOX = 10.0
DIGIT_PITCH_X = 17.0
DIGIT_PITCH_Y = 15.0
OPTION_GAP = 7.0  # between two option rows, beyond the box
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
FONT_ITALIC = "Helvetica-Oblique"
SIZE_TEXT = 10.0
SIZE_SMALL = 8.5
LEADING = 12.0
LEADING_SMALL = 10.5
QUESTION_GAP = 14.0


def _lines(text: str, width: float, font: str = FONT, size: float = SIZE_TEXT) -> list[str]:
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        lines.extend(simpleSplit(paragraph, font, size, width) or [""])
    return lines


class _Block:
    """One question's ops and boxes, relative to its top left corner; ``height`` so far."""

    def __init__(self) -> None:
        self.ops: list[list] = []
        self.boxes: list[dict] = []
        self.height = 0.0

    def text(self, x, y, text, *, font=FONT, size=SIZE_TEXT, grey=False) -> None:
        self.ops.append(["text", round(x, 2), round(y, 2), font, size, grey, text])

    def paragraph(self, x, text, *, width, font=FONT, size=SIZE_TEXT, leading=LEADING, grey=False):
        for line in _lines(text, width, font, size):
            self.text(x, self.height + size, line, font=font, size=size, grey=grey)
            self.height += leading

    def box(self, x, y, size, **fields) -> None:
        self.ops.append(["box", round(x, 2), round(y, 2), size, size])
        self.boxes.append(
            {"x": round(x, 2), "y": round(y, 2), "width": size, "height": size, **fields}
        )

    def frame(self, x, y, width, height, **fields) -> None:
        self.ops.append(["frame", round(x, 2), round(y, 2), round(width, 2), round(height, 2)])
        self.boxes.append(
            {
                "x": round(x, 2),
                "y": round(y, 2),
                "width": round(width, 2),
                "height": round(height, 2),
                "role": "text",
                **fields,
            }
        )


def _hint(question) -> str:
    kind = question.kind
    if kind in (
        QuestionKind.SINGLE,
        QuestionKind.DROPDOWN,
        QuestionKind.YES_NO,
        QuestionKind.SCALE,
    ):
        return _("Please tick one box.")
    if kind == QuestionKind.MULTIPLE:
        if question.max_choices:
            return ngettext(
                "Tick at most %(counter)s box.",
                "Tick at most %(counter)s boxes.",
                question.max_choices,
            ) % {"counter": question.max_choices}
        return _("Tick all that apply.")
    if kind == QuestionKind.MATRIX:
        return _("Please tick one box per row.")
    if kind == QuestionKind.RANKING:
        return _("Tick one place per option, every place once (1 = most important).")
    if kind == QuestionKind.NUMBER:
        return _("Write the number in the boxes and tick each digit below it.")
    if kind == QuestionKind.DATE:
        return _("Write the date in the boxes and tick each digit below it.")
    return ""


def _question_head(block: _Block, question) -> None:
    spec = kind_of(question)
    if not spec.has_answers:
        block.paragraph(0, question.text, width=WIDTH)
    else:
        required = f" ({_('required')})" if question.required else ""
        block.paragraph(
            0, f"{question.code}  {question.text}{required}", width=WIDTH, font=FONT_BOLD
        )
    condition = getattr(question, "condition_text", "")
    if condition:
        block.paragraph(
            0, condition, width=WIDTH, font=FONT_ITALIC, size=SIZE_SMALL, leading=LEADING_SMALL
        )
    if question.help_text and spec.has_answers:
        block.paragraph(
            0, question.help_text, width=WIDTH, size=SIZE_SMALL, leading=LEADING_SMALL, grey=True
        )
    hint = _hint(question)
    if hint:
        block.paragraph(
            0,
            hint,
            width=WIDTH,
            font=FONT_ITALIC,
            size=SIZE_SMALL,
            leading=LEADING_SMALL,
            grey=True,
        )
    block.height += 4


def _ids(question) -> dict:
    return {"question_id": question.pk, "question": question.code}


def _options(block: _Block, question, options: list[tuple]) -> None:
    """One box per option, one option per row. ``options``: (value, label, option or None)."""
    label_x = BOX + 8
    for value, label, option in options:
        top = block.height
        other = option is not None and option.is_other
        width = WIDTH - label_x - (200 if other else 0)
        lines = _lines(label, width)
        fields = _ids(question)
        if option is not None:
            fields |= {"option_id": option.pk, "option": str(option.value)}
        block.box(2, top, BOX, role="choice", value=value, **fields)
        for index, line in enumerate(lines):
            block.text(label_x, top + 9.5 + index * LEADING, line)
        if other:
            line_x = label_x + min(width, _text_width(lines[-1])) + 8
            block.frame(
                line_x,
                top - 3,
                RIGHT - LEFT - line_x,
                18,
                **_ids(question),
                option_id=option.pk,
                option=str(option.value),
            )
        block.height = top + max(BOX, len(lines) * LEADING) + OPTION_GAP


def _text_width(text: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, FONT, SIZE_TEXT)


def _scale_row(block: _Block, question, x0: float, top: float, *, item=None, labels=True) -> None:
    values = question.scale_values
    for index, value in enumerate(values):
        x = x0 + index * CELL_PITCH
        fields = _ids(question) | {"value": value, "option": str(value)}
        if item is not None:
            fields |= {"item_id": item.pk, "item": str(item.position_code)}
            block.box(x + (CELL_PITCH - BOX) / 2, top, BOX, role="cell", **fields)
        else:
            block.box(x + (CELL_PITCH - BOX) / 2, top, BOX, role="choice", **fields)


def _scale_head(block: _Block, question, x0: float) -> None:
    for index, value in enumerate(question.scale_values):
        label = str(value)
        x = x0 + index * CELL_PITCH + CELL_PITCH / 2 - _text_width(label) / 2
        block.text(x, block.height + 9, label)
    block.height += LEADING + 2


def _scale_labels(block: _Block, question, x0: float) -> None:
    low, high = question.scale_min_label, question.scale_max_label
    if not (low or high):
        return
    text = f"{question.scale_min} = {low}" if low else ""
    if high:
        text += ("   ·   " if text else "") + f"{question.scale_max} = {high}"
    block.paragraph(x0, text, width=WIDTH - x0, size=SIZE_SMALL, leading=LEADING_SMALL, grey=True)


def _scale(block: _Block, question) -> None:
    x0 = 0.0
    _scale_head(block, question, x0)
    _scale_row(block, question, x0, block.height)
    block.height += BOX + 6
    _scale_labels(block, question, x0)


def _matrix(block: _Block, question) -> None:
    columns = len(question.scale_values)
    x0 = WIDTH - columns * CELL_PITCH
    _scale_head(block, question, x0)
    for index, item in enumerate(question.item_list):
        item.position_code = index + 1
        top = block.height
        lines = _lines(item.label, x0 - 10)
        for line_no, line in enumerate(lines):
            block.text(0, top + 9.5 + line_no * LEADING, line)
        _scale_row(block, question, x0, top, item=item)
        row = max(BOX, len(lines) * LEADING) + OPTION_GAP + 2
        if index % 2 == 0:
            block.ops.append(["shade", 0, round(top - 3.5, 2), WIDTH, round(row, 2)])
        block.height = top + row
    _scale_labels(block, question, x0)


def _ranking(block: _Block, question) -> None:
    options = question.option_list
    places = list(range(1, len(options) + 1))
    x0 = WIDTH - len(places) * CELL_PITCH
    for index, place in enumerate(places):
        label = f"{place}."
        block.text(
            x0 + index * CELL_PITCH + CELL_PITCH / 2 - _text_width(label) / 2,
            block.height + 9,
            label,
        )
    block.height += LEADING + 2
    for row, option in enumerate(options):
        top = block.height
        lines = _lines(option.label, x0 - 10)
        for line_no, line in enumerate(lines):
            block.text(0, top + 9.5 + line_no * LEADING, line)
        for index, place in enumerate(places):
            block.box(
                x0 + index * CELL_PITCH + (CELL_PITCH - BOX) / 2,
                top,
                BOX,
                role="cell",
                **_ids(question),
                option_id=option.pk,
                option=str(option.value),
                value=place,
            )
        height = max(BOX, len(lines) * LEADING) + OPTION_GAP + 2
        if row % 2 == 0:
            block.ops.append(["shade", 0, round(top - 3.5, 2), WIDTH, round(height, 2)])
        block.height = top + height


def _digit_grid(block: _Block, question, groups: list[tuple[str, int]], *, sign=False) -> None:
    """Write-in boxes over columns of digit boxes 0–9; ``groups``: (caption, columns)."""
    x = 40.0
    top = block.height
    column = 0
    xs = []
    for caption, count in groups:
        if caption:
            block.text(x, top + 8, caption, size=SIZE_SMALL, grey=True)
        for _index in range(count):
            xs.append(x)
            x += DIGIT_PITCH_X
        x += 10
    head = top + (LEADING if any(caption for caption, _ in groups) else 0)
    for cx in xs:  # write-in boxes for the eye, not read
        block.ops.append(["frame", round(cx - 1, 2), round(head, 2), DIGIT_PITCH_X - 2, 18])
    grid_top = head + 24
    for digit in range(10):
        y = grid_top + digit * DIGIT_PITCH_Y
        block.text(24, y + 8, str(digit), size=SIZE_SMALL)
        for column, cx in enumerate(xs, start=1):
            block.box(
                cx + (DIGIT_PITCH_X - 2 - DIGIT_BOX) / 2 - 1 + 1,
                y,
                DIGIT_BOX,
                role="digit",
                **_ids(question),
                column=column,
                value=digit,
            )
    if sign:
        sx = x + 20
        block.box(sx, grid_top, BOX, role="sign", **_ids(question))
        block.text(sx + BOX + 6, grid_top + 9.5, _("minus (negative number)"), size=SIZE_SMALL)
    block.height = grid_top + 10 * DIGIT_PITCH_Y + 2


def number_digits(question) -> int:
    """How many digit columns a number question gets: enough for its bounds (default 0–999)."""
    low = question.number_min if question.number_min is not None else 0
    high = question.number_max if question.number_max is not None else 999
    return max(1, min(10, len(str(max(abs(low), abs(high))))))


def _number(block: _Block, question) -> None:
    low, high = question.number_min, question.number_max
    if low is not None and high is not None:
        block.paragraph(
            0,
            _("a whole number from %(low)s to %(high)s") % {"low": low, "high": high},
            width=WIDTH,
            size=SIZE_SMALL,
            leading=LEADING_SMALL,
            grey=True,
        )
    _digit_grid(block, question, [("", number_digits(question))], sign=low is not None and low < 0)


def _date(block: _Block, question) -> None:
    _digit_grid(block, question, [(_("day"), 2), (_("month"), 2), (_("year"), 4)])


def _text(block: _Block, question) -> None:
    height = 22.0 if question.kind == QuestionKind.SHORT_TEXT else 96.0
    block.frame(0, block.height, WIDTH, height, **_ids(question))
    block.height += height + 4


def _question_block(question) -> _Block:
    block = _Block()
    _question_head(block, question)
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.DROPDOWN, QuestionKind.MULTIPLE):
        _options(
            block,
            question,
            [(option.value, option.label, option) for option in question.option_list],
        )
    elif kind == QuestionKind.YES_NO:
        _options(block, question, [(1, _("Yes"), None), (0, _("No"), None)])
    elif kind == QuestionKind.SCALE:
        _scale(block, question)
    elif kind == QuestionKind.MATRIX:
        _matrix(block, question)
    elif kind == QuestionKind.RANKING:
        _ranking(block, question)
    elif kind == QuestionKind.NUMBER:
        _number(block, question)
    elif kind == QuestionKind.DATE:
        _date(block, question)
    elif kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        _text(block, question)
    return block


class _Pages:
    def __init__(self) -> None:
        self.ops: list[list] = []
        self.boxes: list[dict] = []
        self.questions: list[dict] = []
        self.page = 1
        self.y = TOP

    def new_page(self) -> None:
        self.page += 1
        self.y = TOP

    def place(self, block: _Block, *, question=None) -> None:
        if self.y + block.height > BOTTOM and self.y > TOP:
            self.new_page()
        for op in block.ops:
            self.ops.append(
                [self.page, op[0], round(op[1] + LEFT, 2), round(op[2] + self.y, 2), *op[3:]]
            )
        for box in block.boxes:
            self.boxes.append(
                {
                    **box,
                    "page": self.page,
                    "x": round(box["x"] + LEFT, 2),
                    "y": round(box["y"] + self.y, 2),
                }
            )
        if question is not None and kind_of(question).has_answers:
            self.questions.append(
                {
                    "question_id": question.pk,
                    "question": question.code,
                    "kind": question.kind,
                    "page": self.page,
                    "rect": [
                        LEFT - 6,
                        round(self.y - 4, 2),
                        WIDTH + 12,
                        round(block.height + 6, 2),
                    ],
                    "max_choices": question.max_choices,
                    "number_min": question.number_min,
                    "number_max": question.number_max,
                    "options": len(getattr(question, "option_list", []) or []),
                }
            )
        self.y += block.height + QUESTION_GAP


def _intro_block(survey) -> _Block:
    block = _Block()
    block.paragraph(0, survey.title, width=WIDTH - 90, font=FONT_BOLD, size=15, leading=19)
    block.height += 2
    how = _(
        "Please tick the boxes with a cross or a tick and write inside the frames. To take "
        "back a cross, fill the box completely and tick the right one."
    )
    block.paragraph(0, how, width=WIDTH, size=SIZE_SMALL, leading=LEADING_SMALL)
    return block


def _section_block(number: int, section) -> _Block:
    block = _Block()
    block.paragraph(
        0, f"{number}. {section.title}", width=WIDTH, font=FONT_BOLD, size=12, leading=15
    )
    condition = getattr(section, "condition_text", "")
    if condition:
        block.paragraph(
            0, condition, width=WIDTH, font=FONT_ITALIC, size=SIZE_SMALL, leading=LEADING_SMALL
        )
    if section.description:
        block.paragraph(0, section.description, width=WIDTH, size=SIZE_SMALL, leading=LEADING_SMALL)
    block.height += 2
    return block


def layout_compute(*, survey, definition) -> dict:
    """The map of the printed questionnaire of ``definition`` (``survey_definition``)."""
    pages = _Pages()
    pages.place(_intro_block(survey))
    for number, section in enumerate(definition.sections, start=1):
        head = _section_block(number, section)
        first = section.question_list[0] if section.question_list else None
        # Keep a section title with its first question.
        first_block = _question_block(first) if first is not None else _Block()
        if pages.y + head.height + first_block.height > BOTTOM and pages.y > TOP:
            pages.new_page()
        pages.place(head)
        for question in section.question_list:
            block = first_block if question is first else _question_block(question)
            pages.place(block, question=question)
    thanks = _Block()
    thanks.paragraph(0, _("Thank you for taking part!"), width=WIDTH, font=FONT_BOLD)
    pages.place(thanks)
    data = {
        "version": LAYOUT_VERSION,
        "survey": survey.slug,
        "survey_id": survey.pk,
        "title": survey.title,
        "page_size": [round(PAGE_WIDTH, 2), round(PAGE_HEIGHT, 2)],
        "pages": pages.page,
        "markers": [[round(x, 2), round(y, 2)] for x, y in MARKERS],
        "marker_size": MARKER_SIZE,
        "qr": [round(v, 2) for v in QR_RECT],
        "questions": pages.questions,
        "boxes": pages.boxes,
        "ops": pages.ops,
    }
    data["fingerprint"] = layout_fingerprint(data)
    return data


def layout_fingerprint(data: dict) -> str:
    body = {key: value for key, value in data.items() if key != "fingerprint"}
    encoded = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def layout_public(data: dict) -> dict:
    """The map as staff get it (JSON): everything but the drawing instructions."""
    return {key: value for key, value in data.items() if key != "ops"}
