"""Survey results: aggregation queries, breakdowns with small-group suppression, caching.

Everything is counted by the database, never by loading responses into Python: each
response is counted once into ``ResultTally`` rows (answers per breakdown group, question,
option, item and number; see "Tallies" below), and a results page adds up those few
thousand rows plus the live theme codings. The number of queries is fixed for a survey,
whatever the number of responses. The computed results are cached per survey, breakdown and
language; ``survey_results_invalidate`` bumps the survey's cache version (call it when a
response arrives or coding changes).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext

from portal.caching import bump_content_version, bump_named_version, named_version
from survey.models import (
    Answer,
    AnswerTheme,
    Channel,
    Option,
    Question,
    QuestionKind,
    Quote,
    Response,
    ResultsPublication,
    ResultTally,
    ResultTallyState,
    Survey,
    SurveyStatus,
)
from survey.results.disclosure import suppressed_cells

CHANNEL_BREAKDOWN = "kanal"
TOTAL = "total"
OTHERS = "others"
NO_ANSWER = "none"
BREAKDOWN_KINDS = (QuestionKind.SINGLE, QuestionKind.DROPDOWN)
# Bumped whenever the shape of the cached results changes, so old entries are ignored.
FORMAT_VERSION = 3


def min_group_size() -> int:
    """The default disclosure threshold; a publication can set its own."""
    return int(getattr(settings, "SURVEY_MIN_GROUP_SIZE", 5))


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


def _number(value, digits: int = 1) -> str:
    return formats.number_format(value, digits, use_l10n=True)


# --- The shape of the results (plain data, so it pickles into the cache) ----------------------


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
    def is_choice(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.DROPDOWN)

    @property
    def is_multiple(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE

    @property
    def is_scale(self) -> bool:
        return self.kind == QuestionKind.SCALE

    @property
    def is_matrix(self) -> bool:
        return self.kind == QuestionKind.MATRIX

    @property
    def is_number(self) -> bool:
        return self.kind == QuestionKind.NUMBER

    @property
    def is_text(self) -> bool:
        return self.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)

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


# --- Breakdown dimensions --------------------------------------------------------------------


def breakdown_questions(questions) -> list[Question]:
    return [q for q in questions if q.is_breakdown and q.kind in BREAKDOWN_KINDS]


def _breakdown_choices(questions, hidden: set[int]) -> list[tuple[str, str]]:
    """The dimensions visitors can break the results down by: (GET value, label); never a
    question staff did not publish."""
    choices = [
        (q.code, q.breakdown_label or q.text)
        for q in breakdown_questions(questions)
        if q.pk not in hidden
    ]
    return [*choices, (CHANNEL_BREAKDOWN, gettext("Channel (online or paper)"))]


# --- Cache -----------------------------------------------------------------------------------


def _version_name(survey_id: int) -> str:
    return f"survey-results:{survey_id}"


def survey_results_invalidate(survey_id: int) -> None:
    """Forget the cached results of a survey (a response arrived, coding changed …).

    The survey's results version lives in the database (``portal.caching.named_version``),
    so every app server and worker computes anew, with or without a shared cache; it changes
    in the same transaction as the change that called for it. Published results also show on
    page-cached public pages (the results page, survey, topic and municipality pages), so
    those are invalidated too once the change is committed.
    """
    bump_named_version(_version_name(survey_id))
    if Survey.objects.filter(pk=survey_id, status=SurveyStatus.PUBLISHED).exists():
        transaction.on_commit(bump_content_version)


def publication_changed(sender, instance, **kwargs) -> None:
    """Signal receiver: what a publication hides, its threshold or date changed."""
    if isinstance(instance, ResultsPublication):
        survey_results_invalidate(instance.survey_id)


def _cache_key(survey_id: int, version: int, breakdown: str | None) -> str:
    return (
        f"survey-results:{FORMAT_VERSION}:{survey_id}:{version}:{get_language()}:{breakdown or ''}"
    )


def _allowed_breakdowns(survey: Survey, version: int) -> set[str]:
    key = f"survey-results-breakdowns:{survey.pk}:{version}"
    allowed = cache.get(key)
    if allowed is None:
        allowed = {
            *Question.objects.filter(survey=survey, is_breakdown=True, kind__in=BREAKDOWN_KINDS)
            .exclude(pk__in=_hidden_questions(survey).values("question_id"))
            .values_list("code", flat=True),
            CHANNEL_BREAKDOWN,
        }
        cache.set(key, allowed, timeout=settings.SURVEY_RESULTS_CACHE_SECONDS)
    return allowed


def survey_results(*, survey: Survey, breakdown: str | None = None) -> SurveyResults:
    """The results of a survey, optionally broken down by a question code or the channel.

    Hidden questions are included but flagged; pages for the public use
    ``public_sections()``. An unknown breakdown, or one by a question staff did not
    publish, is ignored.
    """
    version = named_version(_version_name(survey.pk))  # one query, the same on every server
    if breakdown and breakdown not in _allowed_breakdowns(survey, version):
        # Unknown values never reach the cache key: no cache flooding, no odd characters.
        breakdown = None
    key = _cache_key(survey.pk, version, breakdown)
    results = cache.get(key)
    if results is None:
        results = compute_results(survey=survey, breakdown=breakdown)
        cache.set(key, results, timeout=settings.SURVEY_RESULTS_CACHE_SECONDS)
    return results


# --- Computation -----------------------------------------------------------------------------


def _hidden_questions(survey: Survey) -> QuerySet:
    return ResultsPublication.hidden_questions.through.objects.filter(
        resultspublication__survey=survey
    )


def _grouped(queryset: QuerySet, breakdown, path: str) -> QuerySet:
    """Annotate ``g``: the group of the row's response (option id, channel or a constant)."""
    prefix = f"{path}__" if path else ""
    if isinstance(breakdown, Question):
        return queryset.annotate(
            breakdown_answer=FilteredRelation(
                f"{prefix}answers", condition=Q(**{f"{prefix}answers__question": breakdown})
            )
        ).annotate(g=F("breakdown_answer__option_id"))
    if breakdown == CHANNEL_BREAKDOWN:
        return queryset.annotate(g=F(f"{prefix}channel"))
    return queryset.annotate(g=Value(TOTAL))


