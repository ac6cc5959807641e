"""Writes of the results side: publishing, free-text coding, quotes and raw-data retention.

Every function that changes what the results show calls ``survey_results_invalidate``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import (
    KIND_CODING,
    KIND_PURGE,
    PURGE_RAW_SURVEY_DATA,
    audit_record,
)
from survey.kinds import kind_of, kind_values
from survey.models import (
    Answer,
    AnswerTheme,
    Channel,
    Quote,
    Response,
    ResultsPublication,
    Survey,
    SurveyStatus,
    Theme,
)
from survey.results.caching import survey_results_invalidate
from survey.results.tallies import survey_results_tally
from survey.scanning.services import scan_batches_delete

logger = logging.getLogger(__name__)

# What a deleted free text is replaced with: the row (and its themes) stays so counts stay.
DELETED_TEXT = "–"


def _log(*, user: AbstractBaseUser | None, obj, message: str) -> None:
    if user is None:  # demo data and commands: the standard log only
        logger.info("%s %s", message, obj)
        return
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


@transaction.atomic
def results_publish(
    *,
    survey: Survey,
    user: AbstractBaseUser | None,
    publisher_name: str = "",
    data_as_of: datetime.date | None = None,
) -> ResultsPublication:
    """Make the results public: the survey's status becomes "results published"."""
    if survey.status == SurveyStatus.DRAFT:
        raise ValidationError(_("A draft survey cannot have published results."))
    if survey.is_running():
        raise ValidationError(_("Results can only be published once the survey has closed."))
    publication, _created = ResultsPublication.objects.get_or_create(survey=survey)
    publication.published_at = timezone.now()
    publication.published_by = user
    publication.publisher_name = (
        publisher_name
        or publication.publisher_name
        or (user and (user.get_full_name() or user.get_username()))
        or _("Cooperation management")
    )
    today = timezone.localdate()
    if data_as_of is not None and data_as_of > today:
        raise ValidationError(_("The figures cannot be as of a day in the future."))
    if data_as_of is not None:
        publication.data_as_of = data_as_of
    elif publication.data_as_of is None or publication.data_as_of > today:
        # The day the survey actually closed: its planned end, unless staff closed it
        # early (then the planned end is still ahead, and today is the closest we know).
        publication.data_as_of = min(timezone.localdate(survey.closes_at), today)
    publication.save()
    survey.status = SurveyStatus.PUBLISHED
    survey.save(update_fields=["status"])
    _log(user=user, obj=publication, message=_("Results published."))
    survey_results_invalidate(survey.pk)
    # Count every response into the tallies now, so that the public's results pages only
    # read (see survey.results.tallies). After the commit, in runs that commit on their
    # own; should it fail, the first results page counts them instead.
    transaction.on_commit(lambda: survey_results_tally(survey=survey), robust=True)
    return publication


@transaction.atomic
def results_unpublish(*, survey: Survey, user: AbstractBaseUser) -> None:
    """Take the results offline again (the survey counts as closed)."""
    if survey.status != SurveyStatus.PUBLISHED:
        return
    survey.status = SurveyStatus.CLOSED
    survey.save(update_fields=["status"])
    publication, _created = ResultsPublication.objects.get_or_create(survey=survey)
    publication.published_at = None
    publication.save(update_fields=["published_at"])
    _log(user=user, obj=publication, message=_("Results taken offline."))
    survey_results_invalidate(survey.pk)


def _check_themes(answer: Answer, themes: Iterable[Theme]) -> list[Theme]:
    themes = list(themes)
    if any(theme.question_id != answer.question_id for theme in themes):
        raise ValidationError(_("A theme belongs to another question."))
    return themes


@transaction.atomic
def answer_themes_set(*, answer: Answer, themes: Iterable[Theme]) -> None:
    """Give a free-text answer exactly these themes."""
    themes = _check_themes(answer, themes)
    before = set(AnswerTheme.objects.filter(answer=answer).values_list("theme_id", flat=True))
    AnswerTheme.objects.filter(answer=answer).exclude(theme__in=themes).delete()
    AnswerTheme.objects.bulk_create(
        [AnswerTheme(answer=answer, theme=theme) for theme in themes], ignore_conflicts=True
    )
    # The log names the theme and the count, never the answer (anonymity of the survey).
    after = {theme.pk for theme in themes}
    for theme in Theme.objects.filter(pk__in=before ^ after):
        operation = "add" if theme.pk in after else "remove"
        audit_record(
            kind=KIND_CODING,
            model=Theme,
            obj=theme,
            operation=operation,
            count=1,
            theme=theme.label,
        )
    survey_results_invalidate(answer.question.survey_id)


@dataclass(frozen=True)
class ThemeChange:
    """What a bulk coding did, counted on the selection as it was before the change (a list
    filtered by "not coded yet" no longer contains the answers once they are coded)."""

    changed: int  # answers that got (or lost) the theme now
    unchanged: int  # answers of the theme's question that already had (or lacked) it
    other_questions: int  # selected answers of other questions, never touched


def _split_selection(answers: QuerySet[Answer], theme: Theme) -> tuple[list[int], int]:
    """Ids of the selected answers of the theme's question, and how many others there are.
    Evaluated once, before anything is written."""
    rows = list(answers.values_list("pk", "question_id"))
    own = [pk for pk, question_id in rows if question_id == theme.question_id]
    return own, len(rows) - len(own)


