"""Writes of the survey app. An online response is stored only through the mixing pool
(``response_pool``, then ``response_pool_flush``), a paper sheet only by ``response_submit``;
both build their answers with ``survey.answers.answer_rows``, the one place to audit what
a response contains.

The answer check is in ``survey.answers`` (what fits a question: ``survey.kinds``), access
codes in ``survey.access_codes``; the access-code services are re-exported here (``as``)
for the views, the demo and tests."""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from survey import selectors
from survey.access_codes import access_codes_generate as access_codes_generate
from survey.access_codes import format_access_code as format_access_code
from survey.access_codes import normalize_access_code as normalize_access_code
from survey.answers import SubmissionError, answer_rows, answers_check
from survey.kinds import AnswerInput
from survey.models import (
    AccessCode,
    Answer,
    Channel,
    Condition,
    MatrixItem,
    Option,
    PooledResponse,
    Question,
    Response,
    Section,
    Survey,
    SurveyStatus,
)
from survey.results.caching import survey_results_invalidate
from survey.sealing import Unsealable, seal, unseal
from survey.selectors import sealed_box_size
from survey.trial import survey_is_testable, trial_responses_discard

logger = logging.getLogger(__name__)


def response_submit(
    *,
    survey: Survey,
    answers: list[AnswerInput],
    sheet_number: int | None = None,
    channel: str = Channel.PAPER,
    batch: str = "",
    entered_by=None,
    today: datetime.date | None = None,
) -> Response:
    """Store one paper questionnaire with all its answers in one transaction, at once.

    Paper only: an online questionnaire goes through ``response_pool`` and nothing else, so
    that no code, session or moment pairs a participant with the response. Staff enter
    sheets while the survey is open or closed (sheets arrive after the deadline), never
    twice the same number. Stores the day only: no time, no IP address, no user agent.
    """
    if channel != Channel.PAPER:
        # Online answers written here would skip the mixing pool (and their code would be
        # spent in the same moment): refused, whoever calls.
        raise SubmissionError(_("Online responses go through the mixing pool."))
    if survey.status not in {SurveyStatus.OPEN, SurveyStatus.CLOSED}:
        raise SubmissionError(_("Paper questionnaires can no longer be entered."))
    if sheet_number is None:
        raise SubmissionError(_("A paper questionnaire needs its sheet number."))
    answers_check(survey=survey, answers=answers)
    return _response_store(
        survey=survey,
        answers=answers,
        channel=Channel.PAPER,
        sheet_number=sheet_number,
        batch=batch,
        entered_by=entered_by,
        today=today or timezone.localdate(),
    )


POOL_PURPOSE = "pool"


def pool_size() -> int:
    return max(1, int(getattr(settings, "SURVEY_POOL_SIZE", 10)))


def response_pool(
    *,
    survey: Survey,
    answers: list[AnswerInput],
    access_code: str | None = None,
    today: datetime.date | None = None,
    definition: selectors.SurveyDefinition | None = None,
) -> None:
    """Take one online questionnaire: use up the access code at once, let the answers wait in
    the mixing pool, and write part of the pool out as responses once twice
    ``SURVEY_POOL_SIZE`` of the day wait (the rest of each day by ``survey_flush_pool``,
    the following night; see ``response_pool_flush``).

    Three transactions of their own, so that no row ties them together: the code (the
    ``used`` mark and the day), the sealed pool row (random id, no time, encrypted answers
    and the day), and the batch, written in random order. Whoever holds the database can
    pair a code or a session with the pool row written just after it, but not open that
    row; the response appears later, shuffled among at least the pool size of others.
    """
    today = today or timezone.localdate()
    if not survey.is_running():
        raise SubmissionError(_("This survey is not open, so nothing was stored."))
    answers_check(survey=survey, answers=answers)
    code = None
    if survey.uses_codes:
        code = _access_code_use(survey=survey, code=access_code or "", today=today)
    try:
        sealed = seal(
            {"day": today.isoformat(), "answers": [answer.as_json() for answer in answers]},
            purpose=POOL_PURPOSE,
            # The questionnaire the answers were checked against (``definition``, loaded on
            # this request), or the current one.
            size=sealed_box_size(
                definition=definition or selectors.survey_definition_cached(survey=survey)
            ),
        )
        with transaction.atomic():
            PooledResponse.objects.create(survey=survey, sealed=sealed)
    except BaseException:
        if code is not None:
            _access_code_restore(code_id=code)
        raise
    try:
        response_pool_flush(survey=survey, today=today, wait=False)
    except Exception as error:
        # The participant's answers are safe in the pool and the code is spent: they must
        # see the thank-you page. The next submission or the daily job writes the batch.
        # Only the kind of error: its text could quote an answer, and the log line has a time.
        logger.error(
            "survey pool: batch not written (%s), left for the next attempt",
            type(error).__name__,
        )