def _group_key(value) -> str:
    return NO_ANSWER if value is None else str(value)


def _targets(column_of: dict[str, int], group) -> tuple[int, ...]:
    """The columns a group's count goes to: always the total (0), and its own column if it
    has one (small groups without a column count only in the total)."""
    column = column_of.get(_group_key(group))
    return (0, column) if column else (0,)


# --- Tallies: counted answers per breakdown group, kept in the database -------------------
#
# Counting two million answer rows per page view (joined to each response's breakdown
# answer) takes about a second. Instead every response is counted once into ``ResultTally``
# rows (per breakdown: per group, question, option, item and number), and a page adds up
# those few thousand rows. Responses are counted the next time results are computed after
# they arrive ("folds", serialised per survey by a row lock); the tallies are counted again
# from scratch when the breakdown questions change or responses were deleted.
# Answers are written once together with their response (questionnaire, paper entry,
# generators) and never changed afterwards in anything that is counted.


# Responses counted in one run (about 20 answer rows each).
TALLY_RUN = 10_000


def _dimension_key(dimension) -> str:
    if isinstance(dimension, Question):
        return f"q{dimension.pk}"
    return dimension or ""


def _tally_dimensions(questions) -> list:
    return [None, CHANNEL_BREAKDOWN, *breakdown_questions(questions)]


def _signature(dimensions) -> str:
    return ",".join(_dimension_key(d) or "-" for d in dimensions)


def survey_results_tally(*, survey: Survey) -> None:
    """Count responses that arrived into the tallies now, e.g. after a bulk import, so that
    the next results page need not (it would do the same by itself)."""
    _tallies_update(survey=survey, questions=list(Question.objects.filter(survey=survey)))


