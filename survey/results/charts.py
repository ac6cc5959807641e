"""Standalone SVG charts of published results: one per question, for the results report
(PDF) and as downloads (SVG and PNG) for the press and council slides.

A chart shows exactly what the results page shows of a question's totals: the same
rounded shares, the same withheld figures ("–"), never a figure disclosure control
withheld. The download carries its caption inside the image (question, base, "Stand"),
so a slide or a newspaper page cannot lose it. Geometry is computed here, text is escaped
with ``format_html``; the SVG references nothing outside itself (no fonts, no images).
"""

from __future__ import annotations

import datetime
import hashlib
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from survey.kinds import KINDS
from survey.results.shapes import Cell, QuestionResult
from survey.templatetags.survey_results_tags import pct

# Bumped whenever the drawing changes, so cached downloads are made anew.
CHART_FORMAT = 3
WIDTH = 800
PAD = 20
LABEL_WIDTH = 250  # the answer labels, left of the bars
BAR_LEFT = PAD + LABEL_WIDTH + 10
BAR_WIDTH = 340  # 100 %
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
# The site's colours (static/css/site.css): dark green bars on a light track, text in
# near-black; contrast of bar and background at least 3:1 (WCAG 1.4.11).
BAR = "#0b5a3c"
TRACK = "#e6ece9"
TEXT = "#1b1b1b"
MUTED = "#4a4a4a"
# Scale points from the lowest to the highest: a diverging palette (red … grey … green)
# whose neighbours differ in lightness, so a grey-scale print keeps them apart.
SCALE_COLOURS = {
    2: ["#b2182b", "#1a7a45"],
    3: ["#b2182b", "#9a9a9a", "#1a7a45"],
    4: ["#b2182b", "#ef8a62", "#7fbf7b", "#1a7a45"],
    5: ["#b2182b", "#ef8a62", "#bdbdbd", "#7fbf7b", "#1a7a45"],
    6: ["#b2182b", "#d6604d", "#f4a582", "#a6dba0", "#5aae61", "#1a7a45"],
    7: ["#b2182b", "#d6604d", "#f4a582", "#bdbdbd", "#a6dba0", "#5aae61", "#1a7a45"],
}

# Segments dark enough for white figures (contrast at least 4.5:1); the others get black.
DARK_SEGMENTS = {"#b2182b", "#1a7a45", BAR}


@dataclass
class Bar:
    label: str
    percent: Decimal | None  # None: withheld
    count: int | None  # None: withheld
    # The 95 % interval of the percentage (Wilson, on the effective sample size).
    interval: tuple[Decimal, Decimal] | None = None
    margin: Decimal | None = None


@dataclass
class Stack:
    label: str
    base: int
    segments: list[Decimal | None]  # per scale point; None: withheld
    mean: Decimal | None = None
    mean_margin: Decimal | None = None


@dataclass
class Chart:
    """What one chart shows, before it is drawn."""

    question_id: int
    code: str
    text: str
    base: int
    bars: list[Bar] = field(default_factory=list)
    stacks: list[Stack] = field(default_factory=list)
    legend: list[str] = field(default_factory=list)
    # What the bars measure, said under the chart ("Mehrfachantworten möglich" …).
    notes: list[str] = field(default_factory=list)
    # Weighted to the population (``survey.results.weights``): said under the chart.
    weighted: bool = False

    @property
    def has_withheld(self) -> bool:
        return any(bar.percent is None for bar in self.bars) or any(
            value is None for stack in self.stacks for value in stack.segments
        )


def _shown_percent(cell: Cell) -> Decimal | None:
    return None if cell.percent_withheld else cell.percent


def _shown_count(cell: Cell) -> int | None:
    return None if cell.suppressed else cell.count


def _bar(label: str, cell: Cell) -> Bar:
    percent = _shown_percent(cell)
    interval = cell.interval if percent is not None else None
    margin = cell.margin if percent is not None else None
    return Bar(label, percent, _shown_count(cell), interval, margin)


def _ranking_chart(chart: Chart, result: QuestionResult) -> Chart:
    for item in result.items:
        chart.bars.append(_bar(item.label, item.rows[0].cells[0]))
    chart.notes.append(gettext("Share of people who ranked the option first."))
    return chart


