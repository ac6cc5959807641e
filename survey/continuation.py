"""Save and continue later: a participant puts the questionnaire aside and gets a
continuation code of four German words, shown once; with it the questionnaire resumes on
any device for up to CONTINUATION_DAYS days, once.

The words come from ``survey/data/fortsetzungswoerter.txt``: 2,048 everyday German words,
written for this project (same licence as the project), lower case, umlauts and ß spelt
ae/oe/ue/ss so they can be typed on any keyboard. Four words: 2048^4 = 2^44 codes. Wrong
codes count against the same per-address guessing limit as access codes
(SURVEY_CODE_ATTEMPTS_PER_HOUR), so one address can try 720 a day: with 10,000 waiting
questionnaires a hit takes about 6,700 years.

Stored: the sealed state (AES-GCM, key from the secret key, padded to the survey's size
class) under an HMAC of the code, and the day it expires. Nothing about the participant.
The state leaves the session when it is put aside, so exactly one copy exists at a time;
resuming deletes the stored copy before the state goes back into a session, so a
submitted questionnaire leaves nothing behind that could be paired with its response."""

import datetime
import functools
import re
import secrets
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from survey.models import ContinuationState, Survey
from survey.sealing import Unsealable, seal, unseal
from survey.selectors import SurveyDefinition, sealed_box_size

CONTINUATION_DAYS = 14
WORDS_PER_CODE = 4
WORD_LIST = Path(__file__).parent / "data" / "fortsetzungswoerter.txt"
PURPOSE = "continuation"
_SPELLINGS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@functools.cache
def continuation_words() -> tuple[str, ...]:
    words = tuple(WORD_LIST.read_text(encoding="utf-8").split())
    if len(words) != 2048 or len(set(words)) != len(words):
        raise RuntimeError(f"{WORD_LIST} must hold 2048 different words.")
    return words


def continuation_code_new() -> str:
    return " ".join(secrets.choice(continuation_words()) for _n in range(WORDS_PER_CODE))


def normalize_continuation_code(value: str) -> str:
    """The words as typed, forgivingly: any case, umlauts or ae/oe/ue, any separators."""
    words = re.split(r"[^a-z]+", value[:200].lower().translate(_SPELLINGS))
    return " ".join(word for word in words if word)


def _key_hash(code: str) -> str:
    return salted_hmac("survey.continuation", code, algorithm="sha256").hexdigest()


def _access_code_hash(access_code: str) -> str:
    if not access_code:
        return ""
    return salted_hmac(
        "survey.continuation.access_code", access_code, algorithm="sha256"
    ).hexdigest()


def continuations_forget_access_code(access_code: str) -> None:
    """The access code was spent: a questionnaire put aside with it can never be sent, and
    must not wait next to the response it became (sent from another device meanwhile)."""
    if access_code:
        ContinuationState.objects.filter(access_code_hash=_access_code_hash(access_code)).delete()


def continuations_purge(*, today: datetime.date | None = None) -> int:
    """Delete the questionnaires put aside whose time is over; how many."""
    today = today or timezone.localdate()
    deleted, _detail = ContinuationState.objects.filter(expires_on__lt=today).delete()
    return deleted


def continuation_store(
    *, survey: Survey, definition: SurveyDefinition, state: dict
) -> tuple[str, datetime.date]:
    """Put a questionnaire state aside: the new continuation code and its last valid day."""
    continuations_purge()
    expires_on = timezone.localdate() + datetime.timedelta(days=CONTINUATION_DAYS)
    box = seal(state, purpose=PURPOSE, size=sealed_box_size(definition=definition))
    for _attempt in range(5):
        code = continuation_code_new()
        try:
            with transaction.atomic():
                ContinuationState.objects.create(
                    key_hash=_key_hash(code),
                    survey=survey,
                    box=box,
                    expires_on=expires_on,
                    access_code_hash=_access_code_hash(state.get("code", "")),
                )
        except IntegrityError:  # the same four words are waiting already: draw again
            continue
        return code, expires_on
    raise RuntimeError("No free continuation code found.")


def continuation_take(*, survey: Survey, code: str) -> dict | None:
    """The questionnaire state put aside under ``code`` for ``survey``, deleted in the same
    step (single use); None for an unknown, expired, spent or other survey's code."""
    code = normalize_continuation_code(code)
    if len(code.split()) != WORDS_PER_CODE:
        return None
    with transaction.atomic():
        row = (
            ContinuationState.objects.select_for_update()
            .filter(key_hash=_key_hash(code), survey=survey, expires_on__gte=timezone.localdate())
            .first()
        )
        if row is None:
            return None
        row.delete()
    try:
        state = unseal(row.box, purpose=PURPOSE)
    except Unsealable:
        return None
    return state if isinstance(state, dict) else None