def _tallies_update(*, survey: Survey, questions) -> datetime.date | None:
    """Count responses not counted yet into the survey's tallies; returns the last day a
    response arrived. One query when nothing is new."""
    dimensions = _tally_dimensions(questions)
    signature = _signature(dimensions)
    responses = Response.objects.filter(survey=OuterRef("pk"))
    state = (
        Survey.objects.filter(pk=survey.pk)
        .annotate(
            last=Subquery(responses.order_by("-submitted_on").values("submitted_on")[:1]),
            pending=Exists(responses.filter(tallied__isnull=True)),
            counted=Subquery(
                responses.filter(tallied=True).values("survey").annotate(n=Count("pk")).values("n")
            ),
            signature=Subquery(
                ResultTallyState.objects.filter(survey=OuterRef("pk")).values("dimensions")
            ),
            tallied=Subquery(
                ResultTallyState.objects.filter(survey=OuterRef("pk")).values("responses")
            ),
        )
        .values("last", "pending", "counted", "signature", "tallied")
        .get()
    )
    current = state["signature"] == signature and (state["counted"] or 0) == (state["tallied"] or 0)
    if not current or state["pending"]:
        several = [q.pk for q in questions if q.kind == QuestionKind.MULTIPLE]
        # In runs of at most TALLY_RUN responses, each committed on its own: a large backlog
        # (a bulk import) makes progress even if a worker is stopped by its timeout.
        runs = 1
        while (
            _tallies_fold(
                survey=survey, dimensions=dimensions, signature=signature, several=several
            )
            == TALLY_RUN
        ):
            runs += 1
        if runs > 1:
            # Many responses changed from "not counted" to "counted": tell the query planner,
            # or it keeps expecting them all to be new and scans every answer in the next
            # run instead of looking up the few new ones.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Response._meta.db_table)}")
    return state["last"]


@transaction.atomic
def _tallies_fold(*, survey: Survey, dimensions, signature: str, several: list[int]) -> int:
    state, _created = ResultTallyState.objects.select_for_update().get_or_create(
        survey=survey, defaults={"dimensions": signature}
    )
    responses = Response.objects.filter(survey=survey)
    counted = responses.filter(tallied=True).count()
    if state.dimensions != signature or state.responses != counted:
        # Breakdowns changed or responses were deleted: count everything again.
        ResultTally.objects.filter(survey=survey).delete()
        responses.filter(tallied=True).update(tallied=None)
        state.dimensions, state.responses = signature, 0
    # Claim the responses that arrived so far (False), count exactly those, mark them
    # counted; responses arriving meanwhile stay empty for the next run.
    waiting = responses.filter(tallied__isnull=True).order_by().values("pk")[:TALLY_RUN]
    new = responses.filter(pk__in=waiting).update(tallied=False)
    if new:
        _tallies_add(survey=survey, dimensions=dimensions, several=several)
        responses.filter(tallied=False).update(tallied=True)
    state.folds += 1
    state.responses += new
    state.save()
    return new


def _tallies_add(*, survey: Survey, dimensions, several: list[int]) -> None:
    """Add the responses of one fold to the tallies: three grouped queries (responses,
    answer rows, multiple-choice respondents), each over every breakdown at once."""
    responses = Response.objects.filter(survey=survey, tallied=False)
    answers = Answer.objects.filter(response__survey=survey, response__tallied=False)

    def per_dimension(queryset, path: str, fields: list[str], n) -> QuerySet:
        parts = [
            _grouped(queryset, dimension, path)
            .annotate(d=Value(_dimension_key(dimension)), group=Cast("g", CharField()))
            .values("d", "group", *fields)
            .annotate(n=n)
            .order_by()
            for dimension in dimensions
        ]
        return parts[0].union(*parts[1:], all=True)

    added: dict[tuple, int] = defaultdict(int)
    for row in per_dimension(responses, "", [], Count("id")):
        added[(row["d"], _group_key(row["group"]), None, None, None, None, False)] += row["n"]
    rows = per_dimension(
        answers, "response", ["question_id", "option_id", "item_id", "number"], Count("id")
    )
    for row in rows:
        fields = (row["question_id"], row["option_id"], row["item_id"], row["number"])
        added[(row["d"], _group_key(row["group"]), *fields, False)] += row["n"]
    if several:
        rows = per_dimension(
            answers.filter(question_id__in=several),
            "response",
            ["question_id"],
            Count("response_id", distinct=True),
        )
        for row in rows:
            group = _group_key(row["group"])
            added[(row["d"], group, row["question_id"], None, None, None, True)] += row["n"]
    # Rewrite the survey's few thousand rows: a fixed number of queries, whatever changed.
    fields = ("dimension", "group", "question_id", "option_id", "item_id", "number", "respondents")
    for *key, n in ResultTally.objects.filter(survey=survey).values_list(*fields, "n"):
        added[tuple(key)] += n
    ResultTally.objects.filter(survey=survey).delete()
    ResultTally.objects.bulk_create(
        ResultTally(survey=survey, n=n, **dict(zip(fields, key, strict=True)))
        for key, n in added.items()
    )


