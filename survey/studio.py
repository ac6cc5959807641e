"""Services of the survey studio (the builder in the admin): answer lists taken over into a
question, and questions or whole pages copied from another survey into a draft."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portal.models import Municipality
from survey import selectors
from survey.kinds import kind_of
from survey.models import LabelSet, MatrixItem, Option, Question, Section


@transaction.atomic
def label_set_apply(*, question: Question, label_set: LabelSet) -> int:
    """Append the entries of ``label_set`` to the options (or, for a matrix, the rows) of
    ``question``, after the ones it has; codes of options continue after the highest one,
    and an option named like a municipality is linked to it. Returns how many were added."""
    spec = kind_of(question)
    entries = list(label_set.items.order_by("position", "id"))
    if spec.has_options:
        last = question.options.aggregate(Max("value"), Max("position"))
        start, position = last["value__max"], last["position__max"] or 0
        # An entry named like a member municipality relates its answers to the population.
        places = dict(
            Municipality.objects.filter(name__in=[e.label for e in entries]).values_list(
                "name", "pk"
            )
        )
        Option.objects.bulk_create(
            Option(
                question=question,
                label=entry.label,
                municipality_id=places.get(entry.label),
                # The list's own codes for a question without options, else the next ones.
                value=entry.value if start is None else start + number,
                position=position + number,
            )
            for number, entry in enumerate(entries, start=1)
        )
        return len(entries)
    if spec.has_items:
        position = question.items.aggregate(Max("position"))["position__max"] or 0
        MatrixItem.objects.bulk_create(
            MatrixItem(question=question, label=entry.label, position=position + number)
            for number, entry in enumerate(entries, start=1)
        )
        return len(entries)
    return 0


@dataclass
class CopyResult:
    questions: list[Question] = field(default_factory=list)
    dropped_conditions: list[str] = field(default_factory=list)  # codes of the copies


def _free_code(code: str, taken: set[str]) -> str:
    if code not in taken:
        return code
    number = 2
    while f"{code[:16]}_{number}" in taken:
        number += 1
    return f"{code[:16]}_{number}"


def _condition_fits(source: Question, section: Section) -> bool:
    """A copied condition still holds only for a question of the same survey on an earlier
    page than the copy."""
    condition = source.condition_question
    if condition is None or condition.survey_id != section.survey_id:
        return False
    page = condition.section
    return (page.position, page.pk) < (section.position, section.pk)


def _copy_question(source: Question, *, section: Section, position: int, taken: set[str]):
    """One question with its options, rows and topics; its display condition only when it
    still holds (``_condition_fits``). Returns the copy and whether a condition was dropped."""
    keep = _condition_fits(source, section)
    copy = Question.objects.get(pk=source.pk)
    copy.pk = None
    copy.section = section
    copy.position = position
    copy.code = _free_code(source.code, taken)
    taken.add(copy.code)
    if not keep:
        copy.condition_question = None
    copy.save()
    copy.topics.set(source.topics.all())
    if keep:
        copy.condition_options.set(source.condition_options.all())
    Option.objects.bulk_create(
        Option(
            question=copy,
            label=o.label,
            value=o.value,
            position=o.position,
            is_other=o.is_other,
            municipality_id=o.municipality_id,
        )
        for o in source.options.order_by("position", "id")
    )
    MatrixItem.objects.bulk_create(
        MatrixItem(question=copy, label=i.label, position=i.position)
        for i in source.items.order_by("position", "id")
    )
    # Condition rows are never copied: their sources are questions of the survey copied
    # from (copies only come from other surveys), so they would not hold here.
    dropped = (source.condition_question_id is not None and not keep) or (
        source.conditions.exists()
    )
    return copy, dropped


def _check_target(section: Section) -> None:
    if selectors.survey_has_responses(survey=section.survey):
        raise ValidationError(
            _("This survey already has responses, so nothing can be added to its questionnaire.")
        )


@transaction.atomic
def question_copy(*, source: Question, section: Section) -> CopyResult:
    """Copy ``source`` to the end of ``section`` (a page of a survey without responses)."""
    _check_target(section)
    taken = set(Question.objects.filter(survey=section.survey).values_list("code", flat=True))
    last = section.questions.aggregate(Max("position"))["position__max"] or 0
    copy, dropped = _copy_question(source, section=section, position=last + 1, taken=taken)
    return CopyResult(questions=[copy], dropped_conditions=[copy.code] if dropped else [])


@transaction.atomic
def section_copy(*, source: Section, section: Section) -> CopyResult:
    """Copy the questions of page ``source`` to the end of ``section``; conditions that no
    longer hold there are dropped (and named in the result)."""
    _check_target(section)
    taken = set(Question.objects.filter(survey=section.survey).values_list("code", flat=True))
    last = section.questions.aggregate(Max("position"))["position__max"] or 0
    result = CopyResult()
    for number, question in enumerate(source.questions.order_by("position", "id"), start=1):
        copy, dropped = _copy_question(
            question, section=section, position=last + number, taken=taken
        )
        result.questions.append(copy)
        if dropped:
            result.dropped_conditions.append(copy.code)
    return result