def _matrix_chart(chart: Chart, result: QuestionResult) -> Chart | None:
    if not result.items or not result.items[0].rows:
        return None
    chart.legend = [row.label for row in result.items[0].rows]
    for item in result.items:
        mean = item.means[0]
        segments = [_shown_percent(row.cells[0]) for row in item.rows]
        value, margin = (None, None) if mean.suppressed else (mean.value, mean.margin)
        chart.stacks.append(Stack(item.label, item.bases[0], segments, value, margin))
    chart.notes.append(
        gettext(
            "Shares per item in percent: the lower half of the scale left of the line, "
            "the upper half right of it, the middle across it; the mean is on the right."
        )
    )
    return chart


def _rows_chart(chart: Chart, rows: list, note: str = "") -> Chart | None:
    if not rows:
        return None
    for row in rows:
        chart.bars.append(_bar(row.label, row.cells[0]))
    if note:
        chart.notes.append(note)
    return chart


def chart_available(result: QuestionResult) -> bool:
    """Whether ``question_chart`` gives a chart, decided without building it (the results
    page asks for every question): not for a question whose base is withheld, a matrix
    without scale points, free text not coded yet, or a question without answer rows (a
    number or a date)."""
    if result.bases_withheld and result.bases_withheld[0]:
        return False
    kind = KINDS[result.kind]
    if kind.results_per_item:
        return result.kind == "ranking" or bool(result.items and result.items[0].rows)
    if kind.is_free_text:
        return bool(result.themes)
    return bool(result.rows)


def question_chart(result: QuestionResult, *, weighted: bool = False) -> Chart | None:
    """The chart of a question's totals, or None where the page shows no chart (a number
    question, free text not coded yet, a question whose base is withheld; see
    ``chart_available``). ``weighted``: the results are weighted
    (``SurveyResults.weighted``), said under the chart."""
    if not chart_available(result):
        return None
    kind = KINDS[result.kind]
    chart = Chart(result.id, result.code, result.text, result.base, weighted=weighted)
    if kind.results_per_item:
        if result.kind == "ranking":
            return _ranking_chart(chart, result)
        return _matrix_chart(chart, result)
    if kind.is_free_text:
        note = gettext("Mentions by theme; one answer can mention several themes.")
        return _rows_chart(chart, result.themes, note)
    note = ""
    if kind.counts_respondents:
        note = gettext("Several answers were possible, so the percentages add up to more.")
    return _rows_chart(chart, result.rows, note)


# --- Drawing -------------------------------------------------------------------------------


def _number(value: int) -> str:
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


def _text(x, y, content, *, size=13, weight="normal", anchor="start", fill=TEXT) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" font-size="{}" font-weight="{}" text-anchor="{}" fill="{}">{}</text>',
        x,
        y,
        size,
        weight,
        anchor,
        fill,
        content,
    )


def _whisker(interval: tuple[Decimal, Decimal], y: int) -> SafeString:
    """The 95 % interval on a bar: a dark line with end ticks over a white halo, so it
    shows on the dark bar and on the light track alike."""
    low, high = (f"{BAR_LEFT + float(end) * BAR_WIDTH / 100:.1f}" for end in interval)
    path = f"M{low} {y}H{high}M{low} {y - 5}V{y + 5}M{high} {y - 5}V{y + 5}"
    return format_html(
        '<path d="{}" stroke="#ffffff" stroke-width="4" fill="none"/>'
        '<path d="{}" stroke="{}" stroke-width="1.5" fill="none"/>',
        path,
        path,
        TEXT,
    )


def _bar_rows(chart: Chart, top: int) -> tuple[list[SafeString], int]:
    parts, y = [], top
    for bar in chart.bars:
        label_lines = _lines(bar.label, 34)[:3]
        height = max(26, 17 * len(label_lines) + 6)
        for i, line in enumerate(label_lines):
            parts.append(_text(PAD, y + 17 + 17 * i, line))
        width = float(bar.percent or 0) * BAR_WIDTH / 100
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="18" fill="{}"/>',
                BAR_LEFT,
                y + 4,
                BAR_WIDTH,
                TRACK,
                BAR_LEFT,
                y + 4,
                f"{width:.1f}",
                BAR,
            )
        )
        if bar.interval is not None:
            parts.append(_whisker(bar.interval, y + 13))
        value = pct(bar.percent) if bar.percent is not None else "–"
        if bar.margin is not None:
            value = f"{value} ±{formats.number_format(bar.margin, 1, use_l10n=True)}"
        if bar.count is not None:
            value = f"{value} ({_number(bar.count)})"
        parts.append(_text(BAR_LEFT + BAR_WIDTH + 8, y + 18, value, weight="bold"))
        y += height
    return parts, y