def compute_results(*, survey: Survey, breakdown: str | None = None) -> SurveyResults:
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related(
            Prefetch("options", queryset=Option.objects.select_related("municipality")),
            "items",
            "themes",
            Prefetch("quotes", queryset=Quote.objects.filter(is_released=True)),
        )
        .order_by("section__position", "section_id", "position", "id")
    )
    # The publication's threshold and the questions it keeps internal, in one query.
    threshold = min_group_size()
    hidden = set()
    for size, question_id in ResultsPublication.objects.filter(survey=survey).values_list(
        "min_group_size", "hidden_questions"
    ):
        threshold = size or threshold
        if question_id is not None:
            hidden.add(question_id)
    dimension: Question | str | None = None
    breakdown_label = ""
    if breakdown == CHANNEL_BREAKDOWN:
        dimension = CHANNEL_BREAKDOWN
        breakdown_label = gettext("Channel (online or paper)")
    else:
        for question in breakdown_questions(questions):
            if question.code == breakdown and question.pk not in hidden:
                dimension = question
                breakdown_label = question.breakdown_label or question.text
    if dimension is None:
        breakdown = None

    # 1. Bring the tallies up to date (counts new responses only) and read them: group
    #    sizes, channels, every option, matrix cell, scale value and number per group, and
    #    the people who answered each multiple-choice question.
    last_day = _tallies_update(survey=survey, questions=questions)
    dimension_key = _dimension_key(dimension)
    sizes: dict[str, int] = defaultdict(int)
    channels: dict[str, int] = defaultdict(int)
    tallies = list(
        ResultTally.objects.filter(
            survey=survey, dimension__in={"", CHANNEL_BREAKDOWN, dimension_key}
        ).values_list(
            "dimension",
            "group",
            "question_id",
            "option_id",
            "item_id",
            "number",
            "respondents",
            "n",
        )
    )
    for dim, group, question_id, _option, _item, _number, _respondents, n in tallies:
        if question_id is None:
            if dim == dimension_key:
                sizes[group] += n
            if dim == CHANNEL_BREAKDOWN:
                channels[group] += n
    total = sum(sizes.values())

    columns, column_of, merged, suppressed = _columns(dimension, sizes, total, threshold)

    counts: dict[tuple, int] = defaultdict(int)
    respondents: dict[tuple, int] = defaultdict(int)
    for dim, group, question_id, option_id, item_id, number, people, n in tallies:
        if dim != dimension_key or question_id is None:
            continue
        for c in _targets(column_of, group):
            if people:
                respondents[(c, question_id, None)] += n
            else:
                counts[(c, question_id, option_id, item_id, number)] += n
    # 2. Theme codings of free-text answers, counted live (staff change them any time).
    text_ids = [q.pk for q in questions if q.is_text]
    codings = _grouped(
        AnswerTheme.objects.filter(answer__question_id__in=text_ids), dimension, "answer__response"
    )
    theme_counts: dict[tuple, int] = defaultdict(int)
    for row in codings.values("g", "theme_id").annotate(n=Count("id")).order_by():
        for c in _targets(column_of, row["g"]):
            theme_counts[(c, row["theme_id"])] += row["n"]
    coded: dict[tuple, int] = defaultdict(int)
    for row in (
        codings.values("g", "answer__question_id")
        .annotate(n=Count("answer_id", distinct=True))
        .order_by()
    ):
        for c in _targets(column_of, row["g"]):
            coded[(c, row["answer__question_id"])] += row["n"]

    ncols = len(columns)
    sections: dict[int, SectionResult] = {}
    municipality_question = None
    # A cross of two breakdown questions (municipality × age group) is published from one
    # side only: the breakdown by the earlier question. Published from both sides, the
    # cells withheld on one side could be read off the other.
    plain = set()
    if isinstance(dimension, Question):
        for question in breakdown_questions(questions):
            plain.add(question.pk)
            if question.pk == dimension.pk:
                break
    for question in questions:
        result = _question_result(
            question, ncols, counts, respondents, theme_counts, coded, threshold
        )
        result.is_hidden = question.pk in hidden
        result.crossed = ncols > 1 and question.pk not in plain
        _protect(result, threshold, [column.n for column in columns])
        section = sections.setdefault(
            question.section_id, SectionResult(question.section_id, question.section.title, [])
        )
        section.questions.append(result)
        if (
            municipality_question is None
            and question.pk not in hidden
            and any(o.municipality for o in question.options.all())
        ):
            municipality_question = question

    by_municipality = []
    if municipality_question is not None:
        for option in municipality_question.options.all():
            count = counts.get((0, municipality_question.pk, option.pk, None, None), 0)
            by_municipality.append(
                ParticipationRow(
                    option.label,
                    count,
                    _share(count, total),
                    option.municipality.population if option.municipality else None,
                    option.municipality_id,
                )
            )
    by_channel = [
        ParticipationRow(str(label), channels.get(value, 0), _share(channels.get(value, 0), total))
        for value, label in Channel.choices
    ]
    return SurveyResults(
        survey_id=survey.pk,
        total=total,
        breakdown=breakdown,
        breakdown_label=breakdown_label,
        columns=columns,
        merged_groups=merged,
        suppressed=suppressed,
        by_channel=by_channel,
        by_municipality=by_municipality,
        municipality_question_id=municipality_question.pk if municipality_question else None,
        sections=list(sections.values()),
        last_response_on=last_day,
        min_group_size=threshold,
        breakdown_choices=_breakdown_choices(questions, hidden),
    )


