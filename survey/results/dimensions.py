"""Breakdown dimensions: what results can be broken down by, and how a response's group in
a dimension is found in a query.

A dimension is ``None`` (no breakdown: every response in the group ``TOTAL``), the channel
(``CHANNEL_BREAKDOWN``) or a breakdown question (the group is the option chosen, or
``NO_ANSWER``).
"""

from __future__ import annotations

from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.utils.translation import gettext

from survey.kinds import kind_of
from survey.models import Question

CHANNEL_BREAKDOWN = "kanal"
TOTAL = "total"
OTHERS = "others"
NO_ANSWER = "none"

Dimension = Question | str | None


def breakdown_questions(questions) -> list[Question]:
    """The breakdown questions whose kind allows one (one option per person)."""
    return [q for q in questions if q.is_breakdown and kind_of(q).can_break_down]


def breakdown_choices(questions, hidden: set[int]) -> list[tuple[str, str]]:
    """The dimensions visitors can break the results down by: (GET value, label); never a
    question staff did not publish."""
    choices = [
        (q.code, q.breakdown_label or q.text)
        for q in breakdown_questions(questions)
        if q.pk not in hidden
    ]
    return [*choices, (CHANNEL_BREAKDOWN, gettext("Channel (online or paper)"))]


def dimension_for(questions, breakdown: str | None, hidden: set[int]) -> tuple[Dimension, str]:
    """The dimension a GET value asks for and its label; (None, "") for no breakdown, an
    unknown value or a question staff did not publish."""
    if breakdown == CHANNEL_BREAKDOWN:
        return CHANNEL_BREAKDOWN, gettext("Channel (online or paper)")
    dimension, label = None, ""
    for question in breakdown_questions(questions):
        if question.code == breakdown and question.pk not in hidden:
            dimension, label = question, question.breakdown_label or question.text
    return dimension, label


def dimension_key(dimension: Dimension) -> str:
    """How the tallies name a dimension: "" (all responses), "kanal" or "q<question id>"."""
    if isinstance(dimension, Question):
        return f"q{dimension.pk}"
    return dimension or ""


def grouped(queryset: QuerySet, dimension: Dimension, path: str) -> QuerySet:
    """Annotate ``g``: the group of the row's response (option id, channel or a constant);
    ``path`` leads from the queryset's rows to the response ("" for responses)."""
    prefix = f"{path}__" if path else ""
    if isinstance(dimension, Question):
        return queryset.annotate(
            breakdown_answer=FilteredRelation(
                f"{prefix}answers", condition=Q(**{f"{prefix}answers__question": dimension})
            )
        ).annotate(g=F("breakdown_answer__option_id"))
    if dimension == CHANNEL_BREAKDOWN:
        return queryset.annotate(g=F(f"{prefix}channel"))
    return queryset.annotate(g=Value(TOTAL))


def group_key(value) -> str:
    return NO_ANSWER if value is None else str(value)
