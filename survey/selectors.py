"""Reads of the survey app: the questionnaire definition, lists of surveys."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.utils import timezone

from portal.caching import content_version
from survey.models import (
    MatrixItem,
    Option,
    PooledResponse,
    Question,
    QuestionKind,
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

    @property
    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.question_list]

    def question_by_id(self) -> dict[int, Question]:
        return {question.pk: question for question in self.questions}


def survey_definition(*, survey: Survey) -> SurveyDefinition:
    """Load the whole questionnaire: six queries, whatever the number of responses."""
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
    for section in sections:
        section.survey = survey
        section.condition_option_ids = frozenset(section_conditions[section.pk])
        for question in section.question_list:
            question.survey = survey
            question.section = section
            question.condition_option_ids = frozenset(question_conditions[question.pk])
            by_id[question.pk] = question
            options.update((option.pk, option) for option in question.option_list)
    # For the print version: "only if you answered Q1 with …".
    for element in [*sections, *by_id.values()]:
        element.condition_source = by_id.get(element.condition_question_id)
        element.condition_labels = [
            options[pk].label for pk in sorted(element.condition_option_ids) if pk in options
        ]
    return SurveyDefinition(survey=survey, sections=sections)


def survey_definition_cached(*, survey: Survey) -> SurveyDefinition:
    """``survey_definition`` from the cache: every page of the questionnaire needs it.

    Keyed by the content version, which every save of a survey, section, question, option or
    matrix item bumps (``PUBLIC_CONTENT_MODELS``), so an edited questionnaire is read anew
    at once, on every app server. The survey given replaces the cached copy of its row.
    """
    key = f"survey:definition:{survey.pk}:{content_version()}"
    definition = cache.get(key)
    if definition is None:
        definition = survey_definition(survey=survey)
        cache.set(key, definition, timeout=settings.SURVEY_DEFINITION_CACHE_SECONDS)
    definition.survey = survey
    for section in definition.sections:
        section.survey = survey
        for question in section.question_list:
            question.survey = survey
    return definition


def is_shown(element: Section | Question, chosen: Mapping[int, Iterable[int]]) -> bool:
    """Whether a section or question with a display condition is shown, given the options
    chosen so far (question id → option ids)."""
    if element.condition_question_id is None:
        return True
    return bool(set(chosen.get(element.condition_question_id, ())) & element.condition_option_ids)


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
    return survey is not None and (
        Response.objects.filter(survey=survey).exists()
        or PooledResponse.objects.filter(survey=survey).exists()
    )


def survey_accepts_paper(*, survey: Survey) -> bool:
    """Paper sheets still come in after the deadline, until results are published."""
    return survey.status in {SurveyStatus.OPEN, SurveyStatus.CLOSED}


def pool_waiting(*, survey: Survey) -> int:
    """Online responses of ``survey`` waiting in the mixing pool (not yet in the results)."""
    return PooledResponse.objects.filter(survey=survey).count()


# Bytes of JSON one answer takes at most apart from its text (keys, ids, a number), and per
# character of text (``survey.sealing`` writes UTF-8, four bytes at most; a control
# character is escaped as \uXXXX, six).
_ANSWER_BYTES = 200
_TEXT_CHAR_BYTES = 6


def sealed_box_size(*, survey: Survey) -> int:
    """The most the sealed questionnaire of ``survey`` can take (state in the session or
    response in the pool), from the most answers and characters its questions accept.
    Every box of the survey is padded to this, so the length of a box says nothing."""
    from survey.forms import LONG_TEXT_MAX, OTHER_TEXT_MAX, SHORT_TEXT_MAX

    text_max = {QuestionKind.SHORT_TEXT: SHORT_TEXT_MAX, QuestionKind.LONG_TEXT: LONG_TEXT_MAX}
    total = 1024  # token, code, day, page ids, brackets
    for kind, options, items in (
        Question.objects.filter(survey=survey)
        .annotate(n_options=Count("options", distinct=True), n_items=Count("items", distinct=True))
        .values_list("kind", "n_options", "n_items")
    ):
        total += _ANSWER_BYTES * (1 + options + items)
        total += _TEXT_CHAR_BYTES * text_max.get(kind, OTHER_TEXT_MAX if options else 0)
    return total