def _share(count: int, total: int) -> Decimal | None:
    return round_half_up(count * 100, total)


def _protect(result: QuestionResult, threshold: int, sizes: list[int]) -> None:
    """Disclosure control of one question (see ``survey.results_disclosure``).

    No percentage and no mean on a base under the threshold, anywhere. In a breakdown every
    figure from which someone could learn a count from 1 to threshold - 1 of a group is
    withheld, and so is every figure from which one could be worked out. The published
    group sizes make two more counts of every group column public: the people who did not
    answer (group size − base) and, with several answers per person, those who did not
    choose an answer (base − count). They count as cells too, and so does "all but fewer
    than threshold members of the group gave this answer" (group size − count), which
    tells everyone's answer. A base that would give away a small "no answer" count is
    withheld together with the percentages of its column. If no pattern protects a table,
    the question is shown without breakdown.
    """
    tables = [(result.rows or result.themes, result.means, result.bases)]
    owners = [result]
    if result.items:
        tables = [(item.rows, item.means, item.bases) for item in result.items]
        owners = list(result.items)
    for rows, means, bases in tables:
        for row in rows:
            for cell in row.cells:
                cell.min_base = threshold
        if means and bases[0] < threshold and means[0].value is not None:
            means[0].value, means[0].suppressed = None, True
    _hide_summary_of_withheld_mean(result)
    if not result.crossed:
        return
    groups = sizes[1:]

    def sensitive(count: int, column: int, base: int | None = None) -> bool:
        # A small count, nearly the whole group, or (several answers per person) nearly
        # all who answered: base − count did not choose the answer.
        return (
            0 < count < threshold
            or (count > 0 and groups[column] - count < threshold)
            or (base is not None and 0 < base - count < threshold)
        )

    def withhold(table: list[list[int]], *, add_up: bool, bases=None) -> set | None:
        """The cells of ``table`` to withhold (primary and secondary); None when no pattern
        protects them. ``bases``: per column, the published base to check "not chosen"."""
        primary = {
            (r, c)
            for r, line in enumerate(table)
            for c, count in enumerate(line)
            if sensitive(count, c, bases[c] if bases else None)
        }
        return suppressed_cells(
            table, threshold=threshold, columns_add_up=add_up, sensitive=primary
        )

    # One answer per person: the answers of a group add up to its base.
    columns_add_up = result.kind in (*BREAKDOWN_KINDS, QuestionKind.SCALE, QuestionKind.MATRIX)
    any_hidden = [False] * len(groups)
    for owner, (rows, means, bases) in zip(owners, tables, strict=True):
        counts = [[cell.count for cell in row.cells[1:]] for row in rows]
        no_answer = [groups[c] - bases[c + 1] for c in range(len(groups))]
        if columns_add_up:
            # The "no answer" row joins the table: its rows and columns (the group sizes)
            # then all add up to published totals.
            withheld = withhold([*counts, no_answer], add_up=True)
            if withheld is None:
                result.crossed = False
                return
            hidden_bases = {c for r, c in withheld if r == len(rows)}
            withheld = {(r, c) for r, c in withheld if r < len(rows)}
        else:
            # The bases first: the "no answer" counts add up to that of the total.
            hidden = withhold([no_answer], add_up=False)
            if hidden is None:
                result.crossed = False
                return
            hidden_bases = {c for _r, c in hidden}
            shown = [None if c in hidden_bases else n for c, n in enumerate(bases[1:])]
            withheld = withhold(counts, add_up=False, bases=shown)
            if withheld is None:
                result.crossed = False
                return
        for r, c in withheld:
            rows[r].cells[c + 1].suppressed = True
        for c in hidden_bases:
            any_hidden[c] = True
            for row in rows:
                row.cells[c + 1].base_withheld = True
        owner.bases_withheld = [False] + [c in hidden_bases for c in range(len(groups))]
        for c, mean in enumerate(means[1:], start=1):
            if (
                bases[c] < threshold
                or c - 1 in hidden_bases
                or any(column == c - 1 for _r, column in withheld)
            ):
                mean.value, mean.suppressed = None, True
                mean.n_withheld = c - 1 in hidden_bases
    if result.items:
        # "Answered (n)" of a matrix is its largest item base: withheld wherever one is.
        result.bases_withheld = [False, *any_hidden]


