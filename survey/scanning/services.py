"""Scanned stacks from upload to stored responses.

1. ``scan_batch_create``: staff upload a stack (admin); it is stored privately and a separate
   process is started for it (``paper_scan_batch``), never the web worker. The minutely
   ``paper_scan_work`` takes over whatever that process did not finish. ``manage.py
   paper_scan`` stores its stack the same way (``scan_batch_read_now``) and reads it at once.
2. ``scan_batch_process``: the reader (``survey.scanning.reader.read_stack``) reads it page by
   page; every sheet becomes a ``ScannedSheet`` with one ``ScanAnswer`` per question. A sheet
   the machine is sure of is stored at once; the others wait for review.
3. ``scan_answer_confirm``: staff confirm or correct one uncertain answer; once every answer
   of a sheet is confirmed, it is stored with ``paper_sheet_submit`` (channel paper, entered
   by the person who confirmed last), exactly once per sheet number.
4. ``scan_batches_delete``: with the survey's raw data, files and rows go.
"""

from __future__ import annotations

import datetime
import logging
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from survey import selectors
from survey.answers import SubmissionError
from survey.kinds import AnswerInput
from survey.models import (
    Question,
    Response,
    ScanAnswer,
    ScanBatch,
    ScanBatchStatus,
    ScannedSheet,
    ScannedSheetState,
    ScanTextCrop,
    Survey,
)
from survey.paper import answers_form_data, paper_section_forms
from survey.scanning.readings import ProgressCallback, SheetReading
from survey.scanning.storage import private_storage
from survey.submission import paper_sheet_submit

logger = logging.getLogger(__name__)

# A process that has not reported a page for this long is taken to be dead.
STALE_AFTER = datetime.timedelta(minutes=10)

Reader = Callable[..., Iterator[SheetReading]]
# Told of every sheet of a stack as it is recorded: what was read, and the sheet it became.
SheetCallback = Callable[[SheetReading, ScannedSheet], None]


