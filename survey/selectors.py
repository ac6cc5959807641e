"""Reads of the survey app: the questionnaire definition, lists of surveys."""

import copy
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.caching import content_version
from portal.memo import VersionedMemo
from survey import conditions
from survey.conditions import Rule, legacy_rule
from survey.kinds import kind_of
from survey.models import (
    AccessCode,
    Condition,
    ConditionOperator,
    MatrixItem,
    Option,
    PooledResponse,
    Question,
    Response,
    Section,
    Survey,
    SurveyStatus,
)


@dataclass
class SurveyDefinition:
    """A survey with its sections, questions, options and items, loaded in a fixed number
    of queries. Sections carry ``question_list``, questions ``option_list``, ``item_list``;
    both carry ``condition_option_ids`` (a frozenset, empty when unconditional)."""

    survey: Survey
    sections: list[Section]
    # The content version it was loaded under (``survey_definition_cached``); None when
    # loaded directly, and then nothing is memoised from it.
    version: str | None = None
    # No activation problems (``survey_activation_problems``); set by
    # ``survey_definition_cached``, None when loaded directly.
    sound: bool | None = None

    @property
    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.question_list]

    def question_by_id(self) -> dict[int, Question]:
        return {question.pk: question for question in self.questions}


def _condition_rules(survey: Survey) -> tuple[dict, dict]:
    """The ``Condition`` rows of the survey's pages and questions as rules (two queries):
    section id → rules, question id → rules."""
    # By the page or question they belong to: a condition on another survey's question
    # (a careless edit) is loaded too, so that it hides and the activation check finds it.
    owned = Q(section__survey=survey) | Q(question__survey=survey)
    options = defaultdict(set)
    for condition_id, option_id in Condition.options.through.objects.filter(
        Q(condition__section__survey=survey) | Q(condition__question__survey=survey)
    ).values_list("condition_id", "option_id"):
        options[condition_id].add(option_id)
    by_section, by_question = defaultdict(list), defaultdict(list)
    for pk, section_id, question_id, source_id, operator, value in (
        Condition.objects.filter(owned)
        .order_by("id")
        .values_list("pk", "section_id", "question_id", "source_id", "operator", "value")
    ):
        rule = Rule(source_id, operator, frozenset(options[pk]), value)
        if section_id is not None:
            by_section[section_id].append(rule)
        else:
            by_question[question_id].append(rule)
    return by_section, by_question


def survey_definition(*, survey: Survey) -> SurveyDefinition:
    """Load the whole questionnaire: eight queries, whatever the number of responses."""
    section_conditions = defaultdict(set)
    for section_id, option_id in Section.condition_options.through.objects.filter(
        section__survey=survey
    ).values_list("section_id", "option_id"):
        section_conditions[section_id].add(option_id)
    question_conditions = defaultdict(set)
    for question_id, option_id in Question.condition_options.through.objects.filter(
        question__survey=survey
    ).values_list("question_id", "option_id"):
        question_conditions[question_id].add(option_id)

    questions = Question.objects.filter(survey=survey).order_by("position", "id")
    sections = list(
        Section.objects.filter(survey=survey)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=questions.prefetch_related(
                    Prefetch(
                        "options",
                        queryset=Option.objects.select_related("municipality").order_by(
                            "position", "id"
                        ),
                        to_attr="option_list",
                    ),
                    Prefetch(
                        "items",
                        queryset=MatrixItem.objects.order_by("position", "id"),
                        to_attr="item_list",
                    ),
                ),
                to_attr="question_list",
            )
        )
    )
    by_id = {}
    options = {}
    section_rules, question_rules = _condition_rules(survey)
    for section in sections:
        section.survey = survey
        section.condition_option_ids = frozenset(section_conditions[section.pk])
        section.condition_rules = _rules(section, section_rules[section.pk])
        for question in section.question_list:
            question.survey = survey
            question.section = section
            question.condition_option_ids = frozenset(question_conditions[question.pk])
            question.condition_rules = _rules(question, question_rules[question.pk])
            by_id[question.pk] = question
            options.update((option.pk, option) for option in question.option_list)
    # For the print version: "only if you answered Q1 with …".
    labels = {pk: option.label for pk, option in options.items()}
    for element in [*sections, *by_id.values()]:
        element.condition_source = by_id.get(element.condition_question_id)
        element.condition_labels = [
            options[pk].label for pk in sorted(element.condition_option_ids) if pk in options
        ]
        element.condition_text = conditions.condition_text(element, by_id, labels)
    return SurveyDefinition(survey=survey, sections=sections)


def _rules(element, rules: list[Rule]) -> list[Rule]:
    legacy = legacy_rule(element)
    return [legacy, *rules] if legacy else list(rules)


