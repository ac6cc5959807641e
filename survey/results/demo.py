"""Demo results: the 2019 survey's free texts coded into themes, a few quotes released,
weighting targets from the municipality profiles, results published. Called from
``survey.demo.seed`` after the surveys exist; idempotent."""

import datetime

from django.utils import translation

from survey.models import Answer, AnswerTheme, Quote, ResultsPublication, Survey, Theme
from survey.results.services import results_publish
from survey.results.weighting_admin import weighting_targets_prefill

SURVEY_SLUG = "buergerbefragung-2019"
PUBLISHER = "Kooperationsmanagement Oschatzer Land"

# Themes per question code, each with the keywords that put a demo answer into it.
THEMES = {
    "F4": [
        ("Internet und Mobilfunk", ["internet", "mbit", "glasfaser", "homeoffice"]),
        (
            "Straßen, Rad- und Fußwege",
            ["radweg", "fußweg", "straße", "querung", "ortsdurchfahrt"],
        ),
        (
            "Vereine, Ehrenamt und Zusammenhalt",
            ["verein", "ehrenamt", "zusammenhalt", "dorffest", "treffpunkt"],
        ),
        ("Kinder, Jugend und Familien", ["kita", "spielplatz", "familien", "kinder", "jugend"]),
        ("Ortsbild und Sauberkeit", ["sauberkeit", "müll", "hundekot", "leerstehend"]),
        ("Arbeit und Versorgung", ["gewerbe", "einkauf", "arbeit", "bauplätze"]),
        ("Feuerwehr", ["feuerwehr"]),
    ],
    "F7": [
        ("Bäder und Badeteiche", ["bad", "teich"]),
        ("Bahn, Bus und Radwege", ["döllnitzbahn", "taxi", "s 24", "radwege"]),
        ("Kultur und Freizeit", ["kino", "ausstellung", "eisbahn", "veranstaltungen"]),
        ("Internet", ["internet"]),
        ("Spielplätze", ["spielplätze"]),
    ],
}
QUOTES = {
    "F4": [
        "Ein Radweg nach Oschatz, damit die Kinder sicher zur Schule kommen.",
        "Mehr für den Zusammenhalt tun: Dorffeste, Treffpunkte, Vereine stärken.",
    ],
    "F7": [
        "Die Döllnitzbahn verlängern, damit sie alle Kommunen verbindet.",
        "Ein Gemeinschaftstaxi für die Dörfer, besonders für Ältere.",
    ],
}


def seed(*, stdout) -> None:
    survey = Survey.objects.filter(slug=SURVEY_SLUG).first()
    if survey is None or ResultsPublication.objects.filter(survey=survey).exists():
        return
    coded = 0
    for code, themes in THEMES.items():
        question = survey.questions.filter(code=code).first()
        if question is None:
            continue
        created = [
            Theme.objects.create(question=question, label=label, position=position)
            for position, (label, _keywords) in enumerate(themes, start=1)
        ]
        codings = []
        for answer in Answer.objects.filter(question=question).only("id", "text"):
            text = answer.text.lower()
            for theme, (_label, keywords) in zip(created, themes, strict=True):
                if any(keyword in text for keyword in keywords):
                    codings.append(AnswerTheme(answer=answer, theme=theme))
        AnswerTheme.objects.bulk_create(codings)
        coded += len(codings)
        for position, text in enumerate(QUOTES.get(code, []), start=1):
            source = Answer.objects.filter(question=question, text=text).first()
            Quote.objects.create(
                question=question, answer=source, text=text, is_released=True, position=position
            )
    # Weighted by the inhabitants per municipality: the public figures of the municipality
    # profiles (no made-up age or gender targets in the demo).
    with translation.override("de"):
        weighting_targets_prefill(survey=survey)
    publication = results_publish(survey=survey, user=None, publisher_name=PUBLISHER)
    publication.data_as_of = datetime.date(2019, 7, 29)
    publication.delete_raw_after = datetime.date(2027, 12, 31)
    publication.save(update_fields=["data_as_of", "delete_raw_after"])
    stdout.write(f"survey: Ergebnisse „{survey.title}“ veröffentlicht ({coded} Codierungen).")