class ScanReviewError(Exception):
    """A confirmation that cannot be taken (German message for staff)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Upload and background processing ------------------------------------------------------


def _batch_store(*, survey: Survey, upload, label: str, uploaded_by, **fields) -> ScanBatch:
    batch = ScanBatch(
        survey=survey,
        original_name=(upload.name or "")[:200],
        label=label,
        uploaded_by=uploaded_by,
        **fields,
    )
    batch.file.save(upload.name or "stapel.pdf", upload, save=False)
    batch.save()
    return batch


def scan_batch_create(*, survey: Survey, upload, label: str, uploaded_by) -> ScanBatch:
    """Store an uploaded (already checked) stack and start reading it after the commit."""
    batch = _batch_store(survey=survey, upload=upload, label=label, uploaded_by=uploaded_by)
    transaction.on_commit(lambda: scan_batch_spawn(batch_id=batch.pk))
    logger.info("scan batch uploaded", extra={"survey": survey.slug, "batch": batch.pk})
    return batch


def scan_batch_read_now(
    *,
    survey: Survey,
    upload,
    label: str,
    uploaded_by=None,
    reader: Reader | None = None,
    on_sheet: SheetCallback | None = None,
) -> ScanBatch:
    """Store a (checked) stack given on the command line (``paper_scan``) like an upload and
    read it in this process: the same sheets, duplicates, review and storing as the admin's
    upload. Taken as processing from the start, so ``paper_scan_work`` leaves it alone."""
    batch = _batch_store(
        survey=survey,
        upload=upload,
        label=label,
        uploaded_by=uploaded_by,
        status=ScanBatchStatus.PROCESSING,
        heartbeat=timezone.now(),
    )
    logger.info("scan batch read from the command line", extra={"batch": batch.pk})
    return scan_batch_process(batch=batch, reader=reader, on_sheet=on_sheet)


def scan_batch_spawn(*, batch_id: int) -> None:
    """Start ``manage.py paper_scan_batch <id>`` as a process of its own (its own session,
    so a recycled or restarted gunicorn worker does not take it along). If it cannot start,
    ``paper_scan_work`` (cron/timer) reads the stack instead."""
    if not settings.SURVEY_SCAN_SPAWN:
        return
    manage = Path(settings.BASE_DIR) / "manage.py"
    try:
        subprocess.Popen(
            [sys.executable, str(manage), "paper_scan_batch", str(batch_id)],
            cwd=settings.BASE_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        logger.exception("scan batch could not be started", extra={"batch": batch_id})


def scan_batch_claim(*, batch_id: int, now: datetime.datetime | None = None) -> bool:
    """Take a waiting stack (or one whose process died) for this process; True if taken.
    One UPDATE decides, so of two processes asking at once only one reads the stack."""
    now = now or timezone.now()
    taken = ScanBatch.objects.filter(
        Q(status=ScanBatchStatus.QUEUED)
        | Q(status=ScanBatchStatus.PROCESSING, heartbeat__lt=now - STALE_AFTER),
        pk=batch_id,
    ).update(status=ScanBatchStatus.PROCESSING, heartbeat=now, error="")
    return taken == 1


def scan_batches_waiting(*, now: datetime.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        ScanBatch.objects.filter(
            Q(status=ScanBatchStatus.QUEUED)
            | Q(status=ScanBatchStatus.PROCESSING, heartbeat__lt=now - STALE_AFTER)
        )
        .order_by("uploaded_at", "pk")
        .values_list("pk", flat=True)
    )


def _real_reader() -> Reader:
    from survey.scanning.reader import read_stack

    return read_stack


def scan_batch_process(
    *, batch: ScanBatch, reader: Reader | None = None, on_sheet: SheetCallback | None = None
) -> ScanBatch:
    """Read a claimed stack to the end. Sheets read before an error are kept (a sheet is
    recorded as soon as it is read); a stack taken over after a crash skips sheets it
    already recorded."""
    reader = reader or _real_reader()
    survey = batch.survey
    seen_pages = {
        page for pages in batch.sheets.values_list("scan_pages", flat=True) for page in pages
    }
    question_ids = _question_ids(survey)

    def on_page(done: int, total: int) -> None:
        ScanBatch.objects.filter(pk=batch.pk).update(
            pages_done=done, pages_total=total, heartbeat=timezone.now()
        )

    progress: ProgressCallback = on_page
    try:
        for reading in reader(survey, private_storage.path(batch.file.name), on_page=progress):
            if reading.scan_pages and set(reading.scan_pages) <= seen_pages:
                continue
            sheet = scan_sheet_record(batch=batch, reading=reading, question_ids=question_ids)
            if on_sheet is not None:
                on_sheet(reading, sheet)
    except Exception:  # whatever a broken file makes the reader raise: staff get a message
        logger.exception("scan batch failed", extra={"batch": batch.pk})
        ScanBatch.objects.filter(pk=batch.pk).update(
            status=ScanBatchStatus.FAILED,
            error=_(
                "The file could not be read to the end. Sheets read before the error are "
                "listed below; please scan the rest again or enter it by hand."
            ),
            finished_at=timezone.now(),
        )
    else:
        ScanBatch.objects.filter(pk=batch.pk).update(
            status=ScanBatchStatus.DONE, finished_at=timezone.now()
        )
    batch.refresh_from_db()
    return batch


def scan_batch_run(*, batch_id: int, reader: Reader | None = None) -> ScanBatch | None:
    """Claim and read one stack; None if another process has it or it is finished."""
    if not scan_batch_claim(batch_id=batch_id):
        return None
    batch = ScanBatch.objects.select_related("survey", "uploaded_by").get(pk=batch_id)
    return scan_batch_process(batch=batch, reader=reader)


# --- Recording what was read -----------------------------------------------------------------


def _problem_sheet(batch: ScanBatch, reading: SheetReading, problems: list[str]) -> ScannedSheet:
    return ScannedSheet.objects.create(
        batch=batch,
        survey_id=batch.survey_id,
        sheet_number=reading.sheet_number,
        state=ScannedSheetState.PROBLEM,
        problems="\n".join(problems),
        scan_pages=list(reading.scan_pages),
    )


def _reading_problems(batch: ScanBatch, reading: SheetReading, question_ids: set[int]) -> list:
    problems = list(reading.problems)
    if reading.survey_slug != batch.survey.slug:
        problems.append(_("This sheet belongs to another survey."))
    if reading.sheet_number is None:
        problems.append(_("The sheet number could not be read."))
    if any(answer.question_id not in question_ids for answer in reading.answers):
        problems.append(_("The sheet does not match the questionnaire."))
    return problems


def _question_ids(survey: Survey) -> set[int]:
    return set(Question.objects.filter(survey=survey).values_list("pk", flat=True))


def scan_sheet_record(
    *, batch: ScanBatch, reading: SheetReading, question_ids: set[int] | None = None
) -> ScannedSheet:
    """Record one sheet read from ``batch``: a problem (no number, another survey, pages
    missing), a duplicate (its number is stored or waiting already), or a sheet with its
    answers – stored at once when no answer needs review. ``question_ids``: the survey's,
    loaded once for a whole stack."""
    if question_ids is None:
        question_ids = _question_ids(batch.survey)
    problems = _reading_problems(batch, reading, question_ids)
    if problems:
        return _problem_sheet(batch, reading, problems)
    with transaction.atomic():
        sheet = _sheet_claim_number(batch, reading)
        if sheet.state == ScannedSheetState.DUPLICATE:
            return sheet
        for answer in reading.answers:
            _answer_record(sheet, answer)
    if not reading.needs_review:
        try:
            scan_sheet_store(sheet=sheet, user=batch.uploaded_by)
        except ScanReviewError as error:
            # Stays in review with the reason, e.g. the survey's results were published.
            ScannedSheet.objects.filter(pk=sheet.pk).update(problems=error.message)
        sheet.refresh_from_db()
    return sheet


def _sheet_claim_number(batch: ScanBatch, reading: SheetReading) -> ScannedSheet:
    fields = {
        "batch": batch,
        "survey_id": batch.survey_id,
        "sheet_number": reading.sheet_number,
        "scan_pages": list(reading.scan_pages),
    }
    if Response.objects.filter(
        survey_id=batch.survey_id, sheet_number=reading.sheet_number
    ).exists():
        return ScannedSheet.objects.create(state=ScannedSheetState.DUPLICATE, **fields)
    try:
        with transaction.atomic():
            return ScannedSheet.objects.create(state=ScannedSheetState.REVIEW, **fields)
    except IntegrityError:
        # The same number waits for review or is stored already (another stack, or another
        # process at the same moment): the constraint decides.
        return ScannedSheet.objects.create(state=ScannedSheetState.DUPLICATE, **fields)


def _answer_record(sheet: ScannedSheet, reading) -> ScanAnswer:
    proposed = [answer.as_json() for answer in reading.answers]
    answer = ScanAnswer(
        sheet=sheet,
        question_id=reading.question_id,
        proposed=proposed,
        confidence=reading.confidence,
        reason=reading.review_reason[:300],
        confirmed=None if reading.needs_review else proposed,
    )
    # Cut-outs are kept only where somebody has to look: less personal data on disk.
    if reading.needs_review and reading.crop_png:
        answer.crop.save("crop.png", ContentFile(reading.crop_png), save=False)
    answer.save()
    if reading.needs_review:
        for position, png in enumerate(reading.text_crops):
            crop = ScanTextCrop(answer=answer, position=position)
            crop.image.save("text.png", ContentFile(png), save=False)
            crop.save()
    return answer


# --- Review ----------------------------------------------------------------------------------


def scan_answer_confirm(*, answer: ScanAnswer, answers: list[AnswerInput], user) -> ScannedSheet:
    """Confirm (or correct) one answer of a sheet in review; the last confirmation stores
    the sheet. Raises ``ScanReviewError`` if the sheet is no longer in review (somebody else
    finished it) or cannot be stored."""
    if any(a.question_id != answer.question_id for a in answers):
        raise ScanReviewError(_("The answer does not belong to this question."))
    with transaction.atomic():
        # Two people confirming the same sheet: the second waits here, then sees its state.
        sheet = ScannedSheet.objects.select_for_update().get(pk=answer.sheet_id)
        if sheet.state != ScannedSheetState.REVIEW:
            raise ScanReviewError(
                _("Sheet %(number)s has already been dealt with.") % {"number": sheet.sheet_number}
            )
        taken = ScanAnswer.objects.filter(pk=answer.pk, confirmed__isnull=True).update(
            confirmed=[a.as_json() for a in answers], confirmed_by=user
        )
        if not taken:
            raise ScanReviewError(_("This answer has been confirmed by somebody else already."))
        if not sheet.answers.filter(confirmed__isnull=True).exists():
            _sheet_store_locked(sheet, user)
    sheet.refresh_from_db()
    return sheet


def scan_sheet_store(*, sheet: ScannedSheet, user) -> ScannedSheet:
    """Store a sheet whose answers are all confirmed (see ``scan_answer_confirm``)."""
    with transaction.atomic():
        locked = ScannedSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.state != ScannedSheetState.REVIEW:
            raise ScanReviewError(
                _("Sheet %(number)s has already been dealt with.") % {"number": locked.sheet_number}
            )
        _sheet_store_locked(locked, user)
    return locked


def _sheet_store_locked(sheet: ScannedSheet, user) -> None:
    survey = sheet.survey
    confirmed: dict[int, list[AnswerInput]] = defaultdict(list)
    for question_id, rows in sheet.answers.values_list("question_id", "confirmed"):
        if rows is None:
            raise ScanReviewError(_("Not every answer of this sheet is confirmed yet."))
        confirmed[question_id].extend(AnswerInput.from_json(row) for row in rows)
    answers = sheet_answers_as_entered(survey=survey, confirmed=confirmed)
    try:
        with transaction.atomic():
            response = paper_sheet_submit(
                survey=survey,
                answers=answers,
                sheet_number=sheet.sheet_number,
                batch=sheet.batch.label,
                entered_by=user,
            )
    except SubmissionError as error:
        if Response.objects.filter(survey=survey, sheet_number=sheet.sheet_number).exists():
            # Typed in by hand meanwhile: this scan is a duplicate, nothing is stored twice.
            ScannedSheet.objects.filter(pk=sheet.pk).update(state=ScannedSheetState.DUPLICATE)
            sheet.state = ScannedSheetState.DUPLICATE
            return
        raise ScanReviewError(error.message) from error
    ScannedSheet.objects.filter(pk=sheet.pk).update(
        state=ScannedSheetState.STORED, response=response, stored_by=user, problems=""
    )
    sheet.state = ScannedSheetState.STORED


def sheet_answers_as_entered(
    *, survey: Survey, confirmed: dict[int, list[AnswerInput]]
) -> list[AnswerInput]:
    """The confirmed answers of a sheet through the paper-entry forms: display conditions
    decided from the sheet itself, answers to hidden questions dropped, every value checked
    as if typed in."""
    definition = selectors.survey_definition(survey=survey)
    data = answers_form_data(
        questions=definition.questions,
        answers=confirmed,
        prefix=lambda question: f"s{question.section_id}",
    )
    entries = paper_section_forms(definition=definition, data=data)
    shown = [form for _section, form, is_shown in entries if is_shown]
    if not all(form.is_valid() for form in shown):
        errors = "; ".join(
            f"{label}: {error}" for form in shown for _id, label, error in form.error_summary()
        )
        raise ScanReviewError(_("The sheet cannot be stored: %(errors)s") % {"errors": errors})
    return [answer for form in shown for answer in form.answer_inputs()]


def scan_answers_to_review(*, survey: Survey):
    """The answers of ``survey``'s scanned sheets still waiting for staff, sheet by sheet,
    in questionnaire order."""
    return (
        ScanAnswer.objects.filter(
            sheet__survey=survey,
            sheet__state=ScannedSheetState.REVIEW,
            confirmed__isnull=True,
        )
        .select_related("sheet")
        .order_by(
            "sheet__sheet_number",
            "sheet_id",
            "question__section__position",
            "question__position",
            "pk",
        )
    )


# --- Retention -------------------------------------------------------------------------------


def _files_of(batches) -> list[str]:
    names = [name for name in batches.values_list("file", flat=True) if name]
    names += [
        name
        for name in ScanAnswer.objects.filter(sheet__batch__in=batches).values_list(
            "crop", flat=True
        )
        if name
    ]
    names += list(
        ScanTextCrop.objects.filter(answer__sheet__batch__in=batches).values_list(
            "image", flat=True
        )
    )
    return names


def _files_delete(names: Iterable[str]) -> None:
    for name in names:
        try:
            private_storage.delete(name)
        except OSError:
            logger.exception("scan file could not be deleted", extra={"file": name})


def scan_batches_delete(*, survey: Survey | None = None, batches=None) -> int:
    """Delete scanned stacks (of ``survey``, or the given queryset) with their sheets,
    readings and every file; the files go once the deletion is committed. Returns the
    number of stacks."""
    if batches is None:
        batches = ScanBatch.objects.filter(survey=survey)
    names = _files_of(batches)
    count = batches.count()
    batches.delete()
    transaction.on_commit(lambda: _files_delete(names))
    return count