def survey_activation_problems(
    *, survey: Survey, definition: SurveyDefinition | None = None
) -> list[str]:
    """Everything that would break the questionnaire for participants, in German, in page
    order; empty when the survey may be opened (like LimeSurvey's activation check).

    A choice question without options or a matrix without rows cannot be answered (if
    required, nobody gets past its page). A display condition must refer to a choice
    question of this survey on an earlier page, with options of that question, and that
    question must itself be reachable: otherwise the page or question is never shown, or
    decided by an answer not given yet (participants go through the pages in order).

    ``definition``: the questionnaire if already loaded (the cached one, when participation
    checks a scheduled survey at the moment it opens).
    """
    if definition is None:
        definition = survey_definition(survey=survey)
    problems: list[str] = []
    if not definition.questions:
        problems.append(_("The questionnaire has no questions yet."))
    check = _ActivationCheck(definition)
    for number, section in enumerate(definition.sections, start=1):
        problems.extend(check.section_problems(section, number))
    return problems


class _ActivationCheck:
    """The activation check page by page; it remembers the questions that are never shown,
    since a condition on one of them never holds either."""

    def __init__(self, definition: SurveyDefinition):
        self.page_of: dict[int, int] = {}  # question id → page number
        self.order: dict[int, tuple[int, int]] = {}  # question id → (page, place on it)
        self.option_question: dict[int, int] = {}  # option id → question id
        for number, section in enumerate(definition.sections, start=1):
            for place, question in enumerate(section.question_list):
                self.page_of[question.pk] = number
                self.order[question.pk] = (number, place)
                self.option_question.update(
                    (option.pk, question.pk) for option in question.option_list
                )
        self.by_id = definition.question_by_id()
        self.never_shown: set[int] = set()  # question ids whose page or own condition never holds

    def section_problems(self, section: Section, number: int) -> list[str]:
        label = _("Page %(number)d “%(title)s”") % {"number": number, "title": section.title}
        problems = []
        problem = self.condition_problem(section, number)
        if problem:
            problems.append(_("%(page)s: %(problem)s.") % {"page": label, "problem": problem})
        if not section.question_list:
            problems.append(_("%(page)s has no questions.") % {"page": label})
        for question in section.question_list:
            if problem:
                self.never_shown.add(question.pk)
            problems.extend(self.question_problems(question, number))
        return problems

    def question_problems(self, question: Question, number: int) -> list[str]:
        name = _("Question %(code)s on page %(number)d") % {
            "code": question.code,
            "number": number,
        }
        problems = []
        kind = kind_of(question)
        if kind.has_options and not question.option_list:
            problems.append(
                _("%(question)s is a choice question without options.") % {"question": name}
            )
        if kind.has_items and not question.item_list:
            problems.append(_("%(question)s is a matrix without rows.") % {"question": name})
        if kind.option_count and not (
            kind.option_count[0] <= len(question.option_list) <= kind.option_count[1]
        ):
            problems.append(
                _("%(question)s has %(count)d options; it takes %(low)d to %(high)d.")
                % {
                    "question": name,
                    "count": len(question.option_list),
                    "low": kind.option_count[0],
                    "high": kind.option_count[1],
                }
            )
        own = self.condition_problem(question, number)
        if own:
            self.never_shown.add(question.pk)
            problems.append(_("%(question)s: %(problem)s.") % {"question": name, "problem": own})
        return problems

    def condition_problem(self, element: Section | Question, page: int) -> str | None:
        """The first problem of the element's conditions (the simple one first)."""
        for rule in conditions.rules_of(element):
            problem = self.rule_problem(element, rule, page)
            if problem:
                return problem
        return None

    def _asked_before(self, source_id: int, element: Section | Question, page: int) -> bool:
        """A page depends on earlier pages; a question also on questions before it on its
        own page (decided there by the form, and shown by the script)."""
        if isinstance(element, Section):
            return self.page_of[source_id] < page
        return self.order[source_id] < self.order[element.pk]

    def rule_problem(self, element: Section | Question, rule, page: int) -> str | None:
        source_id = rule.source_id
        if source_id not in self.page_of:
            return _("its condition refers to a question of another survey")
        code = {"code": self.by_id[source_id].code}
        kind = kind_of(self.by_id[source_id])
        if not self._asked_before(source_id, element, page):
            return _("its condition refers to %(code)s, which is not on an earlier page") % code
        if rule.operator == ConditionOperator.ONE_OF and not kind.has_options:
            return _("its condition refers to %(code)s, which is not a choice question") % code
        if rule.operator not in kind.condition_operators:
            return _("its condition cannot compare the answers to %(code)s like this") % code
        if kind.has_options and (
            not rule.option_ids
            or any(self.option_question.get(pk) != source_id for pk in rule.option_ids)
        ):
            return _("its condition names no option of %(code)s") % code
        if not kind.has_options and (rule.value is None or rule.option_ids):
            return _("its condition gives no value to compare the answers to %(code)s with") % code
        if source_id in self.never_shown:
            return _("its condition refers to %(code)s, which is never shown") % code
        return None


# The questionnaires of the last content versions, per worker (``survey_definition_cached``):
# a few surveys run at a time, each definition a few hundred KB at most.
_DEFINITIONS = VersionedMemo("survey:definitions", max_entries=16, seconds=3600)


# Public surveys by slug, per worker and content version (``survey_by_slug_cached``).
_SURVEYS = VersionedMemo("survey:by-slug", max_entries=64, seconds=3600)


