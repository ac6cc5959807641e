"""The three demo questionnaires: the Bürgerbefragung 2019 (closed, with synthetic
responses), the open mobility survey that uses every question kind, and the open survey
that takes part with access codes. Each is created only if its slug does not exist."""

import datetime
from zoneinfo import ZoneInfo

from portal.models import Municipality, Topic
from survey.demo.texts import PRIVACY, TEXTS_2019
from survey.kinds.yes_no import YES
from survey.models import (
    AccessMode,
    Condition,
    ConditionOperator,
    MatrixItem,
    Option,
    Question,
    QuestionKind,
    Section,
    Survey,
    SurveyStatus,
)
from survey.synthetic import responses_generate

BERLIN = ZoneInfo("Europe/Berlin")
SURVEY_2019 = "buergerbefragung-2019"
SURVEY_MOBILITY = "mobilitaet-2026"
SURVEY_CODES = "nahversorgung-2026"
# The age groups of both demo surveys (the 2019 questionnaire's, kept in 2026 to compare).
AGE_GROUPS = ["unter 18", "18 bis 29", "30 bis 44", "45 bis 59", "60 bis 74", "75 und älter"]
RESPONSES_2019 = 356


def _when(year, month, day, hour=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=BERLIN)


def _question(section, code, kind, text, *, position, options=(), items=(), **fields):
    question = Question.objects.create(
        section=section, code=code, kind=kind, text=text, position=position, **fields
    )
    for number, option in enumerate(options, start=1):
        if isinstance(option, Municipality):
            Option.objects.create(
                question=question,
                label=option.name,
                value=number,
                position=number,
                municipality=option,
            )
        else:
            label, is_other = option if isinstance(option, tuple) else (option, False)
            Option.objects.create(
                question=question, label=label, value=number, position=number, is_other=is_other
            )
    for number, label in enumerate(items, start=1):
        MatrixItem.objects.create(question=question, label=label, position=number)
    return question


def _municipality_batch(residence: Question):
    """Paper sheets were handed in at the office of the municipality people live in."""
    offices = {option.pk: f"Rathaus {option.label}" for option in residence.options.all()}

    def batch_for(answers):
        for answer in answers:
            if answer.question_id == residence.pk and answer.option_id in offices:
                return offices[answer.option_id]
        return "Kooperationsmanagement"

    return batch_for


def seed_2019(stdout) -> Survey | None:
    if Survey.objects.filter(slug=SURVEY_2019).exists():
        return None
    municipalities = list(Municipality.objects.order_by("name"))
    survey = Survey.objects.create(
        title="Bürgerbefragung 2019",
        slug=SURVEY_2019,
        intro=(
            "Wie lebt es sich im Oschatzer Land, und was sollen die sieben Kommunen gemeinsam "
            "anpacken? Mit dieser Befragung beginnt die Beteiligung an der Zusammenarbeit von "
            "Dahlen, Mügeln, Oschatz, Cavertitz, Liebschützberg, Naundorf und Wermsdorf. "
            "Das Ausfüllen dauert etwa zehn Minuten; den Fragebogen gibt es auch auf Papier "
            "in den Amtsblättern und in den Rathäusern."
        ),
        privacy_notice=PRIVACY,
        opens_at=_when(2019, 6, 17, 8),
        closes_at=_when(2019, 7, 29, 18),
        status=SurveyStatus.CLOSED,
        is_anonymous=True,
        access_mode=AccessMode.OPEN,
    )
    survey.topics.set(Topic.objects.all())
    person = Section.objects.create(survey=survey, title="Zu Ihrer Person", position=1)
    residence = _question(
        person,
        "F1",
        QuestionKind.SINGLE,
        "In welcher Stadt oder Gemeinde wohnen Sie?",
        position=1,
        required=True,
        is_breakdown=True,
        breakdown_label="Kommune",
        options=municipalities,
    )
    _question(
        person,
        "F2",
        QuestionKind.SINGLE,
        "Wie alt sind Sie?",
        position=2,
        is_breakdown=True,
        breakdown_label="Altersgruppe",
        options=AGE_GROUPS,
    )
    _question(
        person,
        "F3",
        QuestionKind.SINGLE,
        "Welches Geschlecht haben Sie?",
        position=3,
        is_breakdown=True,
        breakdown_label="Geschlecht",
        options=["weiblich", "männlich", "divers"],
    )
    home = Section.objects.create(
        survey=survey,
        title="Ihre Stadt oder Gemeinde",
        description="Die Fragen dieser Seite beziehen sich auf den Ort, in dem Sie wohnen.",
        position=2,
    )
    _question(
        home,
        "F4",
        QuestionKind.LONG_TEXT,
        "Was muss in Ihrer Stadt oder Gemeinde unbedingt getan werden?",
        position=1,
        help_text="Nennen Sie gern mehrere Dinge.",
    )
    development = _question(
        home,
        "F5",
        QuestionKind.MATRIX,
        "Wie hat sich Ihr Ort entwickelt, und wie wird er sich entwickeln?",
        position=2,
        scale_min=1,
        scale_max=5,
        scale_min_label="deutlich schlechter",
        scale_max_label="deutlich besser",
        items=["in den vergangenen zehn Jahren", "in den nächsten zehn Jahren"],
    )
    development.topics.set(Topic.objects.filter(slug="infrastruktur"))
    region = Section.objects.create(survey=survey, title="Das Oschatzer Land gemeinsam", position=3)
    topics = _question(
        region,
        "F6",
        QuestionKind.MULTIPLE,
        "Welche Themen sollten die sieben Kommunen gemeinsam angehen?",
        position=1,
        max_choices=5,
        options=[topic.name for topic in Topic.objects.order_by("position")]
        + [("anderes Thema", True)],
    )
    topics.topics.set(Topic.objects.all())
    _question(
        region,
        "F7",
        QuestionKind.LONG_TEXT,
        "Sie hätten eine Million Euro für das Oschatzer Land: Was würden Sie sofort umsetzen?",
        position=2,
    )
    responses_generate(
        survey=survey,
        count=RESPONSES_2019,
        seed=2019,
        paper_share=0.3,
        texts=TEXTS_2019,
        batch_for=_municipality_batch(residence),
    )
    stdout.write(f"survey: {survey.title} mit {RESPONSES_2019} Antworten angelegt.")
    return survey