def _left_share(segments: list[Decimal | None]) -> float:
    """The share on the negative side of a diverging bar: the lower half of the scale and
    half of its middle point (odd scales)."""
    half = len(segments) // 2
    left = sum(float(value or 0) for value in segments[:half])
    if len(segments) % 2:
        left += float(segments[half] or 0) / 2
    return left


def _stack_height(stack: Stack) -> int:
    return max(30, 17 * len(_lines(stack.label, 34)[:3]) + 8)


def _stack_rows(chart: Chart, top: int) -> tuple[list[SafeString], int]:
    """Diverging stacked bars: the lower half of the scale left of a common centre line,
    the upper half right of it, the middle point (odd scales) across it."""
    parts, y = [], top
    colours = SCALE_COLOURS.get(len(chart.legend)) or [BAR] * len(chart.legend)
    lefts = [_left_share(stack.segments) for stack in chart.stacks]
    rights = [
        sum(float(v or 0) for v in stack.segments) - left
        for stack, left in zip(chart.stacks, lefts, strict=True)
    ]
    scale = BAR_WIDTH / max(max(lefts, default=0) + max(rights, default=0), 1)
    centre = BAR_LEFT + max(lefts, default=0) * scale
    # The centre line first, so the bars lie over it; it shows between them.
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
            f"{centre:.1f}",
            y,
            f"{centre:.1f}",
            y + sum(_stack_height(stack) for stack in chart.stacks),
            TEXT,
        )
    )
    for stack, left in zip(chart.stacks, lefts, strict=True):
        for i, line in enumerate(_lines(stack.label, 34)[:3]):
            parts.append(_text(PAD, y + 17 + 17 * i, line))
        height = _stack_height(stack)
        x = centre - left * scale
        for value, colour in zip(stack.segments, colours, strict=False):
            width = float(value or 0) * scale
            if width <= 0:
                continue
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="22" fill="{}"'
                    ' stroke="#ffffff" stroke-width="1"/>',
                    f"{x:.1f}",
                    y + 3,
                    f"{width:.1f}",
                    colour,
                )
            )
            if width >= 34:
                parts.append(
                    _text(
                        f"{x + width / 2:.1f}",
                        y + 19,
                        formats.number_format(value, 0, use_l10n=True),
                        size=11,
                        anchor="middle",
                        fill="#ffffff" if colour in DARK_SEGMENTS else TEXT,
                    )
                )
            x += width
        mean = "–" if stack.mean is None else formats.number_format(stack.mean, 1, use_l10n=True)
        if stack.mean_margin is not None:
            mean += f" ±{formats.number_format(stack.mean_margin, 1, use_l10n=True)}"
        parts.append(
            _text(
                BAR_LEFT + BAR_WIDTH + 8,
                y + 19,
                gettext("Mean %(mean)s") % {"mean": mean},
                weight="bold",
            )
        )
        y += height
    # The legend, in scale order, wrapping onto further lines.
    y += 8
    x = BAR_LEFT
    for label, colour in zip(chart.legend, colours, strict=False):
        text = textwrap.shorten(label, 28, placeholder="…")
        width = 22 + int(len(text) * 7.2) + 14
        if x + width > WIDTH - PAD:
            x = BAR_LEFT
            y += 20
        parts.append(
            format_html('<rect x="{}" y="{}" width="14" height="14" fill="{}"/>', x, y, colour)
        )
        parts.append(_text(x + 20, y + 12, text, size=12))
        x += width
    return parts, y + 22


