"""State of one participant's way through a questionnaire, kept server-side in the session
(sealed: the database holds only ciphertext), the "already taken part" mark in a signed cookie
without a time, and the per-client rate limit, kept only in the cache (never in the database)."""

import base64
import binascii
import contextlib
import datetime
import secrets
import time
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.clients import client_hash
from survey.conditions import page_facts, page_split
from survey.models import Question, Section, SubmissionLock, Survey
from survey.sealing import Unsealable, seal, unseal
from survey.selectors import SurveyDefinition, is_shown, sealed_box_size

DONE_COOKIE = "befragung_erledigt"
_DONE_SIGNER_SALT = "survey.participation.done"
STATE_PURPOSE = "participation"


class Participation:
    """Answers given so far, per section, as the cleaned form data (JSON-serialisable).

    The state is read from the session once and written back only by ``persist()``: the
    final submission does not write the session at all, so the session row keeps no trace
    of the moment the questionnaire was sent. In the session the state is sealed
    (``survey.sealing``): the code and the answers never stand readable in the database,
    not even in dead row versions.
    """

    def __init__(
        self,
        session,
        survey: Survey,
        *,
        definition: SurveyDefinition,
        done_cookie: str | None = None,
        key_prefix: str = "survey",
    ):
        self.session = session
        self.survey = survey
        self.definition = definition
        # Test mode keeps its state under a key of its own: it never mixes with a real one.
        self.key = f"{key_prefix}_{survey.pk}"
        self._state = self._load()
        self._done = _read_done(done_cookie)

    def _load(self) -> dict | None:
        box = self.session.get(self.key)
        if not box:
            return None
        try:
            return unseal(base64.b64decode(box), purpose=STATE_PURPOSE)
        except (Unsealable, binascii.Error, ValueError, TypeError):
            return None  # sealed under an old key: start again

    @property
    def state(self) -> dict | None:
        return self._state

    @property
    def active(self) -> bool:
        return self._state is not None and not self.is_finished_here()

    def start(self, *, code: str = "") -> None:
        self._state = {
            "token": secrets.token_hex(16),
            "code": code,
            "data": {},
            "complete": [],
            "reached": [],
        }
        self.persist()

    def restore(self, state: dict) -> None:
        """Take up a questionnaire put aside (``survey.continuation``) in this session."""
        self._state = state
        self.persist()

    def set_aside(self) -> dict:
        """Remove the questionnaire from this session (it is stored under a continuation
        code instead): one copy exists at a time. Returns the state."""
        state = self._state
        self._state = None
        self.session.pop(self.key, None)
        return state

    def persist(self) -> None:
        # Padded to the survey's largest questionnaire: the session row's length tells nothing.
        size = sealed_box_size(definition=self.definition)
        box = seal(self._state, purpose=STATE_PURPOSE, size=size)
        self.session[self.key] = base64.b64encode(box).decode()

    @property
    def token(self) -> str:
        return self._state["token"]

    @property
    def code(self) -> str:
        return (self._state or {}).get("code", "") if self.active else ""

    def section_data(self, section: Section) -> dict:
        return (self._state or {}).get("data", {}).get(str(section.pk), {}) if self.active else {}

    def is_complete(self, section: Section) -> bool:
        return self.active and section.pk in self._state.get("complete", [])

    def save_section(self, section: Section, data: dict, *, complete: bool) -> None:
        """Record a page in memory; ``persist()`` writes it to the session."""
        state = self._state
        state["data"][str(section.pk)] = data
        done = set(state["complete"])
        if complete:
            done.add(section.pk)
        else:
            done.discard(section.pk)
        state["complete"] = sorted(done)

    def mark_reached(self, section: Section) -> bool:
        """Remember that this questionnaire reached ``section``; True the first time (so the
        drop-out counter counts each page once per questionnaire, however often it is
        shown). In memory; ``persist()`` writes it."""
        reached = self._state.setdefault("reached", [])
        if section.pk in reached:
            return False
        reached.append(section.pk)
        return True

    def done_cookie(self) -> str:
        """The new value of the "already taken part" cookie: survey id → the token of the
        questionnaire sent from this browser. No time, nothing about the answers."""
        return signing.Signer(salt=_DONE_SIGNER_SALT).sign_object(
            {**self._done, str(self.survey.pk): self.token}
        )

    def has_finished(self) -> bool:
        """This browser sent a questionnaire of this survey."""
        return str(self.survey.pk) in self._done

    def is_finished_here(self) -> bool:
        """The questionnaire in the session is the one already sent."""
        return self._state is not None and self._done.get(str(self.survey.pk)) == self._state.get(
            "token"
        )


