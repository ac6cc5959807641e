"""The shape of computed results: plain data classes, so that they pickle into the cache,
and the one rounding of published figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


def half_up(value, digits: int = 1) -> Decimal:
    """``value`` rounded half up to ``digits`` decimals (12,25 → 12,3; 33,98 → 34,0), in
    decimal arithmetic so that binary fractions never tip a figure. The one rounding of
    published figures: the results, the template filters and so the CSV all use it."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def round_half_up(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator to one decimal, rounded half up (see ``half_up``); the page
    and the CSV both print this value, so they always agree."""
    if not denominator:
        return None
    return half_up(Decimal(numerator) / Decimal(denominator))


def share(count: int, total: int) -> Decimal | None:
    """``count`` as a percentage of ``total``, rounded like every published figure."""
    return round_half_up(count * 100, total)


@dataclass
class Column:
    key: str
    label: str
    n: int


@dataclass
class Cell:
    count: int
    base: int
    # Withheld by disclosure control (a count from 1 to 4, or one that would give one away).
    suppressed: bool = False
    # No percentage is published on a base below the threshold.
    min_base: int = 0
    # The base of the cell's group is withheld (it would give away how many did not
    # answer), and with it the percentage, from which the base could be worked out.
    base_withheld: bool = False

    @property
    def percent(self) -> Decimal | None:
        if self.suppressed or self.base_withheld or self.base < self.min_base:
            return None
        return round_half_up(self.count * 100, self.base)

    @property
    def percent_withheld(self) -> bool:
        return self.suppressed or self.base_withheld or 0 < self.base < self.min_base

    @property
    def bar(self) -> str:
        """Bar length for SVG attributes (always with a decimal point)."""
        return f"{self.percent or 0:.1f}"


@dataclass
class Row:
    label: str
    cells: list[Cell]
    is_other: bool = False
    value: int | None = None


@dataclass
class Mean:
    value: Decimal | None
    n: int
    low: int
    high: int
    suppressed: bool = False
    # The number of people the mean is over is withheld (see Cell.base_withheld).
    n_withheld: bool = False

    @property
    def bar(self) -> str:
        if self.value is None or self.high == self.low:
            return "0"
        return f"{(self.value - self.low) * 100 / (self.high - self.low):.1f}"


@dataclass
class ItemResult:
    label: str
    bases: list[int]
    rows: list[Row]
    means: list[Mean]
    bases_withheld: list[bool] = field(default_factory=list)


@dataclass
class QuestionResult:
    id: int
    code: str
    text: str
    kind: str
    section_id: int
    is_hidden: bool
    bases: list[int]
    rows: list[Row] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)
    means: list[Mean] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    themes: list[Row] = field(default_factory=list)
    coded: list[int] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    scale_min_label: str = ""
    scale_max_label: str = ""
    summary: str = ""
    # Shown as a cross table in a breakdown (False: the plain distribution only).
    crossed: bool = True
    # Per column: the base is withheld by disclosure control.
    bases_withheld: list[bool] = field(default_factory=list)

    @property
    def shown_bases(self) -> list[int | None]:
        """The bases as published: None where withheld."""
        withheld = self.bases_withheld or [False] * len(self.bases)
        return [None if hidden else n for n, hidden in zip(self.bases, withheld, strict=True)]

    @property
    def base(self) -> int:
        return self.bases[0]

    @property
    def has_withheld(self) -> bool:
        """Whether a figure shown of this question is withheld (explained by a footnote).
        Without its cross table only the "All" column is shown, whatever the others hold."""
        shown = None if self.crossed else 1
        rows = [*self.rows, *self.themes, *(row for item in self.items for row in item.rows)]
        means = [*self.means[:shown], *(mean for item in self.items for mean in item.means[:shown])]
        return (
            any(cell.percent_withheld for row in rows for cell in row.cells[:shown])
            or any(mean.suppressed for mean in means)
            or any(self.bases_withheld[:shown])
        )


@dataclass
class SectionResult:
    id: int
    title: str
    questions: list[QuestionResult]


@dataclass
class ParticipationRow:
    label: str
    count: int
    percent: Decimal | None
    population: int | None = None
    municipality_id: int | None = None

    @property
    def per_thousand(self) -> Decimal | None:
        return round_half_up(self.count * 1000, self.population or 0)

    @property
    def bar(self) -> str:
        return f"{self.percent or 0:.1f}"


@dataclass
class SurveyResults:
    survey_id: int
    total: int
    breakdown: str | None
    breakdown_label: str
    columns: list[Column]
    merged_groups: list[str]
    suppressed: bool
    by_channel: list[ParticipationRow]
    by_municipality: list[ParticipationRow]
    municipality_question_id: int | None
    sections: list[SectionResult]
    last_response_on: datetime.date | None
    min_group_size: int
    breakdown_choices: list[tuple[str, str]]

    @property
    def has_breakdown(self) -> bool:
        return len(self.columns) > 1

    def public_sections(self) -> list[SectionResult]:
        sections = []
        for section in self.sections:
            questions = [q for q in section.questions if not q.is_hidden]
            if questions:
                sections.append(SectionResult(section.id, section.title, questions))
        return sections

    def question(self, question_id: int) -> QuestionResult | None:
        for section in self.sections:
            for result in section.questions:
                if result.id == question_id:
                    return result
        return None