def chart_key(survey, question_id: int, fmt: str, as_of: datetime.date) -> str:
    """The cache key of a downloaded chart: it changes with the results version, the day
    ("Stand") and the survey's title (the source line)."""
    from survey.results.caching import results_version

    title = hashlib.sha256(survey.title.encode()).hexdigest()[:12]
    return (
        f"survey-chart:{CHART_FORMAT}:{survey.pk}:{results_version(survey.pk)}:"
        f"{get_language()}:{question_id}:{fmt}:{as_of.isoformat()}:{title}"
    )


def chart_title(chart: Chart) -> str:
    return f"{chart.code} {chart.text}".strip()


def chart_description(chart: Chart, *, as_of: datetime.date | None) -> str:
    """The chart's figures as one sentence for screen readers (its SVG ``<desc>``)."""
    if chart.bars:
        figures = "; ".join(
            f"{bar.label}: {pct(bar.percent) if bar.percent is not None else gettext('withheld')}"
            for bar in chart.bars
        )
    else:
        figures = "; ".join(
            f"{stack.label}: "
            + ", ".join(
                f"{label} {pct(value) if value is not None else gettext('withheld')}"
                for label, value in zip(chart.legend, stack.segments, strict=False)
            )
            for stack in chart.stacks
        )
    return f"{chart_base_text(chart, as_of=as_of)} {figures}."


def chart_base_text(chart: Chart, *, as_of: datetime.date | None) -> str:
    base = ngettext(
        "Base: %(n)s person answered (n = %(n)s).",
        "Base: %(n)s people answered (n = %(n)s).",
        chart.base,
    ) % {"n": _number(chart.base)}
    if as_of:
        base += " " + gettext("As of: %(day)s.") % {"day": formats.date_format(as_of, "j. F Y")}
    return base


def chart_svg(
    chart: Chart,
    *,
    as_of: datetime.date | None,
    source: str = "",
    caption: bool = True,
    title: str = "",
) -> SafeString:
    """The chart as a standalone SVG document. With ``caption`` (downloads) the question,
    the base, "Stand" and the source are drawn into the image; without it (the report,
    where the heading and the text around say so) only the chart and its notes. ``title``
    replaces the question as the SVG's title (its text alternative)."""
    parts: list[SafeString] = []
    y = PAD
    if caption:
        for line in _lines(chart_title(chart), 78)[:6]:
            parts.append(_text(PAD, y + 16, line, size=16, weight="bold"))
            y += 22
        y += 8
    body, y = _bar_rows(chart, y) if chart.bars else _stack_rows(chart, y)
    parts += body
    y += 10
    notes = list(chart.notes)
    if chart.weighted:
        notes.append(gettext("Percentages and means weighted by population; counts unweighted."))
    if any(bar.interval for bar in chart.bars) or any(s.mean_margin for s in chart.stacks):
        notes.append(
            gettext("± and the thin line: 95 percent interval, in percentage points (Wilson).")
        )
    if chart.has_withheld:
        notes.append(gettext("– = withheld to protect anonymity."))
    if caption:
        notes.append(chart_base_text(chart, as_of=as_of))
        if source:
            notes.append(gettext("Source: %(source)s") % {"source": source})
    for note in notes:
        for line in _lines(note, 100):
            parts.append(_text(PAD, y + 14, line, size=12, fill=MUTED))
            y += 18
    height = y + PAD
    title_id = f"chart-{chart.question_id}-title"
    desc_id = f"chart-{chart.question_id}-desc"
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" role="img"'
        ' width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{font}"'
        ' aria-labelledby="{tid} {did}" lang="de">'
        '<title id="{tid}">{title}</title><desc id="{did}">{desc}</desc>'
        '<rect width="{w}" height="{h}" fill="#ffffff"/>{body}</svg>',
        w=WIDTH,
        h=height,
        font=FONT,
        tid=title_id,
        did=desc_id,
        title=title or chart_title(chart),
        desc=chart_description(chart, as_of=as_of),
        body=format_html_join("", "{}", ((part,) for part in parts)),
    )


def chart_png(svg: str, *, scale: float = 2) -> bytes:
    """The SVG as a PNG (twice the size by default: sharp on slides and in print). With
    ``unsafe=False`` CairoSVG loads no file and no URL (data: URLs only, and the chart has
    none), so nothing is fetched from anywhere."""
    import cairosvg  # imported here: only the PNG download needs cairo

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, unsafe=False)
