"""Correcting and deleting paper sheets that were typed in wrongly (analysts).

Only paper responses: they are found by the number written on the sheet, which online
responses do not have, so nothing here can reach, show or change an online response. Every
correction and deletion is in the audit log (the sheet number, which questions changed,
never the answers), and the results are counted again.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from types import SimpleNamespace

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.audit import KIND_PAPER_CORRECTION, audit_record
from survey import selectors
from survey.answers import SubmissionError, answer_rows, answers_check
from survey.conditions import page_split
from survey.forms import SectionForm
from survey.kinds import (
    AnswerInput,
    item_field_name,
    kind_of,
    other_field_name,
    question_field_name,
)
from survey.models import Answer, Channel, Question, Response, Survey
from survey.results.caching import survey_results_invalidate
from survey.selectors import SurveyDefinition, survey_accepts_paper


def paper_sheet_get(*, survey: Survey, sheet_number) -> Response | None:
    """The paper response of ``survey`` with this sheet number (None for anything else,
    online responses included)."""
    try:
        number = int(sheet_number)
    except (TypeError, ValueError):
        return None
    if not 1 <= number <= 2_000_000_000:
        return None
    return Response.objects.filter(
        survey=survey, channel=Channel.PAPER, sheet_number=number
    ).first()


def _stored_inputs(response: Response) -> dict[int, set[AnswerInput]]:
    stored: dict[int, set[AnswerInput]] = defaultdict(set)
    for row in response.answers.values("question_id", "option_id", "item_id", "number", "text"):
        stored[row["question_id"]].add(AnswerInput(**row))
    return stored


def sheet_form_data(*, questions: Iterable[Question], response: Response, prefix) -> dict:
    """The answers of a stored sheet as the paper-entry form's data (``prefix(question)``
    gives the form prefix), so a correction starts from what was typed in."""
    return answers_form_data(questions=questions, answers=_stored_inputs(response), prefix=prefix)


def answers_form_data(
    *, questions: Iterable[Question], answers: Mapping[int, Iterable[AnswerInput]], prefix
) -> dict:
    """Answers (question id → its answer rows) as the paper-entry form's data: a stored
    sheet to correct, or a scanned sheet's proposed answers to confirm."""
    data: dict = {}
    for question in questions:
        prefixed = f"{prefix(question)}-"
        for answer in answers.get(question.pk, ()):
            if answer.item_id is not None:
                item = SimpleNamespace(pk=answer.item_id)
                data[prefixed + item_field_name(question, item)] = str(answer.number)
                continue
            name = prefixed + question_field_name(question)
            value = str(answer.option_id if answer.option_id is not None else answer.number)
            if answer.option_id is None and answer.number is None:
                value = answer.text
            elif answer.text:
                data[prefixed + other_field_name(question)] = answer.text
            if kind_of(question).several_answers:
                data.setdefault(name, []).append(value)
            else:
                data[name] = value
    return data


def paper_section_forms(*, definition: SurveyDefinition, data=None) -> list:
    """The paper-entry forms of every section in page order, as (section, form, shown):
    display conditions are decided from the answers on the sheet itself; forms of hidden
    pages are built but not checked, and store nothing."""
    facts: dict[int, list[int]] = {}
    entries = []
    for section in definition.sections:
        section_shown = selectors.is_shown(section, facts)
        _shown, hidden = page_split(section, facts)
        if not section_shown:
            hidden = [q.pk for q in section.question_list]
        form = SectionForm(
            data,
            questions=section.question_list,
            hidden_ids=hidden,
            as_written=True,
            known=facts,
            prefix=f"s{section.pk}",
        )
        if data is not None and section_shown and form.is_valid():
            facts = form.facts()
        entries.append((section, form, section_shown))
    return entries


def _check_open_for_paper(survey: Survey) -> None:
    if not survey_accepts_paper(survey=survey):
        raise SubmissionError(
            _("Paper sheets of this survey can no longer be changed (results are published).")
        )


@transaction.atomic
def paper_sheet_correct(
    *,
    response: Response,
    answers: list[AnswerInput],
    sheet_number: int,
    batch: str,
) -> list[str]:
    """Replace what was typed in for a paper sheet; returns the codes of the questions whose
    answers changed. Answers of unchanged questions stay (with their free-text coding). The
    response is counted again (``tallied`` emptied: the tallies are rebuilt). Raises
    ``SubmissionError``."""
    if response.channel != Channel.PAPER:
        raise SubmissionError(_("Only paper sheets can be corrected."))
    survey = response.survey
    _check_open_for_paper(survey)
    answers_check(survey=survey, answers=answers)
    new: dict[int, set[AnswerInput]] = defaultdict(set)
    for answer in answers:
        new[answer.question_id].add(answer)
    old = _stored_inputs(response)
    changed_ids = {qid for qid in set(old) | set(new) if old.get(qid, set()) != new.get(qid, set())}
    previous_number = response.sheet_number
    try:
        with transaction.atomic():
            Response.objects.filter(pk=response.pk).update(
                sheet_number=sheet_number, batch=batch, tallied=None
            )
    except IntegrityError as error:
        raise SubmissionError(
            _("Sheet %(number)s has already been entered.") % {"number": sheet_number}
        ) from error
    Answer.objects.filter(response=response, question_id__in=changed_ids).delete()
    Answer.objects.bulk_create(
        answer_rows(response=response, answers=[a for a in answers if a.question_id in changed_ids])
    )
    codes = sorted(Question.objects.filter(pk__in=changed_ids).values_list("code", flat=True))
    details = {"operation": "correct", "sheet": sheet_number, "questions": codes}
    if previous_number != sheet_number:
        details["renumbered_from"] = previous_number
    audit_record(kind=KIND_PAPER_CORRECTION, model=Survey, obj=survey, **details)
    transaction.on_commit(lambda: survey_results_invalidate(survey.pk))
    response.sheet_number, response.batch, response.tallied = sheet_number, batch, None
    return codes


@transaction.atomic
def paper_sheet_delete(*, response: Response) -> None:
    """Delete a mistyped paper sheet (to be entered again, or a sheet that was no
    questionnaire). The tallies are rebuilt at the next results computation."""
    if response.channel != Channel.PAPER:
        raise SubmissionError(_("Only paper sheets can be deleted here."))
    survey = response.survey
    _check_open_for_paper(survey)
    sheet = response.sheet_number
    response.delete()
    audit_record(
        kind=KIND_PAPER_CORRECTION, model=Survey, obj=survey, operation="delete", sheet=sheet
    )
    transaction.on_commit(lambda: survey_results_invalidate(survey.pk))