def seed_mobility(stdout, *, opens_at=None, closes_at=None) -> Survey | None:
    if Survey.objects.filter(slug=SURVEY_MOBILITY).exists():
        return None
    municipalities = list(Municipality.objects.order_by("name"))
    survey = Survey.objects.create(
        title="Mobilität im Oschatzer Land 2026",
        slug=SURVEY_MOBILITY,
        intro=(
            "Radverkehr und ÖPNV waren 2019 die Themen, die Ihnen am wichtigsten waren. Jetzt "
            "fragen wir genauer: Wie sind Sie unterwegs, was fehlt, was funktioniert? Die "
            "Antworten fließen in das Mobilitätskonzept der Kooperation ein. Vier bis fünf "
            "kurze Seiten, etwa fünf Minuten."
        ),
        privacy_notice=PRIVACY,
        opens_at=opens_at or _when(2026, 11, 2, 8),
        closes_at=closes_at or _when(2027, 1, 15, 18),
        status=SurveyStatus.OPEN,
        is_anonymous=True,
        access_mode=AccessMode.OPEN,
    )
    survey.topics.set(Topic.objects.filter(slug__in=["radverkehr", "oepnv", "infrastruktur"]))
    about = Section.objects.create(survey=survey, title="Über Sie", position=1)
    _question(
        about,
        "M0",
        QuestionKind.INFO,
        "Alle Fragen außer der nach Ihrem Wohnort und Ihren Wegen sind freiwillig.",
        position=0,
        help_text="Wenn Sie eine Frage nicht beantworten möchten, lassen Sie sie einfach aus.",
    )
    residence = _question(
        about,
        "M1",
        QuestionKind.SINGLE,
        "Wo wohnen Sie?",
        position=1,
        required=True,
        is_breakdown=True,
        breakdown_label="Kommune",
        options=[*municipalities, "außerhalb des Oschatzer Landes"],
    )
    _question(
        about,
        "M2",
        QuestionKind.DROPDOWN,
        "Wie alt sind Sie?",
        position=2,
        is_breakdown=True,
        breakdown_label="Altersgruppe",
        options=AGE_GROUPS,
    )
    _question(
        about,
        "M3",
        QuestionKind.NUMBER,
        "Wie viele Personen leben in Ihrem Haushalt, Sie eingeschlossen?",
        position=3,
        number_min=1,
        number_max=15,
    )
    ways = Section.objects.create(survey=survey, title="Ihre Wege", position=2)
    means = _question(
        ways,
        "M4",
        QuestionKind.MULTIPLE,
        "Womit sind Sie im Alltag meistens unterwegs?",
        position=1,
        required=True,
        max_choices=3,
        options=[
            "Auto",
            "Bus",
            "Bahn",
            "Fahrrad oder E-Bike",
            "zu Fuß",
            ("anders", True),
        ],
    )
    _question(
        ways,
        "M5",
        QuestionKind.SCALE,
        "Wie zufrieden sind Sie mit Bus und Bahn an Ihrem Wohnort?",
        position=2,
        required=True,
        scale_min=1,
        scale_max=5,
        scale_min_label="sehr unzufrieden",
        scale_max_label="sehr zufrieden",
    ).topics.set(Topic.objects.filter(slug="oepnv"))
    _question(
        ways,
        "M6",
        QuestionKind.SHORT_TEXT,
        "Welche Strecke fahren Sie am häufigsten?",
        position=3,
        help_text="Zum Beispiel: Mügeln – Oschatz",
    )
    ticket = _question(
        ways,
        "M6a",
        QuestionKind.YES_NO,
        "Haben Sie ein Deutschlandticket?",
        position=4,
    )
    since = _question(
        ways,
        "M6b",
        QuestionKind.DATE,
        "Seit wann haben Sie das Deutschlandticket?",
        position=5,
        help_text="Ungefähr genügt, zum Beispiel 01.05.2023.",
    )
    # Shown on the same page as soon as "Ja" is ticked (checked again on the server).
    Condition.objects.create(
        question=since, source=ticket, operator=ConditionOperator.EQUALS, value=YES
    )
    rating = Section.objects.create(survey=survey, title="Ihre Bewertung", position=3)
    _question(
        rating,
        "M7",
        QuestionKind.MATRIX,
        "Wie bewerten Sie an Ihrem Wohnort …",
        position=1,
        required=True,
        scale_min=1,
        scale_max=5,
        scale_min_label="sehr schlecht",
        scale_max_label="sehr gut",
        items=[
            "die Radwege",
            "die Gehwege",
            "die Busverbindungen",
            "die Barrierefreiheit der Haltestellen",
        ],
    ).topics.set(Topic.objects.filter(slug__in=["radverkehr", "oepnv"]))
    bike_km = _question(
        rating,
        "M8",
        QuestionKind.NUMBER,
        "Wie viele Kilometer fahren Sie an einem gewöhnlichen Tag mit dem Rad?",
        position=2,
        number_min=0,
        number_max=200,
    )
    bike_km.condition_question = means
    bike_km.save()
    bike_km.condition_options.set(means.options.filter(label="Fahrrad oder E-Bike"))
    _question(
        rating,
        "M8a",
        QuestionKind.RANKING,
        "Was sollte zuerst besser werden? Bringen Sie die Punkte in eine Reihenfolge.",
        position=3,
        options=[
            "Radwege",
            "Busverbindungen",
            "Gehwege",
            "Bahnhöfe und Haltestellen",
            "Parkplätze",
        ],
    ).topics.set(Topic.objects.filter(slug__in=["radverkehr", "oepnv"]))
    oschatz = Section.objects.create(
        survey=survey,
        title="Stadtverkehr Oschatz",
        description="Diese Seite sehen nur Befragte, die in Oschatz wohnen.",
        position=4,
        condition_question=residence,
    )
    oschatz.condition_options.set(residence.options.filter(municipality__slug="oschatz"))
    _question(
        oschatz,
        "M9",
        QuestionKind.SINGLE,
        "Wie oft nutzen Sie den Stadtbus in Oschatz?",
        position=1,
        options=["fast täglich", "jede Woche", "seltener", "nie"],
    )
    ideas = Section.objects.create(survey=survey, title="Ihre Ideen", position=5)
    _question(
        ideas,
        "M10",
        QuestionKind.LONG_TEXT,
        "Was würde Ihnen am meisten helfen, auch ohne eigenes Auto gut unterwegs zu sein?",
        position=1,
    )
    stdout.write(f"survey: {survey.title} (offen) angelegt.")
    return survey