def survey_by_slug_cached(slug: str, *, version: str) -> Survey | None:
    """The survey with this slug as of the content ``version`` (read by the caller from the
    database on this request), None when there is none: the questionnaire's pages ask on
    every request. Every save or delete of a survey raises the version, and so does the
    moment it opens or closes, so the row kept under a version is the row in the database.
    Only surveys found are kept (any slug may be requested). Every call gets its own copy,
    so what a request sets on it stays in that request."""
    key = (connection.alias, slug, version)
    survey = _SURVEYS.get(key)
    if survey is None:
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            return None
        _SURVEYS.set(key, survey)
    return copy.copy(survey)


def survey_definition_cached(*, survey: Survey, version: str | None = None) -> SurveyDefinition:
    """``survey_definition`` from the worker's memory or the cache: every page of the
    questionnaire needs it.

    Keyed by the content version, which every save of a survey, section, question, option or
    matrix item bumps (``PUBLIC_CONTENT_MODELS``), so an edited questionnaire is read anew
    at once, on every app server: the version is read from the database on each call (or
    given: read by the caller on this request), never from the memory. A worker keeps the
    definitions it loaded (``portal.memo``, a few, LRU, an hour at most) and shares them
    between requests, so nobody may change one: the request's survey row is not put into
    it (it keeps the row it was loaded with, the same under the same version), and what a
    request derives from it lives in the request.
    """
    version = version or content_version()
    memo_key = (connection.alias, survey.pk, version)
    definition = _DEFINITIONS.get(memo_key)
    if definition is not None:
        return definition
    key = f"survey:definition:{survey.pk}:{version}"
    definition = cache.get(key)
    if definition is None:
        definition = survey_definition(survey=survey)
        cache.set(key, definition, timeout=settings.SURVEY_DEFINITION_CACHE_SECONDS)
    # What the questionnaire's pages are memoised under (``survey.forms.section_fields_html``).
    definition.version = version
    # Whether participants may be given it (``survey_activation_problems``: a function of
    # the questionnaire alone), decided once per definition.
    definition.sound = not survey_activation_problems(survey=survey, definition=definition)
    _DEFINITIONS.set(memo_key, definition)
    return definition


def is_shown(element: Section | Question, chosen: Mapping[int, Iterable[int]]) -> bool:
    """Whether a section or question is shown, given the facts of the answers so far
    (question id → option ids or numbers; see ``survey.conditions``)."""
    return conditions.is_shown(element, chosen)


def survey_lists(*, now=None) -> dict[str, list[Survey]]:
    """The public survey overview: open now, upcoming and closed, three queries."""
    now = now or timezone.now()
    return {
        "open": list(Survey.objects.open_now(now).order_by("closes_at")),
        "upcoming": list(Survey.objects.upcoming(now).order_by("opens_at")),
        "closed": list(Survey.objects.closed(now).order_by("-closes_at")),
    }


def survey_open_teaser(*, now=None) -> Survey | None:
    """The open survey to advertise on the home page (the one closing first)."""
    return Survey.objects.open_now(now).order_by("closes_at").first()


def survey_has_responses(*, survey: Survey | None) -> bool:
    """A survey with responses has a frozen questionnaire (see the README); responses
    waiting in the mixing pool count, or a change would drop their answers."""
    if survey is None:
        return False
    # One query for both tables: the admin asks this several times per page.
    return (
        Response.objects.filter(survey=survey)
        .values("survey_id")
        .union(PooledResponse.objects.filter(survey=survey).values("survey_id"))
        .exists()
    )


def survey_accepts_paper(*, survey: Survey) -> bool:
    """Paper sheets still come in after the deadline, until results are published."""
    return survey.status in {SurveyStatus.OPEN, SurveyStatus.CLOSED}


def access_codes_unused(*, survey: Survey) -> list[str]:
    """The codes of ``survey`` nobody has used yet, in code order (for printing)."""
    return list(AccessCode.objects.filter(survey=survey, used=False).values_list("code", flat=True))


def pool_waiting(*, survey: Survey) -> int:
    """Online responses of ``survey`` waiting in the mixing pool (not yet in the results)."""
    return PooledResponse.objects.filter(survey=survey).count()


# Bytes of JSON one answer takes at most apart from its text (keys, ids, a number), and per
# character of text (``survey.sealing`` writes UTF-8, four bytes at most; a control
# character is escaped as \uXXXX, six).
_ANSWER_BYTES = 200
_TEXT_CHAR_BYTES = 6


def sealed_box_size(*, definition: SurveyDefinition) -> int:
    """The most the sealed questionnaire of a survey can take (state in the session or
    response in the pool), from the most answers and characters its questions accept.
    Every box of the survey is padded to this, so the length of a box says nothing.

    From the (cached) questionnaire, not a query: every page sent seals the state."""
    total = 1024  # token, code, day, brackets
    total += 24 * len(definition.sections)  # page ids: pages complete, pages reached
    for question in definition.questions:
        options, items = len(question.option_list), len(question.item_list)
        total += _ANSWER_BYTES * (1 + options + items)
        total += _TEXT_CHAR_BYTES * kind_of(question).max_text_length
    return total
