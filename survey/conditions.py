"""Display conditions: when a page or question is shown.

A page or question may carry the simple condition of earlier releases (``condition_question``
answered with one of ``condition_options``) and any number of ``Condition`` rows; they
are all ``Rule`` objects here, combined by the element's ``condition_mode`` (AND/OR).

What a rule compares are the *facts* of the answers given so far: question id → the values
its kind reports (``condition_values``: option ids, a number, 1/0 for yes/no). The server
decides with these facts alone; the script on the page (static/js/survey-conditions.js)
only mirrors the decision for questions whose condition refers to an answer on the same
page, and without it every question of the page is shown and the server drops the answers
to those whose condition does not hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from survey.kinds import kind_of
from survey.kinds.yes_no import yes_no_labels
from survey.models import ConditionMode, ConditionOperator, Question, QuestionKind, Section

Facts = Mapping[int, Iterable[int]]


@dataclass(frozen=True)
class Rule:
    """One condition: the answer to ``source_id`` compared by ``operator`` with options or
    a number."""

    source_id: int
    operator: str
    option_ids: frozenset[int] = frozenset()
    value: int | None = None

    def holds(self, facts: Facts) -> bool:
        values = list(facts.get(self.source_id, ()))
        if self.operator in (ConditionOperator.EQUALS, ConditionOperator.ONE_OF):
            if self.option_ids:
                return bool(set(values) & self.option_ids)
            return self.value is not None and self.value in values
        if self.value is None:
            return False
        if self.operator == ConditionOperator.GREATER:
            return any(v > self.value for v in values)
        if self.operator == ConditionOperator.LESS:
            return any(v < self.value for v in values)
        return False

    def as_json(self, field: str) -> dict:
        """The rule for the script: the form field named ``field`` answers the source."""
        return {
            "field": field,
            "op": str(self.operator),
            "options": sorted(self.option_ids),
            "value": self.value,
        }


def legacy_rule(element) -> Rule | None:
    """The simple condition of the element, if any (``condition_option_ids`` as loaded by
    ``survey_definition``)."""
    if element.condition_question_id is None:
        return None
    return Rule(
        element.condition_question_id,
        ConditionOperator.ONE_OF,
        frozenset(getattr(element, "condition_option_ids", frozenset())),
    )


def rules_of(element) -> list[Rule]:
    """Every rule of a page or question: ``condition_rules`` as loaded by
    ``survey_definition``, else the simple condition alone."""
    rules = getattr(element, "condition_rules", None)
    if rules is not None:
        return rules
    legacy = legacy_rule(element)
    return [legacy] if legacy else []


def is_shown(element: Section | Question, facts: Facts) -> bool:
    """Whether the page or question is shown, given the facts of the answers so far."""
    rules = rules_of(element)
    if not rules:
        return True
    if element.condition_mode == ConditionMode.ANY:
        return any(rule.holds(facts) for rule in rules)
    return all(rule.holds(facts) for rule in rules)


def depends_on(element, question_ids: Iterable[int]) -> bool:
    """Whether a rule of ``element`` refers to one of ``question_ids`` (the same page)."""
    ids = set(question_ids)
    return any(rule.source_id in ids for rule in rules_of(element))


def page_split(section: Section, facts: Facts) -> tuple[list[Question], frozenset[int]]:
    """The questions of a page to put in its form, and the ids of those hidden by answers
    on earlier pages. A question whose condition refers to the same page is in the form:
    the form decides it from the answers on the page (``SectionForm``)."""
    on_page = {q.pk for q in section.question_list}
    shown, hidden = [], set()
    for question in section.question_list:
        if depends_on(question, on_page) or is_shown(question, facts):
            shown.append(question)
        else:
            hidden.add(question.pk)
    return shown, frozenset(hidden)


def answer_facts(question: Question, data: dict) -> list[int] | None:
    """The facts a question's answer in cleaned ``data`` gives (None for a kind that no
    condition can refer to)."""
    kind = kind_of(question)
    if not kind.condition_operators:
        return None
    return kind.condition_values(question, data)


def stored_facts(rows: Iterable) -> list[int]:
    """The facts of one question's stored answer rows (``Answer`` or ``AnswerInput``): the
    option id where there is one, else the number; rows with neither add nothing."""
    return [
        row.option_id if row.option_id is not None else row.number
        for row in rows
        if row.option_id is not None or row.number is not None
    ]


def page_facts(questions: Iterable[Question], data: dict, facts: Facts) -> dict:
    """``facts`` with those of one page added, question by question; a question hidden by
    an answer before it on the page adds nothing."""
    known = dict(facts)
    for question in questions:
        if not is_shown(question, known):
            continue
        values = answer_facts(question, data)
        if values is not None:
            known[question.pk] = values
    return known


def script_condition(question: Question, facts: Facts, field_of: Mapping[int, str]) -> str:
    """The condition of a question that depends on its page, as JSON for the script: the
    rules on this page with the form field they read, the others already decided."""
    rules = []
    for rule in rules_of(question):
        if rule.source_id in field_of:
            rules.append(rule.as_json(field_of[rule.source_id]))
        else:
            rules.append({"fixed": rule.holds(facts)})
    return json.dumps({"mode": question.condition_mode, "rules": rules})


def _rule_text(rule: Rule, questions: Mapping[int, Question], option_labels: Mapping) -> str:
    source = questions.get(rule.source_id)
    code = source.code if source else "?"
    if rule.option_ids:
        answers = " / ".join(
            option_labels[pk] for pk in sorted(rule.option_ids) if pk in option_labels
        )
        return gettext("you chose “%(answers)s” in question %(code)s") % {
            "answers": answers,
            "code": code,
        }
    if source is not None and source.kind == QuestionKind.YES_NO:
        answer = dict(yes_no_labels()).get(rule.value, rule.value)
        return gettext("you chose “%(answers)s” in question %(code)s") % {
            "answers": answer,
            "code": code,
        }
    if rule.operator == ConditionOperator.GREATER:
        template = gettext("your answer to question %(code)s is more than %(value)s")
    elif rule.operator == ConditionOperator.LESS:
        template = gettext("your answer to question %(code)s is less than %(value)s")
    else:
        template = gettext("your answer to question %(code)s is %(value)s")
    return template % {"code": code, "value": rule.value}


def condition_text(element, questions: Mapping[int, Question], option_labels: Mapping) -> str:
    """The condition in words for the print version and paper entry ("" without one)."""
    rules = rules_of(element)
    if not rules:
        return ""
    joiner = gettext(" or ") if element.condition_mode == ConditionMode.ANY else gettext(" and ")
    parts = joiner.join(_rule_text(rule, questions, option_labels) for rule in rules)
    return gettext("Only answer if %(conditions)s.") % {"conditions": parts}
