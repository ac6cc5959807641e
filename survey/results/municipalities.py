"""Participation per municipality: which question asks where people live, and its rows.

Shared by the results (counted from the tallies, on the public page, the municipality pages
and the CSV) and the response monitoring (counted live while the survey runs), so both
always name the same question and show the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from survey.models import Option
from survey.results.shapes import ParticipationRow, share

# Options in questionnaire order: page, question, then the options of each question.
OPTION_ORDER = (
    "question__section__position",
    "question__section_id",
    "question__position",
    "question_id",
    "position",
    "id",
)


def municipality_question_id(
    options: Iterable[Option], *, hidden: Iterable[int] = ()
) -> int | None:
    """The question that asks where people live: the first, in questionnaire order, with an
    option naming a municipality, leaving out the questions in ``hidden`` (kept internal).
    ``options`` come in questionnaire order."""
    hidden = set(hidden)
    return next(
        (
            option.question_id
            for option in options
            if option.municipality_id is not None and option.question_id not in hidden
        ),
        None,
    )


def participation_rows(
    options: Iterable[Option], counts: Mapping[int, int], total: int
) -> list[ParticipationRow]:
    """One row per option (``counts``: responses per option id), with the municipality's
    population for the rate per 1,000 inhabitants."""
    rows = []
    for option in options:
        count = counts.get(option.pk, 0)
        municipality = option.municipality
        rows.append(
            ParticipationRow(
                option.label,
                count,
                share(count, total),
                municipality.population if municipality else None,
                option.municipality_id,
            )
        )
    return rows
