"""Printing numbered, machine-readable copies of a questionnaire (reportlab).

Every page carries four corner markers (the reader aligns the scan on them) and a QR code
with the survey, the layout fingerprint, the page and the sheet number. Sheet numbers are
issued from a counter per survey (``PaperSheetBatch``) that starts above every number issued
or typed in before, so a printed number never meets another sheet's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, black, white
from reportlab.pdfgen import canvas

from survey.models import Channel, PaperLayout, PaperSheetBatch, Response, Survey
from survey.scanning import layout as geometry
from survey.selectors import survey_definition

MAX_SHEETS_PER_PDF = 100  # about 4 s of CPU for 100 copies of four pages (mobility survey)
QR_PREFIX = "OSL1"
GREY = Color(0.35, 0.35, 0.35)
SHADE = Color(0.93, 0.93, 0.93)


class PrintError(ValueError):
    """A print request that cannot be served; the message is German, for staff."""


def layout_for_survey(*, survey: Survey) -> PaperLayout:
    """The stored map of the current questionnaire, stored now if it is new."""
    data = geometry.layout_compute(survey=survey, definition=survey_definition(survey=survey))
    layout, _created = PaperLayout.objects.get_or_create(
        survey=survey, fingerprint=data["fingerprint"], defaults={"data": data}
    )
    return layout


def layout_by_prefix(*, survey_id: int, prefix: str) -> PaperLayout | None:
    """The stored map a QR code names (by the start of its fingerprint)."""
    if len(prefix) < 8:
        return None
    return PaperLayout.objects.filter(survey_id=survey_id, fingerprint__startswith=prefix).first()


@dataclass(frozen=True)
class SheetRange:
    first: int
    count: int

    @property
    def numbers(self) -> range:
        return range(self.first, self.first + self.count)


def _highest_number(survey: Survey) -> int:
    issued = PaperSheetBatch.objects.filter(survey=survey).order_by("-first").first()
    typed = Response.objects.filter(survey=survey, channel=Channel.PAPER).aggregate(
        top=Max("sheet_number")
    )["top"]
    return max(issued.last if issued else 0, typed or 0)


def _check_count(count: int) -> None:
    if not 1 <= count <= MAX_SHEETS_PER_PDF:
        raise PrintError(
            _("Please choose between 1 and %(max)s copies.") % {"max": MAX_SHEETS_PER_PDF}
        )


@transaction.atomic
def paper_sheets_issue(*, survey: Survey, count: int, layout: PaperLayout, user) -> SheetRange:
    """Issue ``count`` new sheet numbers (above every number issued or typed in so far)."""
    _check_count(count)
    Survey.objects.select_for_update().filter(pk=survey.pk).first()  # one issuer at a time
    first = _highest_number(survey) + 1
    if first + count - 1 > 2_000_000_000:
        raise PrintError(_("No sheet numbers are left for this survey."))
    PaperSheetBatch.objects.create(
        survey=survey, layout=layout, first=first, count=count, issued_by=user
    )
    return SheetRange(first, count)


def paper_sheets_reprint(*, survey: Survey, first: int, count: int) -> SheetRange:
    """Numbers issued before, printed again (a jammed printer): only issued numbers."""
    _check_count(count)
    last = first + count - 1
    covered = set()
    for batch in PaperSheetBatch.objects.filter(survey=survey, first__lte=last):
        covered.update(range(max(batch.first, first), min(batch.last, last) + 1))
    if first < 1 or len(covered) != count:
        raise PrintError(
            _("Only sheet numbers issued before can be printed again (%(first)s to %(last)s).")
            % {"first": first, "last": last}
        )
    return SheetRange(first, count)


def sheet_batches_issued(*, survey: Survey) -> QuerySet[PaperSheetBatch]:
    """The batches of numbers issued for ``survey``, newest first, with who issued them."""
    return (
        PaperSheetBatch.objects.filter(survey=survey).select_related("issued_by").order_by("-first")
    )


def qr_payload(data: dict, *, page: int, sheet: int) -> str:
    fields = [QR_PREFIX, data["survey"], data["survey_id"], data["fingerprint"][:12]]
    return ":".join(str(v) for v in [*fields, page, data["pages"], sheet])


def _y(value: float) -> float:
    """Layout y (top down) to PDF y (bottom up)."""
    return geometry.PAGE_HEIGHT - value


def _draw_qr(pdf: canvas.Canvas, payload: str) -> None:
    qr = segno.make_qr(payload, error="m")
    size = len(qr.matrix)
    border = 2
    x0, y0, width, _height = geometry.QR_RECT
    module = width / (size + 2 * border)
    pdf.setFillColor(white)
    pdf.rect(x0, _y(y0 + width), width, width, stroke=0, fill=1)
    pdf.setFillColor(black)
    for row, line in enumerate(qr.matrix):
        y = y0 + (row + border) * module
        col = 0
        while col < size:  # one rectangle per run of dark modules
            if not line[col]:
                col += 1
                continue
            start = col
            while col < size and line[col]:
                col += 1
            x = x0 + (start + border) * module
            pdf.rect(
                x, _y(y + module), (col - start) * module + 0.01, module + 0.01, stroke=0, fill=1
            )


def _draw_frame(pdf: canvas.Canvas, data: dict, *, page: int, sheet: int) -> None:
    size = data["marker_size"]
    pdf.setFillColor(black)
    for cx, cy in data["markers"]:
        pdf.rect(cx - size / 2, _y(cy + size / 2), size, size, stroke=0, fill=1)
    _draw_qr(pdf, qr_payload(data, page=page, sheet=sheet))
    pdf.setFont(geometry.FONT, 8)
    pdf.setFillColor(GREY)
    head = _("Sheet no. %(sheet)s · page %(page)s of %(pages)s") % {
        "sheet": f"{sheet:06d}",
        "page": page,
        "pages": data["pages"],
    }
    pdf.drawString(geometry.MARKER_INSET + 16, _y(52), head)
    pdf.drawString(geometry.MARKER_INSET + 16, _y(geometry.PAGE_HEIGHT - 45), data["title"][:90])


def _draw_op(pdf: canvas.Canvas, op: list) -> None:
    kind, x, y = op[1], op[2], op[3]
    if kind == "text":
        font, size, grey, text = op[4], op[5], op[6], op[7]
        pdf.setFont(font, size)
        pdf.setFillColor(GREY if grey else black)
        pdf.drawString(x, _y(y), text)
    elif kind == "box":
        width, height = op[4], op[5]
        pdf.setStrokeColor(black)
        pdf.setLineWidth(0.9)
        pdf.rect(x, _y(y + height), width, height, stroke=1, fill=0)
    elif kind == "frame":
        width, height = op[4], op[5]
        pdf.setStrokeColor(GREY)
        pdf.setLineWidth(0.6)
        pdf.rect(x, _y(y + height), width, height, stroke=1, fill=0)
    elif kind == "shade":
        width, height = op[4], op[5]
        pdf.setFillColor(SHADE)
        pdf.rect(x, _y(y + height), width, height, stroke=0, fill=1)


def questionnaire_pdf(*, layout: PaperLayout, sheets: SheetRange, author: str = "") -> bytes:
    """One PDF with a numbered copy of the questionnaire per sheet number."""
    data = layout.data
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(geometry.PAGE_WIDTH, geometry.PAGE_HEIGHT), lang="de-DE")
    pdf.setTitle(data["title"])
    pdf.setAuthor(author or _("Oschatzer Land – Collmregion"))
    pdf.setSubject(_("Questionnaire for printing"))
    pdf.setCreator("oschatzerland")
    # Shades first, so rows lie under their boxes and texts.
    by_page: dict[int, list] = {}
    for op in sorted(data["ops"], key=lambda op: op[1] != "shade"):
        by_page.setdefault(op[0], []).append(op)
    # What every copy shares is drawn once per page (a form XObject) and placed on each copy.
    for page in range(1, data["pages"] + 1):
        pdf.beginForm(f"page{page}")
        for op in by_page.get(page, []):
            _draw_op(pdf, op)
        pdf.endForm()
    for sheet in sheets.numbers:
        for page in range(1, data["pages"] + 1):
            pdf.doForm(f"page{page}")
            _draw_frame(pdf, data, page=page, sheet=sheet)
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()
