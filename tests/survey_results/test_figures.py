"""Published figures are right: rounded half up, the same on page and CSV, and dated truly."""

import csv
import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from survey.models import Answer, Channel, Option, QuestionKind, Response, SurveyStatus
from survey.results.services import results_publish
from tests.factories import QuestionFactory, SectionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _url(survey, name="survey:results"):
    return reverse(name, kwargs={"slug": survey.slug})


@pytest.fixture
def tricky():
    """356 responses whose shares catch truncation and binary rounding:

    R1: 121 of 356 → 33,988 % (truncated: 33,9) and 235 → 66,011 %;
    R2: 1 of 80 → 1,25 % and 79 → 98,75 % (ties: a float prints 1,2 and 98,8);
    R3: scale six times 2 and twice 3 → mean 2,25 (a tie; a mean over fewer than 5 people
    is never published);
    R4: scale 1, 2, 2, 3 (n = 4): counts, but neither shares nor a mean.
    """
    now = timezone.now()
    survey = SurveyFactory(
        slug="rundung",
        status=SurveyStatus.CLOSED,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
    )
    section = SectionFactory(survey=survey)
    r1 = QuestionFactory(section=section, code="R1", kind=QuestionKind.SINGLE, position=1)
    r2 = QuestionFactory(section=section, code="R2", kind=QuestionKind.SINGLE, position=2)
    r3 = QuestionFactory(section=section, code="R3", kind=QuestionKind.SCALE, position=3)
    r4 = QuestionFactory(section=section, code="R4", kind=QuestionKind.SCALE, position=4)
    a1, b1 = (Option.objects.create(question=r1, label=x, value=i) for i, x in enumerate("AB"))
    a2, b2 = (Option.objects.create(question=r2, label=x, value=i) for i, x in enumerate("CD"))
    responses = Response.objects.bulk_create(
        Response(survey=survey, channel=Channel.ONLINE, submitted_on=datetime.date(2026, 1, 5))
        for _ in range(356)
    )
    answers = [
        Answer(response=r, question=r1, option=a1 if i < 121 else b1)
        for i, r in enumerate(responses)
    ]
    answers += [
        Answer(response=r, question=r2, option=a2 if i == 0 else b2)
        for i, r in enumerate(responses[:80])
    ]
    answers += [
        Answer(response=r, question=r3, number=v)
        for r, v in zip(responses, [2] * 6 + [3] * 2, strict=False)
    ]
    answers += [
        Answer(response=r, question=r4, number=v)
        for r, v in zip(responses, [1, 2, 2, 3], strict=False)
    ]
    Answer.objects.bulk_create(answers)
    results_publish(survey=survey, user=None, publisher_name="Test")
    return survey


def test_shares_are_rounded_half_up_on_page_and_csv(client, tricky):
    page = client.get(_url(tricky)).content.decode()
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get(_url(tricky, "survey:results_csv"))).decode()),
            delimiter=";",
        )
    )
    share = {(row[0], row[3]): row[6] for row in rows if row[0]}

    assert share[("R1", "A")] == "34,0"
    assert share[("R1", "B")] == "66,0"
    assert share[("R2", "C")] == "1,3"
    assert share[("R2", "D")] == "98,8"
    assert share[("R3", "Mittelwert")] == "2,3"
    for value in ["34,0", "66,0", "1,3", "98,8"]:
        assert f"{value}\u00a0%" in page, value
    assert "33,9" not in page
    assert "1,2\u00a0%" not in page
    assert "Mittelwert: 2,3" in page


def test_page_and_csv_agree_on_every_share(client, tricky):
    page = client.get(_url(tricky)).content.decode()
    rows = csv.reader(
        io.StringIO(b"".join(client.get(_url(tricky, "survey:results_csv"))).decode()),
        delimiter=";",
    )
    on_page = set(re.findall(r"(\d+,\d)\u00a0%", page))
    next(rows)
    for row in rows:
        if row[0] and row[6] not in {"", "–"} and row[3] != "Mittelwert":
            assert row[6] in on_page, row


def test_no_share_of_a_base_under_five(client, tricky):
    rows = csv.reader(
        io.StringIO(b"".join(client.get(_url(tricky, "survey:results_csv"))).decode()),
        delimiter=";",
    )
    scale = [row for row in rows if row[0] == "R4"]

    assert [row[5] for row in scale] == ["1", "2", "1", "0", "0", ""]  # counts yes
    assert all(row[6] in {"", "–"} for row in scale)  # n = 4: shares no
    assert scale[-1][3] == "Mittelwert"
    assert scale[-1][6] == "–"  # and no mean


def _as_of(client, survey) -> str:
    body = client.get(_url(survey)).content.decode()
    return re.search(r"Stand: (\d+\. \w+ \d{4})", body).group(1)


def _day(day: datetime.date) -> str:
    with translation.override("de"):
        return dateformat.format(day, "j. F Y")


def test_stand_of_a_survey_closed_early_is_not_its_planned_end(client):
    today = timezone.localdate()
    survey = SurveyFactory(
        slug="frueh-beendet",
        status=SurveyStatus.CLOSED,  # staff closed it a month before its planned end
        opens_at=timezone.now() - datetime.timedelta(days=10),
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    SectionFactory(survey=survey)

    results_publish(survey=survey, user=None, publisher_name="Test")

    assert survey.publication.data_as_of == today
    assert _as_of(client, survey) == _day(today)  # not the planned end a month ahead


def test_stand_is_the_day_staff_set_and_never_in_the_future(client, tricky):
    tricky.publication.data_as_of = datetime.date(2026, 1, 20)
    tricky.publication.save()
    assert _as_of(client, tricky) == "20. Januar 2026"

    tricky.publication.data_as_of = timezone.localdate() + datetime.timedelta(days=40)
    tricky.publication.save()  # e.g. typed into the admin before this check existed
    published = timezone.localdate(tricky.publication.published_at)
    assert _as_of(client, tricky) == _day(published)

    with pytest.raises(ValidationError):
        results_publish(
            survey=tricky, user=None, data_as_of=timezone.localdate() + datetime.timedelta(days=1)
        )