def _hide_summary_of_withheld_mean(result: QuestionResult) -> None:
    """The one-line summary (also shown on topic pages) never quotes a withheld mean."""
    if (result.is_scale or result.is_number) and result.means and result.means[0].suppressed:
        result.summary = ""
    if result.is_matrix and any(item.means[0].suppressed for item in result.items):
        result.summary = ""


def _columns(dimension, sizes: dict[str, int], total: int, threshold: int):
    """Columns of a breakdown: the total, every group large enough, and "others".

    Groups below the threshold (and people who did not answer the breakdown question) are
    merged into "others". If "others" itself stays below the threshold, the smallest shown
    groups join it until it is large enough, so no small group can be worked out by
    subtracting the shown groups from the total.
    """
    columns = [Column(TOTAL, gettext("All"), total)]
    column_of: dict[str, int] = {}
    if dimension is None:
        return columns, {TOTAL: 0}, [], False
    if isinstance(dimension, Question):
        groups = [(str(o.pk), o.label) for o in dimension.options.all()]
    else:
        groups = [(value, str(label)) for value, label in Channel.choices]
    groups.append((NO_ANSWER, gettext("no answer")))
    shown = [(k, label) for k, label in groups if k != NO_ANSWER and sizes.get(k, 0) >= threshold]
    rest = [(k, label) for k, label in groups if (k, label) not in shown and sizes.get(k, 0)]
    while shown and 0 < sum(sizes.get(k, 0) for k, _ in rest) < threshold:
        smallest = min(shown, key=lambda group: sizes.get(group[0], 0))
        shown.remove(smallest)
        rest.append(smallest)
    # Now "others" is empty or large enough, unless no group is left to show.
    if not shown or (len(shown) == 1 and not rest):
        # Nothing can be shown on its own, or one group is everyone: no breakdown at all.
        return columns, {TOTAL: 0}, [label for _, label in rest], bool(rest)
    for key, label in shown:
        column_of[key] = len(columns)
        columns.append(Column(key, label, sizes.get(key, 0)))
    if rest:
        for key, _ in rest:
            column_of[key] = len(columns)
        columns.append(Column(OTHERS, gettext("Others"), sum(sizes.get(k, 0) for k, _ in rest)))
    return columns, column_of, [label for _, label in rest], False


