"""Attack: a tiny group with a large weight. Figures withheld by disclosure control must
stay "–" in the weighted results everywhere they are published (page, CSV, chart downloads,
PDF report), weighted (default) and unweighted (``?gewichtet=0``): a weight can make a
group's weighted base look large, never its figures publishable.

Counted by hand. Municipality A: 20 responses, population 1,000; B: 5 responses (the
threshold), population 1,000; so B weighs four times as much as A (A 25 · ½ / 20 = 0.625,
B 25 · ½ / 5 = 2.5).

- F2 (yes/no, everybody): A 10 yes / 10 no, B 3 yes / 2 no. Broken down by municipality,
  B's counts 3 and 2 are below 5: withheld. B's share would be 60.0 % (weighted the same,
  one weight within B); A 50.0 %, all 52.0 % unweighted, (6.25 + 7.5) / 25 = 55.0 % weighted.
- F3 (yes/no) was answered by four people only: B 2 yes + 1 no, A 1 no. A base of 4 is below
  the threshold: no share at all. Unweighted it would be 50.0 %; weighted the base is
  3 · 2.5 + 0.625 = 8.125 (above 5!) and the share 5 / 8.125 = 61.5 %.
"""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from survey.models import Answer, Option, QuestionKind, Response, WeightingTarget
from survey.results.compute import compute_results
from tests.factories import MunicipalityFactory, QuestionFactory
from tests.survey_results.test_weighting import NO, YES, _survey_with_questions

pytestmark = pytest.mark.django_db

PERCENT = re.compile(r"\d+,\d\s?%")
# What the withheld cells would show.
F2_B_SHARE = "60,0"
F3_SHARES = ("50,0", "61,5")


@pytest.fixture
def tiny_heavy_group():
    survey, f1, f2 = _survey_with_questions(title="Kleine schwere Gruppe", slug="schwer")
    f3 = QuestionFactory(
        section=f2.section, code="F3", kind=QuestionKind.YES_NO, text="Nur wenige?", position=3
    )
    places = {}
    for value, name in enumerate(["A", "B"], start=1):
        place = MunicipalityFactory(name=f"Ort {name} schwer", slug=f"ort-{name.lower()}-schwer")
        places[name] = Option.objects.create(
            question=f1, label=f"Ort {name}", value=value, position=value, municipality=place
        )
        WeightingTarget.objects.create(
            survey=survey,
            option=places[name],
            population=1000,
            source="Statistisches Landesamt Sachsen",
            as_of=datetime.date(2019, 12, 31),
        )
    people = (
        [("A", YES, NO)]
        + [("A", YES, None)] * 9
        + [("A", NO, None)] * 10
        + [("B", YES, YES)] * 2
        + [("B", YES, NO)]
        + [("B", NO, None)] * 2
    )
    for index, (place, f2_value, f3_value) in enumerate(people):
        response = Response.objects.create(
            survey=survey, channel="online", submitted_on=datetime.date(2019, 7, 1 + index % 28)
        )
        Answer.objects.create(response=response, question=f1, option=places[place])
        Answer.objects.create(response=response, question=f2, number=f2_value)
        if f3_value is not None:
            Answer.objects.create(response=response, question=f3, number=f3_value)
    return survey


def test_the_hand_computed_figures_hold(tiny_heavy_group):
    """The control: the weighting does weigh B four times, and the withheld cells are the
    ones the attack aims at (so the tests below could fail)."""
    weighted = compute_results(survey=tiny_heavy_group, breakdown="F1")
    f2, f3 = weighted.sections[0].questions[1:]
    assert weighted.weighted
    assert str(f2.rows[0].cells[0].percent) == "55.0"
    assert [c.label for c in weighted.columns] == ["Alle", "Ort A", "Ort B"]
    b_yes = f2.rows[0].cells[2]
    assert b_yes.suppressed
    assert b_yes.weighted_count == pytest.approx(7.5)  # what a careless page would print
    assert f3.base == 4
    assert f3.rows[0].cells[0].weighted_base == pytest.approx(8.125)
    assert f3.rows[0].cells[0].percent_withheld


def _section(html: str, survey, code: str) -> str:
    """The part of the results page about question ``code``."""
    question = survey.questions.get(code=code)
    start = html.index(f'aria-labelledby="q-{question.pk}"')
    return html[start : html.index("</section>", start)]


