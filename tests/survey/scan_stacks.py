"""Real scanned stacks for tests: numbered copies printed from the survey's own PDF, ticked
as told and "scanned" by the test-set generator (``survey.scanning.testset``), for the real
reader to read."""

import random
from pathlib import Path

from survey.models import Option, Question, QuestionKind, Section, Survey
from survey.scanning.printing import layout_for_survey, paper_sheets_issue
from survey.scanning.testset import Pen, images_write, scan_images

INK = Pen(ink=30, width=1.1)


def small_survey(slug: str = "nahversorgung-scan") -> Survey:
    """An open survey of one page: where do you live, how often do you shop in the village."""
    from tests.factories import SurveyFactory

    survey = SurveyFactory(slug=slug, title="Einkaufen im Dorf 2026")
    section = Section.objects.create(survey=survey, title="Einkaufen", position=1)
    questions = {
        "E1": ("Wo wohnen Sie?", ["Oschatz", "Mügeln", "Dahlen"]),
        "E2": ("Wie oft kaufen Sie im Dorfladen ein?", ["nie", "monatlich", "wöchentlich"]),
    }
    for position, (code, (text, labels)) in enumerate(questions.items(), start=1):
        question = Question.objects.create(
            survey=survey,
            section=section,
            code=code,
            kind=QuestionKind.SINGLE,
            text=text,
            position=position,
        )
        for value, label in enumerate(labels, start=1):
            Option.objects.create(question=question, label=label, value=value, position=value)
    return survey


def stack_write(survey: Survey, path: Path, sheets: list[dict[str, list[str]]], dpi=200) -> list:
    """Write one multi-page PDF: a copy per entry of ``sheets`` (question code → the labels
    ticked on it; two labels on a single choice make an ambiguous answer). Returns the sheet
    numbers."""
    layout = layout_for_survey(survey=survey)
    numbers = paper_sheets_issue(survey=survey, count=len(sheets), layout=layout, user=None)
    options = {
        (option.question.code, option.label): option.pk
        for option in Option.objects.filter(question__survey=survey).select_related("question")
    }
    rng = random.Random(7)
    images = []
    for offset, ticks in enumerate(sheets):
        wanted = {options[(code, label)] for code, labels in ticks.items() for label in labels}
        marks = [
            (box["page"], "tick", box)
            for box in layout.data["boxes"]
            if box.get("role") == "choice" and box.get("option_id") in wanted
        ]
        images += scan_images(layout, numbers.first + offset, dpi, marks, rng, pen=INK)
    images_write(images, path, dpi=dpi)
    return [numbers.first + offset for offset in range(len(sheets))]