def _question_result(
    question, ncols, counts, respondents, theme_counts, coded, threshold: int
) -> QuestionResult:
    qid = question.pk
    result = QuestionResult(
        id=qid,
        code=question.code,
        text=question.text,
        kind=question.kind,
        section_id=question.section_id,
        is_hidden=False,
        bases=[0] * ncols,
        scale_min_label=question.scale_min_label,
        scale_max_label=question.scale_max_label,
    )
    cols = range(ncols)

    def cells(key: tuple, bases: list[int]) -> list[Cell]:
        return [Cell(counts.get((c, qid, *key), 0), bases[c]) for c in cols]

    if question.is_choice:
        options = list(question.options.all())
        if question.kind == QuestionKind.MULTIPLE:
            result.bases = [respondents.get((c, qid, None), 0) for c in cols]
        else:
            result.bases = [
                sum(counts.get((c, qid, o.pk, None, None), 0) for o in options) for c in cols
            ]
        result.rows = [
            Row(
                option.label,
                [
                    Cell(counts.get((c, qid, option.pk, None, None), 0), result.bases[c])
                    for c in cols
                ],
                is_other=option.is_other,
            )
            for option in options
        ]
        if result.rows and result.base >= threshold:
            top = max(result.rows, key=lambda row: row.cells[0].count)
            result.summary = gettext("Most frequent answer: “%(label)s” (%(percent)s %%).") % {
                "label": top.label,
                "percent": _number(top.cells[0].percent),
            }
    elif question.kind == QuestionKind.SCALE:
        values = question.scale_values
        result.bases = [sum(counts.get((c, qid, None, None, v), 0) for v in values) for c in cols]
        result.rows = [
            Row(
                str(v),
                [Cell(counts.get((c, qid, None, None, v), 0), result.bases[c]) for c in cols],
                value=v,
            )
            for v in values
        ]
        result.rows[0].label = _scale_label(values[0], question.scale_min_label)
        result.rows[-1].label = _scale_label(values[-1], question.scale_max_label)
        result.means = [_mean(counts, (c, qid, None), values) for c in cols]
        result.summary = _scale_summary(question, result.means[0])
    elif question.kind == QuestionKind.MATRIX:
        values = question.scale_values
        for item in question.items.all():
            bases = [sum(counts.get((c, qid, None, item.pk, v), 0) for v in values) for c in cols]
            result.items.append(
                ItemResult(
                    item.label,
                    bases,
                    [
                        Row(
                            _scale_label(v, _end_label(question, v)),
                            [
                                Cell(counts.get((c, qid, None, item.pk, v), 0), bases[c])
                                for c in cols
                            ],
                            value=v,
                        )
                        for v in values
                    ],
                    [_mean(counts, (c, qid, item.pk), values) for c in cols],
                )
            )
        result.bases = [max((i.bases[c] for i in result.items), default=0) for c in cols]
        rated = [item for item in result.items if item.means[0].value is not None]
        if rated:
            best = max(rated, key=lambda item: item.means[0].value)
            result.summary = gettext(
                "Rated highest: “%(label)s” (mean %(mean)s on a scale from %(low)s to %(high)s)."
            ) % {
                "label": best.label,
                "mean": _number(best.means[0].value),
                "low": question.scale_min,
                "high": question.scale_max,
            }
    elif question.kind == QuestionKind.NUMBER:
        numbers = {
            key[4]: n
            for key, n in counts.items()
            if key[1] == qid and key[0] == 0 and key[4] is not None
        }
        values = sorted(numbers)
        result.bases = [
            sum(n for key, n in counts.items() if key[0] == c and key[1] == qid) for c in cols
        ]
        result.means = [_mean(counts, (c, qid, None), values) for c in cols]
        if values:
            # The smallest and the largest answer are one person's answer each (the oldest
            # resident, the largest household): published only when at least threshold
            # people gave it.
            if numbers[values[0]] >= threshold:
                result.minimum = values[0]
            if numbers[values[-1]] >= threshold:
                result.maximum = values[-1]
            figures = {
                "mean": _number(result.means[0].value),
                "minimum": result.minimum,
                "maximum": result.maximum,
            }
            if result.minimum is not None and result.maximum is not None:
                result.summary = (
                    gettext("On average %(mean)s (from %(minimum)s to %(maximum)s).") % figures
                )
            else:
                result.summary = gettext("On average %(mean)s.") % figures
    else:
        result.bases = [counts.get((c, qid, None, None, None), 0) for c in cols]
        result.coded = [coded.get((c, qid), 0) for c in cols]
        result.themes = [
            Row(
                theme.label,
                [Cell(theme_counts.get((c, theme.pk), 0), result.bases[c]) for c in cols],
            )
            for theme in question.themes.all()
        ]
        result.themes.sort(key=lambda row: -row.cells[0].count)
        result.quotes = [quote.text for quote in question.quotes.all()]
        if result.themes and result.themes[0].cells[0].count:
            top = result.themes[0]
            result.summary = ngettext(
                "Mentioned most often: “%(label)s” (%(count)s mention).",
                "Mentioned most often: “%(label)s” (%(count)s mentions).",
                top.cells[0].count,
            ) % {"label": top.label, "count": top.cells[0].count}
    return result