def _pool_lock(survey: Survey, *, wait: bool) -> bool:
    """One batch per survey at a time, across app servers (SQLite serialises writes anyway).
    Without ``wait``, False at once when another batch is being written."""
    if connection.vendor != "postgresql":
        return True
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtext('survey_pool'), %s)", [survey.pk])
        return wait or cursor.fetchone()[0]


def response_pool_flush(
    *,
    survey: Survey,
    today: datetime.date | None = None,
    include_today: bool = False,
    wait: bool = True,
) -> int:
    """Write responses waiting in the pool of ``survey`` in random order in one transaction;
    return how many were written.

    The day stands at every response and at every spent code, so each day's responses are
    a group of their own whatever is written with them. Hence: the responses of days that
    are over are written all together; those of ``today`` only once twice the pool size
    wait, and then all but a random pool size of them. So a day's last arrivals are never
    written as a small group of their own (the daily job writes what is left of a day, at
    least the pool size if the day had that many), a batch never mixes the day before with
    the first arrivals after midnight, and the time a batch is written says nothing about
    when its responses arrived except "before". ``include_today`` writes everything (for an
    operator who needs the figures at once, and for a pool size of 1).

    Answers to questions, options or items deleted meanwhile are left out (they could not
    be stored); a row sealed with a key no longer known stays in the pool and is reported.

    ``wait=False`` (a participant's request): while another batch of the survey is being
    written, write nothing rather than queue behind it; that batch or the next one takes
    what waits.
    """
    today = (today or timezone.localdate()).isoformat()
    size = pool_size()
    random = secrets.SystemRandom()
    with transaction.atomic():
        if not _pool_lock(survey, wait=wait):
            return 0
        rows = list(PooledResponse.objects.filter(survey=survey).values_list("id", "sealed"))
        if not rows:
            return 0
        past, current, unreadable = [], [], 0
        for pk, sealed in rows:
            try:
                entry = unseal(sealed, purpose=POOL_PURPOSE)
            except Unsealable:
                unreadable += 1
                continue
            (past if entry["day"] < today else current).append((pk, entry))
        if unreadable:
            logger.warning(
                "survey pool: %d responses cannot be unsealed (secret key changed?)",
                unreadable,
                extra={"survey": survey.pk},
            )
        chosen = past
        if include_today or size == 1:
            chosen = chosen + current
        elif len(current) >= 2 * size:
            random.shuffle(current)
            chosen = chosen + current[: len(current) - size]
        if not chosen:
            return 0
        random.shuffle(chosen)
        _pool_write(survey=survey, entries=[entry for _pk, entry in chosen])
        PooledResponse.objects.filter(pk__in=[pk for pk, _entry in chosen]).delete()
        transaction.on_commit(lambda: survey_results_invalidate(survey.pk))
    return len(chosen)


def _pool_write(*, survey: Survey, entries: list[dict]) -> None:
    questions = set(Question.objects.filter(survey=survey).values_list("pk", flat=True))
    options = set(Option.objects.filter(question__survey=survey).values_list("pk", flat=True))
    items = set(MatrixItem.objects.filter(question__survey=survey).values_list("pk", flat=True))
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            channel=Channel.ONLINE,
            submitted_on=datetime.date.fromisoformat(entry["day"]),
        )
        for entry in entries
    )
    Answer.objects.bulk_create(
        row
        for response, entry in zip(responses, entries, strict=True)
        for row in answer_rows(
            response=response,
            answers=(
                AnswerInput.from_json(answer)
                for answer in entry["answers"]
                if answer["question_id"] in questions
                and answer["option_id"] in options | {None}
                and answer["item_id"] in items | {None}
            ),
        )
    )


def response_pool_flush_all(*, include_today: bool = False) -> dict[Survey, int]:
    """The daily job: write every survey's waiting responses of the days that are over,
    however few (``response_pool_flush``)."""
    written = {}
    for survey in Survey.objects.filter(
        pk__in=PooledResponse.objects.values("survey_id").distinct()
    ):
        count = response_pool_flush(survey=survey, include_today=include_today)
        if count:
            written[survey] = count
    return written


@transaction.atomic
def _access_code_use(*, survey: Survey, code: str, today: datetime.date) -> int:
    """Use up a code in a transaction of its own: were it written in the response's
    transaction, PostgreSQL's row versions (``xmin``) would tie the code to the response."""
    row = (
        AccessCode.objects.select_for_update()
        .filter(survey=survey, code=code, used=False)
        .values_list("pk", flat=True)
        .first()
    )
    if row is None:
        raise SubmissionError(_("This access code is unknown or has already been used."))
    AccessCode.objects.filter(pk=row).update(used=True, used_on=today)
    return row