@transaction.atomic
def answers_theme_add(*, answers: QuerySet[Answer], theme: Theme) -> ThemeChange:
    """Add one theme to the selected answers of its question; answers of other questions
    are left alone (and counted, so staff are told)."""
    own, others = _split_selection(answers, theme)
    had = set(
        AnswerTheme.objects.filter(answer_id__in=own, theme=theme).values_list(
            "answer_id", flat=True
        )
    )
    AnswerTheme.objects.bulk_create(
        [AnswerTheme(answer_id=pk, theme=theme) for pk in own if pk not in had],
        ignore_conflicts=True,
    )
    audit_record(
        kind=KIND_CODING,
        model=Theme,
        obj=theme,
        operation="add",
        count=len(own) - len(had),
        theme=theme.label,
    )
    survey_results_invalidate(theme.question.survey_id)
    return ThemeChange(changed=len(own) - len(had), unchanged=len(had), other_questions=others)


@transaction.atomic
def answers_theme_remove(*, answers: QuerySet[Answer], theme: Theme) -> ThemeChange:
    own, others = _split_selection(answers, theme)
    deleted, _detail = AnswerTheme.objects.filter(answer_id__in=own, theme=theme).delete()
    audit_record(
        kind=KIND_CODING,
        model=Theme,
        obj=theme,
        operation="remove",
        count=deleted,
        theme=theme.label,
    )
    survey_results_invalidate(theme.question.survey_id)
    return ThemeChange(changed=deleted, unchanged=len(own) - deleted, other_questions=others)


def quote_create(*, answer: Answer) -> Quote:
    """A draft quote from an answer's text, for staff to shorten and anonymise."""
    if not kind_of(answer.question).is_free_text or answer.text in ("", DELETED_TEXT):
        raise ValidationError(_("Only free-text answers can be quoted."))
    return Quote.objects.create(question=answer.question, answer=answer, text=answer.text)


@transaction.atomic
def quote_save(*, quote: Quote) -> Quote:
    """Save staff's edit of a quote (shortened, anonymised, released or withdrawn)."""
    quote.save()
    survey_results_invalidate(quote.question.survey_id)
    return quote


@transaction.atomic
def quote_delete(*, quote: Quote) -> None:
    survey_id = quote.question.survey_id
    quote.delete()
    survey_results_invalidate(survey_id)


@transaction.atomic
def quotes_delete(*, quotes: QuerySet[Quote]) -> int:
    survey_ids = set(quotes.values_list("question__survey_id", flat=True))
    deleted, _detail = quotes.delete()
    for survey_id in survey_ids:
        survey_results_invalidate(survey_id)
    return deleted


@transaction.atomic
def quotes_release(*, quotes: QuerySet[Quote], released: bool) -> int:
    survey_ids = set(quotes.values_list("question__survey_id", flat=True))
    # One by one (not QuerySet.update): the audit log records each quote's old and new state.
    changed = 0
    for quote in quotes.exclude(is_released=released):
        quote.is_released = released
        quote.save(update_fields=["is_released"])
        changed += 1
    for survey_id in survey_ids:
        survey_results_invalidate(survey_id)
    return changed


@transaction.atomic
def survey_raw_data_delete(*, survey: Survey) -> dict[str, int]:
    """Delete raw free texts, paper batch details and scanned stacks (with their files);
    themes, counts and quotes stay.

    Pure free-text answers keep their row (with a dash instead of the text) so that their
    themes and the number of people who answered stay; "other" texts are emptied.
    """
    texts = Answer.objects.filter(
        question__survey=survey, question__kind__in=kind_values("is_free_text")
    ).exclude(text=DELETED_TEXT)
    free_texts = texts.update(text=DELETED_TEXT)
    other_texts = (
        Answer.objects.filter(question__survey=survey, option__isnull=False)
        .exclude(text="")
        .update(text="")
    )
    paper = (
        Response.objects.filter(survey=survey, channel=Channel.PAPER)
        .filter(~Q(batch="") | Q(entered_by__isnull=False))
        .update(batch="", entered_by=None)
    )
    # Scans show handwriting: the stacks, their cut-outs and readings go entirely.
    scans = scan_batches_delete(survey=survey)
    publication, _created = ResultsPublication.objects.get_or_create(survey=survey)
    publication.raw_deleted_at = timezone.now()
    publication.save(update_fields=["raw_deleted_at"])
    counts = {
        "free_texts": free_texts,
        "other_texts": other_texts,
        "paper_responses": paper,
        "scans": scans,
    }
    audit_record(
        kind=KIND_PURGE,
        model=Survey,
        obj=survey,
        what=PURGE_RAW_SURVEY_DATA,
        count=free_texts + other_texts + paper + scans,
        command="survey_delete_raw_data",
        **counts,
    )
    logger.info(
        "survey raw data deleted",
        extra={"survey": survey.slug, **counts},
    )
    survey_results_invalidate(survey.pk)
    return counts


def surveys_due_for_deletion(*, today: datetime.date | None = None) -> QuerySet[Survey]:
    today = today or timezone.localdate()
    # Idempotent: a survey already cleaned up is simply found with nothing left to delete.
    return Survey.objects.filter(publication__delete_raw_after__lt=today)
