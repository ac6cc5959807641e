"""The strongest insider against access codes: someone holding the whole PostgreSQL database
(live rows, row metadata and the dead row versions still on disk) tries to pair each used
code, and each participant's session, with the response it belongs to.

Thirty people take part through the real HTTP flow, half of them at the same moment; each
writes a text only the test knows belongs to them (that is the ground truth, never used by
the attacker). The attacker may use anything stored: ``xmin``, ``ctid``, ids, ``used_on``,
session rows with their expiry, the raw pages of the tables (``pageinspect``), pool rows.
Each strategy must pair no more people correctly than guessing does.
"""

import base64
import datetime
import json
import re
import threading
import zlib

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from survey.models import AccessCode, Answer
from tests.survey.conftest import db_rows

PEOPLE = 30
AT_ONCE = 15
# Guessing pairs about one person per batch of the mixing pool correctly (a random
# permutation of a batch has one fixed point on average; three batches of ten: Poisson(3)
# at most). More than 12 of 30 happens by chance with probability below 1e-5 per strategy.
CHANCE_BOUND = 12


def _participate(filler, code: str, marker: str, outcome: dict) -> None:
    try:
        client = filler.send_with_code(code, way=marker)
        outcome["session"] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    finally:
        connection.close()


def _ctid(text: str) -> tuple[int, int]:
    page, item = text.strip("()").split(",")
    return int(page), int(item)


def _decode_session(data: str) -> dict | None:
    """Django signs session data but does not encrypt it: anyone can read it."""
    payload = data.split(":")[0]
    compressed = payload.startswith(".")
    payload = payload.lstrip(".")  # before the padding is counted, or most fail to decode
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        return json.loads(zlib.decompress(raw) if compressed else raw)
    except (ValueError, zlib.error):
        return None


def _raw_tuples(table: str) -> list[bytes]:
    """Every row version on the table's pages, live or dead (not yet vacuumed)."""
    try:
        db_rows("CREATE EXTENSION IF NOT EXISTS pageinspect")
    except DatabaseError:
        # PostgreSQL without its contrib modules: the other strategies still run.
        print("pageinspect missing: raw pages not attacked")  # noqa: T201 (say what was skipped)
        return []
    [(pages,)] = db_rows(
        "SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table]
    )
    found = []
    for page in range(pages):
        rows = db_rows(
            "SELECT t_data FROM heap_page_items(get_raw_page(%s, %s)) WHERE t_data IS NOT NULL",
            [table, page],
        )
        found.extend(bytes(data) for (data,) in rows)
    return found


def _rank_pairs(anchors: dict, anchor_key, responses: list, response_key) -> dict:
    ordered = sorted(responses, key=response_key)
    return {
        anchor: response["id"]
        for anchor, response in zip(sorted(anchors, key=anchor_key), ordered, strict=False)
    }


def _next_after(anchors: dict, xmin_of, responses: list) -> dict:
    """Each anchor gets the first response written after it (by xmin, then id)."""
    free = sorted(responses, key=lambda r: (r["xmin"], r["id"]))
    pairs = {}
    for anchor in sorted(anchors, key=xmin_of):
        for response in free:
            if response["xmin"] > xmin_of(anchor):
                pairs[anchor] = response["id"]
                free.remove(response)
                break
    return pairs


def _previous_before(anchors: dict, xmin_of, responses: list) -> dict:
    """Each anchor gets the last response written before it (session rewritten after)."""
    free = sorted(responses, key=lambda r: (r["xmin"], r["id"]), reverse=True)
    pairs = {}
    for anchor in sorted(anchors, key=xmin_of, reverse=True):
        for response in free:
            if response["xmin"] < xmin_of(anchor):
                pairs[anchor] = response["id"]
                free.remove(response)
                break
    return pairs


