"""Exports: all responses for staff (CSV and XLSX, streamed) and the public aggregated CSV.

Raw exports have one row per response and one column per question, matrix item and
multiple-choice option. Responses are read with ``iterator(chunk_size=…)`` and their answers
prefetched per chunk, so memory stays flat however many responses there are.

CSV dialect: UTF-8 with byte-order mark and ``;`` as separator, which is what Excel in a
German locale opens correctly with umlauts; numbers are plain integers.

Free texts come from the public: in the CSV a text starting with ``= + - @`` gets a leading
apostrophe so that spreadsheet programs do not run it as a formula (CSV injection); in the
XLSX such cells are written as plain strings, and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from survey.kinds import ExportColumn, kind_of
from survey.models import Answer, Question, Response, Survey
from survey.results.shapes import SurveyResults, WeightingInfo

CHUNK_SIZE = 2000
CSV_DELIMITER = ";"
BOM = "\ufeff"


def export_columns(*, survey: Survey) -> list[ExportColumn]:
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("options", "items")
        .order_by("section__position", "section_id", "position", "id")
    )
    columns = [
        ExportColumn("id", _("Response number")),
        ExportColumn("channel", _("Channel"), codes="online, paper"),
        ExportColumn("submitted_on", _("Submitted on"), codes="YYYY-MM-DD"),
        ExportColumn("sheet_number", _("Sheet number (paper)")),
    ]
    for q in questions:
        columns.extend(kind_of(q).export_columns(q))
    return columns


def response_rows(*, survey: Survey, columns: list[ExportColumn]) -> Iterator[list]:
    """One list of cell values per response, in column order; memory flat per chunk."""
    option_values = {}
    for column in columns:
        if column.question is not None:
            for option in column.question.options.all():
                option_values[option.pk] = option.value
    responses = (
        Response.objects.filter(survey=survey)
        .order_by("id")
        .only("id", "channel", "submitted_on", "sheet_number")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.only(
                    "id",
                    "response_id",
                    "question_id",
                    "option_id",
                    "item_id",
                    "number",
                    "date",
                    "text",
                ).order_by("id"),
            )
        )
    )
    for response in responses.iterator(chunk_size=CHUNK_SIZE):
        by_question: dict[int, list[Answer]] = {}
        for answer in response.answers.all():
            by_question.setdefault(answer.question_id, []).append(answer)
        row = [
            response.pk,
            response.channel,
            response.submitted_on.isoformat(),
            response.sheet_number if response.sheet_number is not None else "",
        ]
        for column in columns[4:]:
            answers = by_question.get(column.question.pk, [])
            row.append(kind_of(column.question).export_value(column, answers, option_values))
        yield row


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(row: list) -> list:
    return [
        "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value
        for value in row
    ]


class _Echo:
    def write(self, value):
        return value


def responses_csv(*, survey: Survey) -> Iterator[str]:
    """Streamed CSV: a row of column codes, a row of labels, then one row per response."""
    columns = export_columns(survey=survey)
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield BOM + writer.writerow([c.code for c in columns])
    yield writer.writerow([c.label for c in columns])
    for row in response_rows(survey=survey, columns=columns):
        yield writer.writerow(_csv_safe(row))


def codebook_rows(*, columns: list[ExportColumn]) -> Iterator[list[str]]:
    yield [_("Column"), _("Question"), _("Values")]
    for column in columns:
        yield [column.code, column.label, column.codes]


def codebook_csv(*, survey: Survey) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    rows = codebook_rows(columns=export_columns(survey=survey))
    yield BOM + writer.writerow(next(rows))
    for row in rows:
        yield writer.writerow(row)


def responses_xlsx(*, survey: Survey):
    """The responses as an .xlsx file (write-only mode: rows go straight to disk).

    Returns an open temporary file positioned at its start; the caller streams it out.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    columns = export_columns(survey=survey)
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(_("Responses"))

    def text_cell(value: str):
        cell = WriteOnlyCell(data, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    data.append([c.code for c in columns])
    data.append([c.label for c in columns])
    for row in response_rows(survey=survey, columns=columns):
        data.append([text_cell(v) if isinstance(v, str) and v else v for v in row])
    codebook = workbook.create_sheet(_("Codebook"))
    for row in codebook_rows(columns=columns):
        codebook.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the FileResponse that streams it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def weighting_text(info: WeightingInfo | None) -> str:
    """The one-paragraph explanation of the weighting, on the page and in the CSV."""
    if info is None:
        return ""
    text = _(
        "Weighted by population (per %(characteristics)s), so that every group counts with "
        "its share of the inhabitants (source: %(sources)s). Effective sample size: "
        "%(n_effective)s of %(n)s responses; weights from %(low)s to %(high)s."
    ) % {
        "characteristics": ", ".join(info.characteristics),
        "sources": "; ".join(info.sources),
        "n_effective": info.n_effective,
        "n": info.n,
        "low": _decimal(info.bounds[0].normalize()),
        "high": _decimal(info.bounds[1].normalize()),
    }
    if info.is_demo:
        text += " " + _("Some targets are demo figures, not official statistics.")
    return text


# Marks a figure withheld by disclosure control, on the page and in the open-data CSV alike.
WITHHELD = "–"


def _decimal(value) -> str:
    """A figure as the page shows it: rounded half up already, with a decimal comma."""
    return str(value).replace(".", ",")


def _percent(cell) -> str:
    if cell.percent_withheld:
        return WITHHELD
    return _decimal(cell.percent) if cell.percent is not None else ""


def _count_row(q, item, row, column, cell) -> list:
    return [
        q.code,
        q.text,
        item.label if item else "",
        row.label,
        column.label,
        WITHHELD if cell.suppressed else cell.count,
        _percent(cell),
        WITHHELD if cell.base_withheld else cell.base,
        *_interval(cell.percent_withheld, cell.interval, cell.margin),
    ]


def _interval(withheld: bool, interval, margin) -> list[str]:
    """The 95 % interval's ends and half width, as the page shows them."""
    if withheld:
        return [WITHHELD] * 3
    if interval is None or margin is None:
        return ["", "", ""]
    return [_decimal(interval[0]), _decimal(interval[1]), _decimal(margin)]


def _mean_value(mean) -> str:
    if mean.suppressed:
        return WITHHELD
    return _decimal(mean.value) if mean.value is not None else ""


def _mean_row(q, item_label: str, column, mean) -> list:
    n = WITHHELD if mean.n_withheld else mean.n
    interval = (mean.low_ci, mean.high_ci) if mean.margin is not None else None
    return [
        q.code,
        q.text,
        item_label,
        _("Mean"),
        column.label,
        "",
        _mean_value(mean),
        n,
        *_interval(mean.suppressed, interval, mean.margin),
    ]


def _question_csv_rows(q, columns) -> Iterator[list]:
    """The rows of one question: per column, its answers (or themes, or per matrix item
    its scale values), then its means."""
    kind = kind_of(q)
    if kind.results_per_item:
        groups = [(item, row) for item in q.items for row in item.rows]
    else:
        groups = [(None, row) for row in [*q.rows, *q.themes]]
    for column_index, column in enumerate(columns):
        for item, row in groups:
            yield _count_row(q, item, row, column, row.cells[column_index])
        if kind.results_per_item:
            for item in q.items:
                yield _mean_row(q, item.label, column, item.means[column_index])
        elif kind.has_mean and q.means:
            yield _mean_row(q, "", column, q.means[column_index])


def results_csv(*, results: SurveyResults) -> Iterator[str]:
    """The public aggregated results as CSV: one row per answer category and group.

    Figures are exactly those of the page: percentages and means rounded half up to one
    decimal; a count or percentage withheld by disclosure control is "–" (see README).
    Questions that the page shows without breakdown have only the "All" rows.
    """
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield BOM + writer.writerow(
        [
            _("Question"),
            _("Question text"),
            _("Item"),
            _("Answer"),
            _("Group"),
            _("Count"),
            _("Percent"),
            _("Base (n)"),
            _("95 percent interval from"),
            _("95 percent interval to"),
            _("± percentage points"),
            _("Weighted"),
        ]
    )
    empty = ["", "", "", ""]
    yield writer.writerow(["", _("Participants"), "", "", _("All"), results.total, "", "", *empty])
    for row in results.by_channel:
        yield writer.writerow(
            ["", _("Participants"), "", row.label, _("All"), row.count, "", "", *empty]
        )
    if results.weighted:
        yield writer.writerow(
            ["", _("Weighting"), "", weighting_text(results.weighting), "", "", "", "", *empty]
        )
    flag = _("yes") if results.weighted else _("no")
    for section in results.public_sections():
        for q in section.questions:
            columns = results.columns if q.crossed else results.columns[:1]
            for row in _question_csv_rows(q, columns):
                yield writer.writerow([*row, flag])
