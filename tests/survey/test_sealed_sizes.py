"""The size of a sealed box under attack. A pool row is written in the transaction right
after its code is spent, and a session row holds the questionnaire (with the code) until it
expires; whoever holds the database (or a dump taken while responses wait) sees the length
of both. If one participant's box is longer than the others', it pairs that code and that
session with the one response in the batch whose free texts are long.

Before: boxes were padded to powers of two from 4 KiB, so a long free text (up to 5,000
characters; each umlaut is six bytes in JSON) made a bigger box.
"""

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models.functions import Length
from django.utils import timezone

from survey.models import Answer, QuestionKind
from tests.survey.conftest import db_rows

LONG = ("Über die Döllnitz nach Mügeln, dann weiter bis Oschatz. " * 88).strip()  # 4,927 chars
WIDE = ("Mit dem Rad von Naundorf über Zschöllau. " * 100).strip()  # on page two of four


@pytest.mark.django_db(transaction=True)
def test_box_sizes_pair_no_code_and_no_session_with_a_response(filler, settings, monkeypatch):
    survey = filler.survey
    # Code surveys have no per-address limit; only wrong codes count.
    settings.SURVEY_POOL_SIZE = 3
    # A questionnaire with a long free text before its last page.
    survey.questions.filter(code="M6").update(kind=QuestionKind.LONG_TEXT)
    codes = filler.use_codes(5)
    sessions = {}
    for n, code in enumerate(codes):
        # The third person writes at length, on page two and on the last page.
        way = WIDE if n == 2 else f"Weg {n}"
        ideas = LONG if n == 2 else f"Idee {n}"
        client = filler.send_with_code(code, way=way, ideas=ideas)
        sessions[code] = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    # The dump taken while the five wait: pool rows and spent codes with their xmin.
    pool = db_rows(
        "SELECT xmin::text::bigint, octet_length(sealed) FROM survey_pooledresponse"
        " WHERE survey_id = %s",
        [survey.pk],
    )
    spent = db_rows(
        "SELECT code, xmin::text::bigint FROM survey_accesscode WHERE survey_id = %s AND used",
        [survey.pk],
    )
    stored_sessions = dict(
        db_rows(
            "SELECT session_key, octet_length(session_data) FROM django_session"
            " WHERE session_key = ANY(%s)",
            [list(sessions.values())],
        )
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    call_command("survey_flush_pool", verbosity=0)
    ideas = {code: LONG if n == 2 else f"Idee {n}" for n, code in enumerate(codes)}
    truth = {
        code: Answer.objects.get(question__code="M10", text=text).response_id
        for code, text in ideas.items()
    }

    # The attack: the odd-sized box, the code spent just before it, the response with the
    # longest texts; and the odd-sized session.
    def longest_response(question_code):
        return (
            Answer.objects.filter(response__survey=survey, question__code=question_code)
            .order_by(Length("text").desc())
            .values_list("response_id", flat=True)
            .first()
        )

    right = []
    sizes = sorted(size for _xmin, size in pool)
    print(f"\npool box sizes: {sizes}; session sizes: {sorted(stored_sessions.values())}")  # noqa: T201
    if sizes[-1] > sizes[0]:
        [big_xmin] = [xmin for xmin, size in pool if size == sizes[-1]]
        code = max((c for c, xmin in spent if xmin < big_xmin), key=dict(spent).get)
        if truth[code] == longest_response("M10"):
            right.append(f"code {code} via the pool row")
    session_sizes = sorted(stored_sessions.values())
    # The signed session data is compressed: a few bytes of noise, no information.
    if session_sizes[-1] > session_sizes[0] + 1024:
        key = max(stored_sessions, key=stored_sessions.get)
        code = next(c for c, s in sessions.items() if s == key)
        if truth[code] == longest_response("M6"):
            right.append(f"session of {code} via its length")
    print(f"pairs by size: {right}")  # noqa: T201 (the figure asked for)
    assert right == []
