"""The shape of computed results: plain data classes, so that they pickle into the cache,
and the one rounding of published figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from survey.results.statistics import wilson


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
    # Weighted results (``survey.results.weights``): the weighted count and base the
    # percentage is computed from; the count stays the unweighted one.
    weighted_count: float | None = None
    weighted_base: float | None = None
    # The effective sample size of the base, for the interval (the base if unweighted).
    n_effective: float | None = None
    # +1 / −1: this group gave the answer more / less often than the average, by more than
    # chance (``survey.results.significance``); 0 otherwise.
    marked: int = 0

    @property
    def percent(self) -> Decimal | None:
        if self.suppressed or self.base_withheld or self.base < self.min_base:
            return None
        if self.weighted_base is not None:
            if not self.weighted_base:
                return None
            return half_up(Decimal(self.weighted_count * 100) / Decimal(self.weighted_base))
        return round_half_up(self.count * 100, self.base)

    @property
    def share(self) -> float | None:
        """The unrounded share (0 … 1) the percentage shows; None where none is shown."""
        if self.percent is None:
            return None
        if self.weighted_base is not None:
            return self.weighted_count / self.weighted_base
        return self.count / self.base

    @property
    def interval(self) -> tuple[Decimal, Decimal] | None:
        """The 95 % interval of the percentage (Wilson, on the effective sample size)."""
        share = self.share
        if share is None:
            return None
        n = self.n_effective if self.n_effective is not None else self.base
        low, high = wilson(share, n)
        return half_up(low * 100), half_up(high * 100)

    @property
    def margin(self) -> Decimal | None:
        """Half the width of the interval, in percentage points ("± 4,1 Prozentpunkte")."""
        interval = self.interval
        return None if interval is None else half_up((interval[1] - interval[0]) / 2)

    @property
    def percent_withheld(self) -> bool:
        return self.suppressed or self.base_withheld or 0 < self.base < self.min_base

    @property
    def bar(self) -> str:
        """Bar length for SVG attributes (always with a decimal point)."""
        return f"{self.percent or 0:.1f}"

    @property
    def whisker(self) -> tuple[str, str] | None:
        """The interval's ends for SVG attributes."""
        interval = self.interval
        return None if interval is None else (f"{interval[0]:.1f}", f"{interval[1]:.1f}")


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
    # The 95 % interval of the mean (on the effective sample size), rounded like the mean.
    low_ci: Decimal | None = None
    high_ci: Decimal | None = None

    @property
    def margin(self) -> Decimal | None:
        if self.value is None or self.low_ci is None or self.high_ci is None:
            return None
        return half_up((self.high_ci - self.low_ci) / 2)

    @property
    def whisker(self) -> tuple[str, str] | None:
        """The interval's ends on the bar (0 … 100) for SVG attributes."""
        if self.margin is None or self.high == self.low:
            return None
        span = Decimal(self.high - self.low)

        def at(value: Decimal) -> str:
            return f"{min(max((value - self.low) * 100 / span, Decimal(0)), Decimal(100)):.1f}"

        return at(self.low_ci), at(self.high_ci)

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
    # A scale item's diverging bar (``survey.results.significance.diverging``).
    diverging: list[Segment] = field(default_factory=list)


@dataclass
class TestSummary:
    """The published outcome of a chi-square test of a cross table."""

    statistic: float
    df: int
    p_value: float
    design_effect: float

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05

    @property
    def p_text(self) -> str:
        if self.p_value < 0.001:
            return "p < 0,001"
        return "p = " + f"{self.p_value:.3f}".replace(".", ",")


@dataclass
class Segment:
    """One part of a diverging bar: x and width on a 0 … 200 axis (100 is the middle)."""

    label: str
    percent: Decimal
    x: str
    width: str
    tone: str  # "neg2", "neg1", "mid", "pos1", "pos2"


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
    # Whether the groups of the breakdown differ by more than chance (chi-square test),
    # and the cells that do, in words (``survey.results.significance``).
    test: TestSummary | None = None
    findings: list[str] = field(default_factory=list)
    diverging: list[Segment] = field(default_factory=list)

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
class WeightingInfo:
    """How the results are weighted, for the explanation on the page and in the CSV."""

    characteristics: list[str]  # "Kommune", "Altersgruppe"
    sources: list[str]  # "Statistisches Landesamt Sachsen, Stand 31.12.2019"
    is_demo: bool
    design_effect: float
    n: int
    bounds: tuple[Decimal, Decimal]
    # Groups with too few responses to be weighted on their own (left out of the margin).
    left_out: list[str] = field(default_factory=list)

    @property
    def n_effective(self) -> int:
        return round(self.n / self.design_effect) if self.design_effect else self.n


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
    # Weighting: what the survey's targets are (None without targets) and whether these
    # figures are weighted (the page's default when there are targets).
    weighting: WeightingInfo | None = None
    weighted: bool = False

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