def _no_figure(part: str, shares) -> None:
    for share in shares:
        assert share not in part
    assert "±" not in part
    assert "Prozentpunkte" not in part
    assert "▲" not in part
    assert "▼" not in part


@pytest.mark.parametrize("query", ["", "?gewichtet=0", "?gewichtet=1", "?gewichtet=abc"])
def test_the_page_shows_withheld_cells_as_dashes(client, tiny_heavy_group, query):
    url = reverse("survey:results", args=[tiny_heavy_group.slug])
    sep = "&" if query else "?"

    page = client.get(url + query).content.decode()
    crossed = client.get(url + query + sep + "nach=F1").content.decode()

    f3 = _section(page, tiny_heavy_group, "F3")
    _no_figure(f3, F3_SHARES)
    assert PERCENT.search(f3) is None
    assert "–" in f3
    f3_crossed = _section(crossed, tiny_heavy_group, "F3")
    _no_figure(f3_crossed, F3_SHARES)
    assert PERCENT.search(f3_crossed) is None
    f2_crossed = _section(crossed, tiny_heavy_group, "F2")
    assert F2_B_SHARE not in f2_crossed
    assert "▲" not in f2_crossed
    assert "▼" not in f2_crossed
    body = f2_crossed[f2_crossed.index("<tbody>") :]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == 2  # yes, no
    for row in rows:
        all_, a, b = re.findall(r'<td class="num[^"]*">(.*?)</td>', row, re.S)
        assert "±" in all_  # the control: published cells carry their interval
        # B's small counts, and A's with them (else B's could be worked out from the total).
        for withheld in (a, b):
            assert "nicht ausgewiesen" in withheld
            assert "±" not in withheld
            assert PERCENT.search(withheld) is None
    # The control: the page is weighted unless asked not to be, and shows F2's total.
    total = "52,0" if query == "?gewichtet=0" else "55,0"
    assert total in _section(page, tiny_heavy_group, "F2")


def _csv(client, survey, query="") -> list[list[str]]:
    url = reverse("survey:results_csv", args=[survey.slug]) + query
    text = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    return [line.split(";") for line in text.splitlines()]


@pytest.mark.parametrize("query", ["", "?gewichtet=0"])
def test_the_csv_shows_withheld_cells_as_dashes(client, tiny_heavy_group, query):
    sep = "&" if query else "?"
    for rows in (
        _csv(client, tiny_heavy_group, query),
        _csv(client, tiny_heavy_group, query + sep + "nach=F1"),
    ):
        f3 = [row for row in rows if row[0] == "F3"]
        assert f3
        for row in f3:
            # Percent, interval from, to, ± points.
            assert row[6] == row[8] == row[9] == row[10] == "–", row
        b = [row for row in rows if row[0] == "F2" and row[4] == "Ort B"]
        for row in b:
            assert row[5] == row[6] == row[8] == row[9] == row[10] == "–", row
        weighted = "nein" if query == "?gewichtet=0" else "ja"
        assert {row[11] for row in f3} == {weighted}


@pytest.mark.parametrize("query", ["", "?gewichtet=0"])
def test_chart_downloads_show_withheld_shares_as_dashes(
    client, tiny_heavy_group, query, monkeypatch
):
    from survey.results import views

    drawn = []
    real = views.chart_png
    monkeypatch.setattr(views, "chart_png", lambda svg: drawn.append(svg) or real(svg))
    f3 = tiny_heavy_group.questions.get(code="F3")
    svg_url = reverse("survey:results_chart_svg", args=[tiny_heavy_group.slug, f3.pk])
    png_url = reverse("survey:results_chart_png", args=[tiny_heavy_group.slug, f3.pk])

    svg = client.get(svg_url + query).content.decode()
    png = client.get(png_url + query)

    for picture in (svg, *drawn):
        assert "–" in picture
        assert PERCENT.search(picture) is None, picture
        for share in F3_SHARES:
            assert share not in picture
        assert "±" not in picture
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")
    assert len(drawn) == 1  # the PNG is drawn from the checked SVG


def test_the_pdf_report_shows_withheld_shares_as_dashes(client, tiny_heavy_group):
    response = client.get(reverse("survey:results_report", args=[tiny_heavy_group.slug]))
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    assert "55,0" in text  # the control: the report is weighted
    assert "61,5" not in text
    f3 = text[text.index("Nur wenige?") :]
    f3 = f3[: f3.index("Ja", f3.index("Ja") + 1) + 40] if "Ja" in f3 else f3
    assert "–" in f3
