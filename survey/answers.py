"""Answer rows on their way into the database: the check every submission passes (online,
pool, paper) and the ``Answer`` objects written for a response. What fits a question is
decided by its kind (``survey.kinds``)."""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from survey.kinds import AnswerInput, AnswerRefs, kind_of
from survey.models import Answer, MatrixItem, Option, Question, Response, Survey


class SubmissionError(ValidationError):
    """The response cannot be stored; the message says why in words for the participant."""


def _refs(*, survey: Survey, question_ids: set[int]) -> AnswerRefs:
    options, other_options = {}, set()
    for pk, question_id, is_other in Option.objects.filter(
        question__survey=survey, question_id__in=question_ids
    ).values_list("pk", "question_id", "is_other"):
        options[pk] = question_id
        if is_other:
            other_options.add(pk)
    items = dict(
        MatrixItem.objects.filter(
            question__survey=survey, question_id__in=question_ids
        ).values_list("pk", "question_id")
    )
    return AnswerRefs(options=options, other_options=frozenset(other_options), items=items)


def answers_check(*, survey: Survey, answers: list[AnswerInput]) -> None:
    """Defence in depth behind the forms: every id belongs to this survey's questionnaire and
    every value fits its question, so a tampered request cannot store nonsense. Raises
    ``SubmissionError``."""
    question_ids = {answer.question_id for answer in answers}
    questions = Question.objects.filter(survey=survey, pk__in=question_ids).in_bulk()
    refs = _refs(survey=survey, question_ids=question_ids)
    seen = set()
    per_question: dict[int, list[AnswerInput]] = defaultdict(list)
    for answer in answers:
        question = questions.get(answer.question_id)
        if question is None:
            raise SubmissionError(_("The answers do not belong to this survey."))
        key = (answer.question_id, answer.option_id, answer.item_id)
        if key in seen:
            raise SubmissionError(_("An answer was given twice."))
        seen.add(key)
        if not kind_of(question).answer_fits(question, answer, refs):
            raise SubmissionError(_("An answer does not fit its question."))
        per_question[question.pk].append(answer)
    for question_id, given in per_question.items():
        question = questions[question_id]
        spec = kind_of(question)
        if len(given) > 1 and not spec.several_answers:
            raise SubmissionError(_("A question that takes one answer got several."))
        if not spec.answers_fit(question, given):
            raise SubmissionError(_("More answers were chosen than the question allows."))


def answer_rows(*, response: Response, answers: Iterable[AnswerInput]) -> Iterator[Answer]:
    """The ``Answer`` objects of ``response`` (unsaved, for ``bulk_create``)."""
    for answer in answers:
        yield Answer(
            response=response,
            question_id=answer.question_id,
            option_id=answer.option_id,
            item_id=answer.item_id,
            number=answer.number,
            date=answer.date,
            text=answer.text,
        )