def seed_code_survey(stdout) -> Survey | None:
    """An open survey that takes part with access codes only (printed on invitations)."""
    if Survey.objects.filter(slug=SURVEY_CODES).exists():
        return None
    survey = Survey.objects.create(
        title="Nahversorgung in den Ortsteilen 2026",
        slug=SURVEY_CODES,
        intro=(
            "Wo kaufen Sie ein, und was fehlt in Ihrem Ortsteil? Diese kurze Befragung geht "
            "mit der Einladung per Post an zufällig ausgewählte Haushalte. Bitte geben Sie den "
            "Zugangscode von Ihrem Brief ein; jeder Code gilt einmal."
        ),
        privacy_notice=PRIVACY,
        # Closes after the mobility survey, which stays the one advertised on the home page.
        opens_at=_when(2026, 11, 2, 8),
        closes_at=_when(2027, 2, 26, 18),
        status=SurveyStatus.OPEN,
        is_anonymous=True,
        access_mode=AccessMode.CODES,
    )
    survey.topics.set(Topic.objects.filter(slug__in=["infrastruktur"]))
    page = Section.objects.create(survey=survey, title="Einkaufen im Ortsteil", position=1)
    _question(
        page,
        "N1",
        QuestionKind.SINGLE,
        "Wo wohnen Sie?",
        position=1,
        required=True,
        is_breakdown=True,
        breakdown_label="Kommune",
        options=[*Municipality.objects.order_by("name"), "außerhalb des Oschatzer Landes"],
    )
    _question(
        page,
        "N2",
        QuestionKind.SCALE,
        "Wie zufrieden sind Sie mit den Einkaufsmöglichkeiten in Ihrem Ortsteil?",
        position=2,
        required=True,
        scale_min=1,
        scale_max=5,
        scale_min_label="gar nicht zufrieden",
        scale_max_label="sehr zufrieden",
    )
    _question(
        page,
        "N3",
        QuestionKind.LONG_TEXT,
        "Was fehlt Ihnen vor Ort am meisten?",
        position=3,
    )
    stdout.write(f"survey: {survey.title} (offen, mit Zugangscodes) angelegt.")
    return survey