def _read_done(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    try:
        done = signing.Signer(salt=_DONE_SIGNER_SALT).unsign_object(value)
    except (signing.BadSignature, ValueError):
        return {}
    return done if isinstance(done, dict) else {}


class Step(NamedTuple):
    """One page a participant sees: the questions in its form, the ids of those hidden by
    answers on earlier pages, and the facts of those answers (``survey.conditions``)."""

    section: Section
    shown: list[Question]
    hidden: frozenset[int]
    known: dict


def visible_steps(definition: SurveyDefinition, data_for) -> list[Step]:
    """The pages a participant sees, given the answers so far. Display conditions refer to
    earlier pages or to questions before them on the same page, so one pass in page order
    decides everything; answers on hidden pages or to hidden questions never count."""
    facts: dict[int, list[int]] = {}
    steps = []
    for section in definition.sections:
        if not is_shown(section, facts):
            continue
        shown, hidden = page_split(section, facts)
        steps.append(Step(section, shown, hidden, dict(facts)))
        facts = page_facts(shown, data_for(section), facts)
    return steps


def _code_failures_key(request) -> str:
    return f"survey:code-failures:{client_hash(request)}:{int(time.time()) // 3600}"


def code_attempts_blocked(request) -> bool:
    """True once this client has entered too many wrong access codes in this clock hour
    (SURVEY_CODE_ATTEMPTS_PER_HOUR, default 30); checked before a code is looked at, so a
    blocked guesser learns nothing more.

    Only wrong codes count: a valid code guesses nothing, so a school with a code for every
    pupil gets in from one address however large it is. 30 wrong tries an hour are 720 a
    day; against 25^8 possible codes with 500 valid ones that is one hit in about 400,000
    days per address."""
    failures = cache.get(_code_failures_key(request)) or 0
    return failures >= settings.SURVEY_CODE_ATTEMPTS_PER_HOUR


def code_attempt_failed(request) -> None:
    _count(_code_failures_key(request), timeout=3600)


def _count(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(key)


def submission_allowed(request, *, survey: Survey) -> bool:
    """Count this questionnaire against its client address; False when the address has sent
    too many to this survey in this clock hour, this calendar day (UTC) or altogether.

    Many people may share one address (a library PC, a school class of 30, a care home), so
    the hourly limit is generous (SURVEY_SUBMISSIONS_PER_HOUR, default 40); a script that
    sheds its cookies can use it every hour, so the day caps it
    (SURVEY_SUBMISSIONS_PER_DAY, default 100), and the whole survey caps the days
    (SURVEY_SUBMISSIONS_PER_ADDRESS, default 300). One browser submits once anyway (see
    ``Participation.has_finished``). Code surveys need no address limit: every submission
    spends a single-use code, so no one can send more than the codes they were given.

    Counted in the cache only, under a keyed hash of the address; a refused attempt is not
    counted, so the counters tell how many were accepted. The increments are atomic, so
    simultaneous submissions cannot slip past the limit together."""
    if survey.uses_codes:
        return True
    client = client_hash(request)
    # The day's and the survey's counters outlive the hour, the survey's by weeks. Whoever
    # holds the cache and the secret key could test addresses against a full hash and learn
    # who took part; under 16 bits of it each counter stands for one in 65,536 addresses,
    # so it proves nothing about any one of them. Two busy addresses sharing a counter by
    # chance is rare enough (a few thousand addresses take part) to accept.
    bucket = client[:4]
    now = int(time.time())
    # The survey's counter lives until a day after it closes (then nobody can submit).
    remaining = int((survey.closes_at - timezone.now()).total_seconds())
    counted: list[str] = []
    for window, timeout, limit in (
        (f"{client}:h{now // 3600}", 3600, settings.SURVEY_SUBMISSIONS_PER_HOUR),
        (f"{bucket}:d{now // 86400}", 86400, settings.SURVEY_SUBMISSIONS_PER_DAY),
        (f"{bucket}:all", max(remaining, 0) + 86400, settings.SURVEY_SUBMISSIONS_PER_ADDRESS),
    ):
        key = f"survey:submit:{survey.pk}:{window}"
        counted.append(key)
        if _count(key, timeout=timeout) > limit:
            for done in counted:
                _uncount(done)
            return False
    return True


def submission_lock(token: str) -> bool:
    """True for the first of several simultaneous final submissions of one questionnaire.

    The lock is a row with a unique token, so it holds across app servers and workers
    whether or not they share a cache.
    """
    today = timezone.localdate()
    SubmissionLock.objects.filter(created_on__lt=today - datetime.timedelta(days=1)).delete()
    try:
        with transaction.atomic():
            SubmissionLock.objects.create(token=token, created_on=today)
    except IntegrityError:
        return False
    return True


def release_submission_lock(token: str) -> None:
    SubmissionLock.objects.filter(token=token).delete()
