"""A small survey whose results are counted by hand in the tests.

Twelve responses (r1 … r12):

- F1 residence (breakdown): Ahausen r1–r6 (6, population 1,000), Bedorf r7–r10 (4,
  population 2,000), Cestadt r12 (1), Dewitz r11 (1).
- Channel: r1–r8 online, r9–r12 paper.
- F3 multiple choice (x, y, z, other): r1 x y · r2 x · r3 y other · r4 x z · r5 – · r6 x ·
  r7 z · r8 x y z · r9 other · r10 y · r11 – · r12 x → x 6, y 4, z 3, other 2 of 10.
- F4 matrix 1–5: r1 i1=5 i2=4 · r2 i1=4 · r3 i1=4 i2=2 → i1 mean 4.33 (n 3), i2 3.0 (n 2).
- F5 scale 1–5: r1 1 · r2 2 · r3 2 · r7 5 → mean 2.5 (n 4).
- F6 free text: r1, r2, r7 with secret texts; themes T1 (r1, r2), T2 (r1).
- F7 number: r1 30 · r2 40 · r7 50 → mean 40.
"""

import datetime
from types import SimpleNamespace

import pytest
from auditlog.context import disable_auditlog

from survey.models import (
    Answer,
    AnswerTheme,
    Channel,
    MatrixItem,
    Option,
    QuestionKind,
    Response,
    SurveyStatus,
    Theme,
)
from tests.factories import MunicipalityFactory, QuestionFactory, SectionFactory, SurveyFactory

SECRETS = ["GEHEIM-FREITEXT-ALPHA", "GEHEIM-FREITEXT-BETA", "GEHEIM-FREITEXT-GAMMA"]
OTHER_SECRETS = ["GEHEIM-SONSTIGES-EINS", "GEHEIM-SONSTIGES-ZWEI"]


def build_survey(status=SurveyStatus.CLOSED):
    now = datetime.datetime(2019, 8, 1, 12, tzinfo=datetime.UTC)
    survey = SurveyFactory(
        title="Bürgerbefragung Testland",
        slug="testland",
        status=status,
        opens_at=now - datetime.timedelta(days=40),
        closes_at=now,
    )
    person = SectionFactory(survey=survey, title="Zu Ihrer Person", position=1)
    topics = SectionFactory(survey=survey, title="Ihre Meinung", position=2)
    places = [
        MunicipalityFactory(name=name, slug=name.lower(), population=population)
        for name, population in [
            ("Ahausen", 1000),
            ("Bedorf", 2000),
            ("Cestadt", 500),
            ("Dewitz", 800),
        ]
    ]
    f1 = QuestionFactory(
        section=person,
        code="F1",
        kind=QuestionKind.SINGLE,
        text="Wo wohnen Sie?",
        is_breakdown=True,
        breakdown_label="Kommune",
        position=1,
    )
    residence = [
        Option.objects.create(question=f1, label=m.name, value=i, position=i, municipality=m)
        for i, m in enumerate(places, start=1)
    ]
    f3 = QuestionFactory(
        section=topics, code="F3", kind=QuestionKind.MULTIPLE, text="Was ist wichtig?", position=1
    )
    x, y, z, other = (
        Option.objects.create(question=f3, label=label, value=i, position=i, is_other=i == 4)
        for i, label in enumerate(["Radwege", "Bus", "Internet", "anderes"], start=1)
    )
    f4 = QuestionFactory(
        section=topics,
        code="F4",
        kind=QuestionKind.MATRIX,
        text="Wie bewerten Sie …",
        position=2,
        scale_min_label="schlecht",
        scale_max_label="gut",
    )
    i1 = MatrixItem.objects.create(question=f4, label="Straßen", position=1)
    i2 = MatrixItem.objects.create(question=f4, label="Schulen", position=2)
    f5 = QuestionFactory(
        section=topics, code="F5", kind=QuestionKind.SCALE, text="Wie zufrieden?", position=3
    )
    f6 = QuestionFactory(
        section=topics, code="F6", kind=QuestionKind.LONG_TEXT, text="Was fehlt?", position=4
    )
    t1 = Theme.objects.create(question=f6, label="Verkehr", position=1)
    t2 = Theme.objects.create(question=f6, label="Kultur", position=2)
    f7 = QuestionFactory(
        section=topics, code="F7", kind=QuestionKind.NUMBER, text="Wie alt sind Sie?", position=5
    )

    home = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 3, 2]
    responses = []
    for index in range(12):
        paper = index >= 8
        responses.append(
            Response.objects.create(
                survey=survey,
                channel=Channel.PAPER if paper else Channel.ONLINE,
                submitted_on=datetime.date(2019, 7, 1 + index),
                sheet_number=100 + index if paper else None,
                batch="Rathaus Ahausen" if paper else "",
            )
        )
    r = dict(enumerate(responses, start=1))

    def answer(resp, question, **fields):
        return Answer.objects.create(response=resp, question=question, **fields)

    for index, resp in enumerate(responses):
        answer(resp, f1, option=residence[home[index]])
    chosen = {
        1: [x, y],
        2: [x],
        3: [y, other],
        4: [x, z],
        6: [x],
        7: [z],
        8: [x, y, z],
        9: [other],
        10: [y],
        12: [x],
    }
    other_texts = iter(OTHER_SECRETS)
    for number, options in chosen.items():
        for option in options:
            answer(r[number], f3, option=option, text=next(other_texts) if option.is_other else "")
    answer(r[1], f4, item=i1, number=5)
    answer(r[1], f4, item=i2, number=4)
    answer(r[2], f4, item=i1, number=4)
    answer(r[3], f4, item=i1, number=4)
    answer(r[3], f4, item=i2, number=2)
    for number, value in [(1, 1), (2, 2), (3, 2), (7, 5)]:
        answer(r[number], f5, number=value)
    texts = [answer(r[n], f6, text=secret) for n, secret in zip([1, 2, 7], SECRETS, strict=True)]
    AnswerTheme.objects.create(answer=texts[0], theme=t1)
    AnswerTheme.objects.create(answer=texts[1], theme=t1)
    AnswerTheme.objects.create(answer=texts[0], theme=t2)
    for number, value in [(1, 30), (2, 40), (7, 50)]:
        answer(r[number], f7, number=value)
    return SimpleNamespace(
        survey=survey,
        f1=f1,
        f3=f3,
        f4=f4,
        f5=f5,
        f6=f6,
        f7=f7,
        themes=(t1, t2),
        texts=texts,
        responses=responses,
        places=places,
    )


# The fixtures set the stage without the audit log: that is not staff work, and it halves
# their time. Tests of the log itself build their data through the admin.
@pytest.fixture
def counted(db):
    with disable_auditlog():
        return build_survey()


@pytest.fixture
def published(db):
    with disable_auditlog():
        return build_survey(status=SurveyStatus.PUBLISHED)