def _texts_in_raw_sessions() -> list[tuple[str, dict]]:
    """Session row versions (live and dead) decoded: (session key, data)."""
    decoded = []
    for data in _raw_tuples("django_session"):
        text = data.decode("latin-1")
        key = re.search(r"[a-z0-9]{32}", text)
        for token in re.findall(r"[A-Za-z0-9_\-.:]{40,}", text):
            content = _decode_session(token)
            if content is not None and key:
                decoded.append((key.group(0), content))
    return decoded


def _take_part(filler, codes: list[str], markers: dict) -> dict:
    """Every code through the real HTTP flow: half at the same moment, half one after
    another. Returns each code's outcome (its session key)."""
    outcomes = {code: {} for code in codes}
    start = threading.Barrier(AT_ONCE)

    def together(code):
        start.wait()
        _participate(filler, code, markers[code], outcomes[code])

    threads = [threading.Thread(target=together, args=(c,)) for c in codes[:AT_ONCE]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for code in codes[AT_ONCE:]:
        _participate(filler, code, markers[code], outcomes[code])
    return outcomes


def _stored_rows(survey, session_keys: list[str]) -> tuple[list, dict, dict]:
    """What the attacker reads: responses, used codes and sessions with row metadata."""
    responses = [
        {"id": pk, "xmin": int(xmin), "ctid": _ctid(ctid)}
        for pk, xmin, ctid in db_rows(
            "SELECT id, xmin::text, ctid::text FROM survey_response WHERE survey_id = %s",
            [survey.pk],
        )
    ]
    used = {
        code: {"xmin": int(xmin), "ctid": _ctid(ctid), "day": day}
        for code, xmin, ctid, day in db_rows(
            "SELECT code, xmin::text, ctid::text, used_on FROM survey_accesscode"
            " WHERE survey_id = %s AND used",
            [survey.pk],
        )
    }
    sessions = {
        key: {"xmin": int(xmin), "expires": expires}
        for key, xmin, expires in db_rows(
            "SELECT session_key, xmin::text, expire_date FROM django_session"
            " WHERE session_key = ANY(%s)",
            [session_keys],
        )
    }
    return responses, used, sessions


def _code_pairings(used: dict, responses: list) -> dict[str, dict]:
    return {
        "codes: xmin rank ↔ response xmin rank": _rank_pairs(
            used, lambda c: used[c]["xmin"], responses, lambda r: (r["xmin"], r["id"])
        ),
        "codes: xmin rank ↔ response id rank": _rank_pairs(
            used, lambda c: used[c]["xmin"], responses, lambda r: r["id"]
        ),
        "codes: ctid rank ↔ response ctid rank": _rank_pairs(
            used, lambda c: used[c]["ctid"], responses, lambda r: r["ctid"]
        ),
        "codes: used_on day, then xmin ↔ response id": _rank_pairs(
            used, lambda c: (used[c]["day"], used[c]["xmin"]), responses, lambda r: r["id"]
        ),
        "codes: next response written after the code": _next_after(
            used, lambda c: used[c]["xmin"], responses
        ),
    }


def _session_pairings(sessions: dict, responses: list) -> dict[str, dict]:
    return {
        "sessions: expiry rank ↔ response id rank": _rank_pairs(
            sessions, lambda s: sessions[s]["expires"], responses, lambda r: r["id"]
        ),
        "sessions: xmin rank ↔ response xmin rank": _rank_pairs(
            sessions, lambda s: sessions[s]["xmin"], responses, lambda r: (r["xmin"], r["id"])
        ),
        "sessions: last response written before the session": _previous_before(
            sessions, lambda s: sessions[s]["xmin"], responses
        ),
        "sessions: next response written after the session": _next_after(
            sessions, lambda s: sessions[s]["xmin"], responses
        ),
    }


def _own_texts_in(content: str, texts: dict) -> list[int]:
    """The responses whose route text (only that person's) the content holds."""
    return [
        response_id
        for text, response_id in texts.items()
        if text.startswith("Strecke") and text in content
    ]


def _raw_pairings(survey, used: dict, session_keys: list[str]) -> tuple[dict, dict]:
    """Row versions on disk, dead ones included: whatever text they hold that also appears
    in a response pairs a code or a session with it. Returns (by code, by session)."""
    texts = dict(
        Answer.objects.filter(response__survey=survey)
        .exclude(text="")
        .values_list("text", "response_id")
    )
    # The live session rows first: a large session_data is stored out of line (TOAST), so
    # the raw heap pages do not show it, but a plain SELECT does.
    live_sessions = [
        (key, _decode_session(data))
        for key, data in db_rows(
            "SELECT session_key, session_data FROM django_session WHERE session_key = ANY(%s)",
            [session_keys],
        )
    ]
    by_code, by_session = {}, {}
    for key, content in [*live_sessions, *_texts_in_raw_sessions()]:
        flat = json.dumps(content, ensure_ascii=False)
        for response_id in _own_texts_in(flat, texts):
            by_session[key] = response_id
            by_code.update({code: response_id for code in used if code in flat})
    for table in ["survey_accesscode", *_pool_tables()]:
        for data in _raw_tuples(table):
            flat = data.decode("utf-8", "replace")
            for response_id in _own_texts_in(flat, texts):
                by_code.update({code: response_id for code in used if code in flat})
    return by_code, by_session


@pytest.mark.django_db(transaction=True)
def test_insider_cannot_pair_codes_or_sessions_with_responses(filler, monkeypatch, settings):
    survey = filler.survey
    settings.SURVEY_CODE_ATTEMPTS_PER_HOUR = 1000
    settings.SURVEY_POOL_SIZE = 10  # the default (the other tests write each at once)
    codes = filler.use_codes(PEOPLE)
    markers = {code: f"Strecke Nummer {n:02d} nach Oschatz" for n, code in enumerate(codes)}
    outcomes = _take_part(filler, codes, markers)
    assert all("session" in outcome for outcome in outcomes.values())
    # Whatever still waits in the pool is written by the daily job, the following night.
    if "survey_flush_pool" in _commands():
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
        call_command("survey_flush_pool", verbosity=0)

    # Ground truth (the attacker does not have it): which response is whose.
    truth = dict(
        Answer.objects.filter(question__code="M6", text__in=markers.values()).values_list(
            "text", "response_id"
        )
    )
    assert len(truth) == PEOPLE
    code_truth = {code: truth[markers[code]] for code in codes}
    session_truth = {outcomes[code]["session"]: truth[markers[code]] for code in codes}
    assert AccessCode.objects.filter(survey=survey, used=True).count() == PEOPLE

    # --- The attack: only what is stored. ----------------------------------------------
    responses, used, sessions = _stored_rows(survey, list(session_truth))
    by_code, by_session = _raw_pairings(survey, used, list(session_truth))
    strategies: dict[str, tuple[dict, dict]] = {
        **{name: (pairs, code_truth) for name, pairs in _code_pairings(used, responses).items()},
        **{
            name: (pairs, session_truth)
            for name, pairs in _session_pairings(sessions, responses).items()
        },
        "codes: raw row versions of sessions and pool": (by_code, code_truth),
        "sessions: raw row versions of sessions": (by_session, session_truth),
    }

    scores = {
        name: sum(1 for anchor, guess in pairs.items() if truth_of.get(anchor) == guess)
        for name, (pairs, truth_of) in strategies.items()
    }
    report = "\n".join(f"{score:2d}/{PEOPLE}  {name}" for name, score in scores.items())
    print(f"\nattack on {PEOPLE} code responses:\n{report}")  # noqa: T201 (the figure asked for)
    assert max(scores.values()) <= CHANCE_BOUND, report


def _commands() -> set[str]:
    from django.core.management import get_commands

    return set(get_commands())


def _pool_tables() -> list[str]:
    return [
        name
        for (name,) in db_rows(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'survey\\_%%pool%%'"
        )
    ]