@transaction.atomic
def _access_code_restore(*, code_id: int) -> None:
    """Storing the response failed: the participant may use the code again."""
    AccessCode.objects.filter(pk=code_id).update(used=False, used_on=None)


@transaction.atomic
def _response_store(
    *, survey, answers, channel, sheet_number, batch, entered_by, today
) -> Response:
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                channel=channel,
                submitted_on=today,
                sheet_number=sheet_number,
                batch=batch,
                entered_by=entered_by,
            )
    except IntegrityError as error:
        raise SubmissionError(
            _("Sheet %(number)s has already been entered.") % {"number": sheet_number}
        ) from error
    Answer.objects.bulk_create(answer_rows(response=response, answers=answers))
    # Computed results include this response from now on (after the commit, so a rolled-back
    # response never empties a cache).
    transaction.on_commit(lambda: survey_results_invalidate(survey.pk))
    return response


@transaction.atomic
def survey_duplicate(*, survey: Survey, title: str | None = None) -> Survey:
    """Copy a questionnaire (sections, questions, options, items, display conditions,
    topics) into a new draft survey without responses or codes, e.g. for next year's."""
    slug_base = f"{survey.slug}-kopie"[:90]
    slug, number = slug_base, 2
    while Survey.objects.filter(slug=slug).exists():
        slug, number = f"{slug_base}-{number}", number + 1
    copy = Survey.objects.create(
        title=title or _("%(title)s (copy)") % {"title": survey.title},
        slug=slug,
        intro=survey.intro,
        privacy_notice=survey.privacy_notice,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        status=SurveyStatus.DRAFT,
        is_anonymous=survey.is_anonymous,
        access_mode=survey.access_mode,
    )
    copy.topics.set(survey.topics.all())
    question_map: dict[int, Question] = {}
    option_map: dict[int, Option] = {}
    conditional: list[tuple[Section | Question, object]] = []
    for section in survey.sections.order_by("position", "id"):
        old_section = Section.objects.get(pk=section.pk)
        section.pk = None
        section.survey = copy
        section.save()
        conditional.append((section, old_section))
        for question in old_section.questions.order_by("position", "id"):
            old_question = Question.objects.get(pk=question.pk)
            question.pk = None
            question.section = section
            question.save()
            question.topics.set(old_question.topics.all())
            question_map[old_question.pk] = question
            conditional.append((question, old_question))
            for option in old_question.options.order_by("position", "id"):
                old_pk = option.pk
                option.pk = None
                option.question = question
                option.save()
                option_map[old_pk] = option
            for item in old_question.items.order_by("position", "id"):
                item.pk = None
                item.question = question
                item.save()
    for new, old in conditional:
        _conditions_copy(new, old, question_map, option_map)
    return copy


def _conditions_copy(new, old, question_map: dict, option_map: dict) -> None:
    """The display conditions of a copied page or question, onto the copied questions."""
    for condition in old.conditions.prefetch_related("options"):
        if condition.source_id not in question_map:
            continue
        copied = Condition.objects.create(
            section=new if isinstance(new, Section) else None,
            question=new if isinstance(new, Question) else None,
            source=question_map[condition.source_id],
            operator=condition.operator,
            value=condition.value,
        )
        copied.options.set(
            [option_map[o.pk] for o in condition.options.all() if o.pk in option_map]
        )
    if old.condition_question_id is None:
        return
    new.condition_question = question_map.get(old.condition_question_id)
    new.save(update_fields=["condition_question"])
    new.condition_options.set(
        [option_map[o.pk] for o in old.condition_options.all() if o.pk in option_map]
    )


def survey_open(*, survey: Survey) -> None:
    """Open a survey for participation, but only once the activation check finds nothing:
    otherwise ValidationError with every problem (``survey_activation_problems``). Its test
    responses are deleted when it opens (``survey_opened``)."""
    if survey.status == SurveyStatus.PUBLISHED:
        raise ValidationError(
            _("The results of this survey are published; take them offline first.")
        )
    problems = selectors.survey_activation_problems(survey=survey)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if survey.status != SurveyStatus.OPEN:
            survey.status = SurveyStatus.OPEN
            survey.save(update_fields=["status"])
        survey_opened(survey=survey)


def survey_opened(*, survey: Survey) -> None:
    """After the status became open (action, change form): test responses go once the
    survey takes part for real; a scheduled survey keeps them until its time
    (``trial_responses_discard_opened``, also run by the first participant)."""
    if not survey_is_testable(survey=survey):
        trial_responses_discard(survey=survey)
