"""The mixing pool's groups under attack: someone with the database looks at which responses
were written together (same ``xmin``) and on which day (``submitted_on``), and at which codes
were spent on that day before that write (``used_on``, ``xmin``). Wherever that leaves one
response and one code, the pair is certain, whatever the order inside the batch.

Before: a batch that crossed midnight split into day groups of one (the first code of the
new day, or the last of the old), and the daily job wrote the day's leftover (the last
submitters) or the early hours of the next day as a group of its own.
"""

import datetime
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from survey.models import AccessCode, Answer, PooledResponse
from tests.survey.conftest import db_rows


def _certain_pairs(survey) -> dict[str, int]:
    """The attacker: batches in the order written; in each, the responses of one day can
    only belong to codes of that day spent before the batch and not yet accounted for by an
    earlier batch. One response and one such code: a certain pair."""
    responses = db_rows(
        "SELECT id, xmin::text::bigint, submitted_on FROM survey_response WHERE survey_id = %s",
        [survey.pk],
    )
    codes = db_rows(
        "SELECT code, xmin::text::bigint, used_on FROM survey_accesscode"
        " WHERE survey_id = %s AND used",
        [survey.pk],
    )
    groups = defaultdict(list)
    for pk, xmin, day in responses:
        groups[(xmin, day)].append(pk)
    accounted, pairs = set(), {}
    for (xmin, day), members in sorted(groups.items()):
        candidates = [c for c, c_xmin, c_day in codes if c_day == day and c_xmin < xmin]
        candidates = [c for c in candidates if c not in accounted]
        accounted.update(candidates)
        if len(members) == 1 and len(candidates) == 1:
            pairs[candidates[0]] = members[0]
    return pairs


@pytest.mark.django_db(transaction=True)
def test_no_code_is_alone_with_a_response_in_a_group(filler, settings, monkeypatch):
    survey = filler.survey
    # Code surveys have no per-address limit; only wrong codes count.
    settings.SURVEY_POOL_SIZE = 3
    codes = filler.use_codes(7)
    markers = {code: f"Weg von Person {n}" for n, code in enumerate(codes)}
    monday = timezone.localdate()

    def on(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    # Four people on Monday; after midnight two more, the daily job, a third; the daily job
    # in the small hours of Wednesday.
    on(monday)
    for code in codes[:4]:
        filler.send_with_code(code, way=markers[code])
    on(monday + datetime.timedelta(days=1))
    for code in codes[4:6]:
        filler.send_with_code(code, way=markers[code])
    call_command("survey_flush_pool", verbosity=0)
    filler.send_with_code(codes[6], way=markers[codes[6]])
    on(monday + datetime.timedelta(days=2))
    call_command("survey_flush_pool", verbosity=0)

    assert PooledResponse.objects.count() == 0
    assert AccessCode.objects.filter(survey=survey, used=True).count() == 7
    truth = {
        code: Answer.objects.get(question__code="M6", text=markers[code]).response_id
        for code in codes
    }
    pairs = _certain_pairs(survey)
    right = sorted(code for code, response in pairs.items() if truth[code] == response)
    print(f"\ncertain code ↔ response pairs: {len(right)} of 7 right")  # noqa: T201 (the figure)
    assert right == []


@pytest.mark.django_db(transaction=True)
def test_a_late_arrival_is_not_written_alone_after_a_full_batch(filler, settings, monkeypatch):
    # A busy day: twice the pool size arrive, a batch is written; one more arrives later.
    # Had the batch taken everyone waiting, the daily job would write the late one alone,
    # next to the one code spent after the batch.
    settings.SURVEY_POOL_SIZE = 3
    codes = filler.use_codes(7)
    markers = {code: f"Weg von Person {n}" for n, code in enumerate(codes)}
    for code in codes:
        filler.send_with_code(code, way=markers[code])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    call_command("survey_flush_pool", verbosity=0)

    assert PooledResponse.objects.count() == 0
    truth = {
        code: Answer.objects.get(question__code="M6", text=markers[code]).response_id
        for code in codes
    }
    pairs = _certain_pairs(filler.survey)
    assert sorted(code for code, response in pairs.items() if truth[code] == response) == []
