"""Tallies: the survey's answers counted per breakdown group, kept in the database.

Counting two million answer rows per page view (joined to each response's breakdown
answer) takes about a second. Instead every response is counted once into ``ResultTally``
rows (per breakdown: per group, question, option, item and number), and a results
computation adds up those few thousand rows. Answers are written once together with their
response (questionnaire, paper entry, generators) and never changed afterwards in anything
that is counted.

The contract of the one writer, ``tallies_update``:

- It counts the responses not counted yet ("a fold", serialised per survey by a row lock
  on ``ResultTallyState``, in runs of at most ``TALLY_RUN`` responses, each committed on
  its own), and everything again from scratch when the breakdown questions changed or
  responses were deleted. When nothing changed it is one read query and writes nothing.
- It is called where responses are known to have arrived in bulk or to be complete:
  ``survey_results_tally`` after an import (``generate_responses``, the benchmark) and when
  results are published (``results_publish``), so that public results pages only read.
- ``compute_results`` calls it as well before it reads the tallies, as a catch-up: a
  response must show on the next results page at once (its arrival changes the results
  version), and counting at every submission instead would put the row lock and a rewrite
  of the survey's tallies into every submission. So a GET writes only when responses
  arrived since the last fold (the staff preview while a survey runs), responses were
  deleted or the breakdowns changed, and then a fixed number of queries however many.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear

from survey.kinds import kind_of
from survey.models import (
    Answer,
    Question,
    Response,
    ResultTally,
    ResultTallyState,
    Survey,
)
from survey.results.dimensions import (
    CHANNEL_BREAKDOWN,
    Dimension,
    breakdown_questions,
    dimension_key,
    group_key,
    grouped,
)

# Responses counted in one run (about 20 answer rows each).
TALLY_RUN = 10_000
# The fields that identify a tally row of a survey.
KEY_FIELDS = ("dimension", "group", "question_pk", "option_pk", "item_pk", "number", "respondents")


def _tally_dimensions(questions) -> list:
    return [None, CHANNEL_BREAKDOWN, *breakdown_questions(questions)]


def _signature(dimensions) -> str:
    return ",".join(dimension_key(d) or "-" for d in dimensions)


def survey_results_tally(*, survey: Survey) -> None:
    """Count responses that arrived into the tallies now, e.g. after a bulk import or when
    results are published, so that the next results page need not (it would do the same
    by itself)."""
    tallies_update(survey=survey, questions=list(Question.objects.filter(survey=survey)))


def _tally_state(*, survey: Survey) -> dict:
    """In one query: the last day a response arrived, whether some wait to be counted, how
    many are counted, and what the tally state says it counted."""
    responses = Response.objects.filter(survey=OuterRef("pk"))
    states = ResultTallyState.objects.filter(survey=OuterRef("pk"))
    return (
        Survey.objects.filter(pk=survey.pk)
        .annotate(
            last=Subquery(responses.order_by("-submitted_on").values("submitted_on")[:1]),
            pending=Exists(responses.filter(tallied__isnull=True)),
            counted=Subquery(
                responses.filter(tallied=True).values("survey").annotate(n=Count("pk")).values("n")
            ),
            signature=Subquery(states.values("dimensions")),
            tallied=Subquery(states.values("responses")),
        )
        .values("last", "pending", "counted", "signature", "tallied")
        .get()
    )


def tallies_update(*, survey: Survey, questions) -> datetime.date | None:
    """Count responses not counted yet into the survey's tallies (see the module's
    contract); returns the last day a response arrived. One query when nothing is new."""
    dimensions = _tally_dimensions(questions)
    signature = _signature(dimensions)
    state = _tally_state(survey=survey)
    current = state["signature"] == signature and (state["counted"] or 0) == (state["tallied"] or 0)
    if not current or state["pending"]:
        several = [q.pk for q in questions if kind_of(q).counts_respondents]
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
    # A date is counted by its month (YYYYMM) in the number (``survey.kinds.date``).
    answers = Answer.objects.filter(response__survey=survey, response__tallied=False).annotate(
        tally_number=Coalesce("number", ExtractYear("date") * 100 + ExtractMonth("date"))
    )

    def per_dimension(queryset, path: str, fields: list[str], n) -> QuerySet:
        parts = [
            grouped(queryset, dimension, path)
            .annotate(d=Value(dimension_key(dimension)), group=Cast("g", CharField()))
            .values("d", "group", *fields)
            .annotate(n=n)
            .order_by()
            for dimension in dimensions
        ]
        return parts[0].union(*parts[1:], all=True)

    added: dict[tuple, int] = defaultdict(int)
    for row in per_dimension(responses, "", [], Count("id")):
        added[(row["d"], group_key(row["group"]), None, None, None, None, False)] += row["n"]
    rows = per_dimension(
        answers, "response", ["question_id", "option_id", "item_id", "tally_number"], Count("id")
    )
    for row in rows:
        fields = (row["question_id"], row["option_id"], row["item_id"], row["tally_number"])
        added[(row["d"], group_key(row["group"]), *fields, False)] += row["n"]
    if several:
        rows = per_dimension(
            answers.filter(question_id__in=several),
            "response",
            ["question_id"],
            Count("response_id", distinct=True),
        )
        for row in rows:
            group = group_key(row["group"])
            added[(row["d"], group, row["question_id"], None, None, None, True)] += row["n"]
    # Rewrite the survey's few thousand rows: a fixed number of queries, whatever changed.
    for *key, n in ResultTally.objects.filter(survey=survey).values_list(*KEY_FIELDS, "n"):
        added[tuple(key)] += n
    ResultTally.objects.filter(survey=survey).delete()
    ResultTally.objects.bulk_create(
        ResultTally(survey=survey, n=n, **dict(zip(KEY_FIELDS, key, strict=True)))
        for key, n in added.items()
    )


@dataclass
class Tallied:
    """What the tallies say for one dimension: the responses per group (``sizes``) and per
    channel, and the counted answers per group: (group, question, option, item, number,
    respondents, n) with respondents True for the people who answered a multiple-choice
    question, False for answer rows."""

    sizes: dict[str, int]
    channels: dict[str, int]
    answers: list[tuple]


def tallies_read(*, survey: Survey, dimension: Dimension) -> Tallied:
    """The tallies of the survey for ``dimension``, in one query (no writes)."""
    key = dimension_key(dimension)
    rows = ResultTally.objects.filter(
        survey=survey, dimension__in={"", CHANNEL_BREAKDOWN, key}
    ).values_list(*KEY_FIELDS, "n")
    tallied = Tallied(sizes=defaultdict(int), channels=defaultdict(int), answers=[])
    for dim, group, question, option, item, number, respondents, n in rows:
        if question is not None:
            if dim == key:
                tallied.answers.append((group, question, option, item, number, respondents, n))
            continue
        if dim == key:
            tallied.sizes[group] += n
        if dim == CHANNEL_BREAKDOWN:
            tallied.channels[group] += n
    return tallied