def _scale_label(value: int, label: str) -> str:
    return f"{value} – {label}" if label else str(value)


def _end_label(question, value: int) -> str:
    if value == question.scale_min:
        return question.scale_min_label
    if value == question.scale_max:
        return question.scale_max_label
    return ""


def _mean(counts, prefix: tuple, values) -> Mean:
    col, qid, item = prefix
    n = 0
    weighted = 0
    for v in values:
        count = counts.get((col, qid, None, item, v), 0)
        n += count
        weighted += count * v
    low, high = (values[0], values[-1]) if values else (0, 0)
    return Mean(round_half_up(weighted, n), n, low, high)


def _scale_summary(question, mean: Mean) -> str:
    if mean.value is None:
        return ""
    return gettext("Mean %(mean)s on a scale from %(low)s to %(high)s.") % {
        "mean": _number(mean.value),
        "low": _scale_label(question.scale_min, question.scale_min_label),
        "high": _scale_label(question.scale_max, question.scale_max_label),
    }


# --- Smaller reads ---------------------------------------------------------------------------


def publication_for(*, survey: Survey) -> ResultsPublication | None:
    return ResultsPublication.objects.filter(survey=survey).select_related("published_by").first()


def results_as_of(*, survey: Survey, publication: ResultsPublication | None) -> datetime.date:
    """The day the published figures refer to ("Stand"): the day staff set, else the day the
    survey closed. Never later than the day the results were published (today in a
    preview): a survey that staff closed early still has its planned end in the future."""
    published_at = publication.published_at if publication else None
    latest = timezone.localdate(published_at) if published_at else timezone.localdate()
    day = (publication.data_as_of if publication else None) or timezone.localdate(survey.closes_at)
    return min(day, latest)


def results_are_public(*, survey: Survey) -> bool:
    return survey.status == SurveyStatus.PUBLISHED
