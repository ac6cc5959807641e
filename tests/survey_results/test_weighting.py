"""Weighted results: raking to the population per municipality, intervals, the switch to
unweighted figures, the CSV, and disclosure control on weighted figures.

The survey, counted by hand: municipality A 20 responses (population 1,000), B 10 (3,000),
C 1 (5,000) and D 4 (100); C and D are below the threshold of 5, so they form “Others” in
the breakdown and are left out of the weighting margin. Yes/no question F2: A 10 yes,
B 8 yes, C and D as the test says.

Weights (A and B are 30 of 35 responses; their weighted total stays 30): A 1,000 of 4,000
= 25 % → 7.5 / 20 = 0.375, B 75 % → 22.5 / 10 = 2.25; C and D 1. Mean weight 1 over all 35:
(7.5 + 22.5 + 5) / 35 = 1, nothing to scale.
"""

import datetime
import re

import pytest

from survey.models import Answer, Option, QuestionKind, Response, SurveyStatus, WeightingTarget
from survey.results.compute import compute_results
from survey.results.statistics import wilson
from tests.factories import MunicipalityFactory, QuestionFactory, SectionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

YES, NO = 1, 0


def _survey_with_questions(*, title: str, slug: str):
    """A published survey with F1 (municipality, the breakdown) and F2 (yes/no)."""
    now = datetime.datetime(2019, 8, 1, 12, tzinfo=datetime.UTC)
    survey = SurveyFactory(
        title=title,
        slug=slug,
        status=SurveyStatus.PUBLISHED,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now,
    )
    section = SectionFactory(survey=survey, title="Fragen", position=1)
    f1 = QuestionFactory(
        section=section,
        code="F1",
        kind=QuestionKind.SINGLE,
        text="Wo wohnen Sie?",
        is_breakdown=True,
        breakdown_label="Kommune",
        position=1,
    )
    f2 = QuestionFactory(
        section=section, code="F2", kind=QuestionKind.YES_NO, text="Zufrieden?", position=2
    )
    return survey, f1, f2


def _build(*, c_yes: bool, d_yes: int, slug="gewichtet"):
    survey, f1, f2 = _survey_with_questions(title="Gewichtet", slug=slug)
    options = {}
    for i, (name, population) in enumerate(
        [("A", 1000), ("B", 3000), ("C", 5000), ("D", 100)], start=1
    ):
        place = MunicipalityFactory(name=f"Ort {name} {slug}", slug=f"ort-{name.lower()}-{slug}")
        options[name] = Option.objects.create(
            question=f1, label=f"Ort {name}", value=i, position=i, municipality=place
        )
        WeightingTarget.objects.create(
            survey=survey,
            option=options[name],
            population=population,
            source="Statistisches Landesamt Sachsen",
            as_of=datetime.date(2019, 12, 31),
        )
    people = (
        [("A", YES)] * 10
        + [("A", NO)] * 10
        + [("B", YES)] * 8
        + [("B", NO)] * 2
        + [("C", YES if c_yes else NO)]
        + [("D", YES)] * d_yes
        + [("D", NO)] * (4 - d_yes)
    )
    for index, (place, value) in enumerate(people):
        response = Response.objects.create(
            survey=survey, channel="online", submitted_on=datetime.date(2019, 7, 1 + index % 28)
        )
        Answer.objects.create(response=response, question=f1, option=options[place])
        Answer.objects.create(response=response, question=f2, number=value)
    return survey


def _yes(results, column=0):
    question = results.sections[0].questions[1]
    return question.rows[0].cells[column]


def test_weighted_share_hand_computed():
    survey = _build(c_yes=False, d_yes=2)
    weighted = compute_results(survey=survey)
    plain = compute_results(survey=survey, weighted=False)
    # Unweighted: 10 + 8 + 0 + 2 = 20 of 35 = 57.1 %.
    assert str(_yes(plain).percent) == "57.1"
    # Weighted: (0.375·10 + 2.25·8 + 2) / 35 = 23.75 / 35 = 67.9 %.
    assert str(_yes(weighted).percent) == "67.9"
    # Counts stay unweighted.
    assert _yes(weighted).count == 20
    # Kish: 35 · (20·0.375² + 10·2.25² + 5) / 35² = (2.8125 + 50.625 + 5) / 35 = 1.670.
    info = weighted.weighting
    assert round(info.design_effect, 3) == 1.670
    assert info.n_effective == 21
    assert info.left_out == ["Ort C", "Ort D"]
    assert info.characteristics == ["Kommune"]
    # The interval: Wilson on the effective size 35 / 1.670 = 20.96: 46.5 … 83.7 %, and
    # half its width 18.6 percentage points.
    low, high = wilson(23.75 / 35, 35 / 1.6696428571)
    assert (round(low * 100, 1), round(high * 100, 1)) == (46.5, 83.7)
    assert [str(v) for v in _yes(weighted).interval] == ["46.5", "83.7"]
    assert str(_yes(weighted).margin) == "18.6"
    # Unweighted: Wilson on 35.
    assert [str(v) for v in _yes(plain).interval] == ["40.9", "72.0"]
    assert weighted.weighted
    assert not plain.weighted
    assert plain.weighting is not None  # the switch back is offered


def test_without_targets_nothing_is_weighted():
    survey = _build(c_yes=False, d_yes=2)
    WeightingTarget.objects.filter(survey=survey).delete()
    results = compute_results(survey=survey)
    assert results.weighting is None
    assert not results.weighted
    assert str(_yes(results).percent) == "57.1"


def _published_figures(survey) -> list:
    """Every figure the page and the CSV publish, weighted and unweighted, with and without
    the breakdown by municipality."""
    figures = []
    for breakdown in (None, "F1"):
        for weighted in (True, False):
            results = compute_results(survey=survey, breakdown=breakdown, weighted=weighted)
            figures.append([c.n for c in results.columns])
            for question in results.sections[0].questions:
                for row in question.rows:
                    figures.append(
                        [
                            (None if c.suppressed else c.count, c.percent, c.interval, c.marked)
                            for c in row.cells
                        ]
                    )
                figures.append(question.summary)
                figures.append(question.test)
    return figures


def test_weights_do_not_give_away_a_small_group():
    """Attack: C is one person. Both scenarios have the same unweighted figures (2 of the 5
    people of C and D said yes). If C were weighted on its own (target 5,000 → weight 3) and
    D too (100 → 0.3), the weighted figures would differ and, set against the unweighted
    ones, tell C's answer. C and D are left out of the margin, so nothing differs."""
    survey = _build(c_yes=True, d_yes=1)
    first = _published_figures(survey)
    other = _build(c_yes=False, d_yes=2, slug="anders")
    assert _published_figures(other) == first


def test_suppressed_cells_stay_withheld_when_weighted():
    survey = _build(c_yes=False, d_yes=2)
    results = compute_results(survey=survey, breakdown="F1")
    question = results.sections[0].questions[1]
    cells = [cell for row in question.rows for cell in row.cells]
    withheld = [cell for cell in cells if cell.percent_withheld]
    assert withheld  # B: 2 said no, a count below 5
    for cell in withheld:
        assert cell.percent is None
        assert cell.interval is None
        assert cell.margin is None
        assert cell.marked == 0
    # A table with a withheld figure gets no test: its statistic depends on that figure.
    assert question.test is None


def test_results_page_weighted_and_switch(client):
    survey = _build(c_yes=False, d_yes=2)
    url = f"/befragungen/{survey.slug}/ergebnisse/"
    page = client.get(url).content.decode()
    assert "67,9" in page
    assert "Gewichtet nach" in page
    assert "Statistisches Landesamt Sachsen" in page
    assert "?gewichtet=0" in page
    assert re.search(r"±\s*[\d,]+\s*Prozentpunkte", page)
    plain = client.get(url + "?gewichtet=0").content.decode()
    assert "57,1" in plain
    assert "67,9" not in plain
    assert "Ungewichtet" in plain


def test_results_page_caches_weighted_and_unweighted_apart(client):
    survey = _build(c_yes=False, d_yes=2)
    url = f"/befragungen/{survey.slug}/ergebnisse/"
    assert "67,9" in client.get(url).content.decode()
    assert "57,1" in client.get(url + "?gewichtet=0").content.decode()
    assert "67,9" in client.get(url).content.decode()
    # An odd value is shown weighted, but never cached under its own URL.
    odd = client.get(url + "?gewichtet=%3Cscript%3E")
    assert odd.status_code == 200
    assert "<script>" not in odd.content.decode().split("<main", 1)[-1].split("</main>")[0]


def test_csv_has_weighted_shares_and_intervals(client):
    survey = _build(c_yes=False, d_yes=2)
    url = f"/befragungen/{survey.slug}/ergebnisse.csv"
    text = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert "95-%-Intervall von" in header
    assert "Gewichtet" in header
    yes = next(line for line in text.splitlines() if line.startswith("F2;") and ";Ja;" in line)
    assert ";67,9;" in yes
    plain = b"".join(client.get(url + "?gewichtet=0").streaming_content).decode("utf-8-sig")
    yes = next(line for line in plain.splitlines() if line.startswith("F2;") and ";Ja;" in line)
    assert ";57,1;" in yes


def test_changing_a_target_changes_the_results(client, django_capture_on_commit_callbacks):
    survey = _build(c_yes=False, d_yes=2)
    url = f"/befragungen/{survey.slug}/ergebnisse/"
    assert "67,9" in client.get(url).content.decode()
    target = WeightingTarget.objects.get(survey=survey, option__label="Ort B")
    target.population = 1000
    with django_capture_on_commit_callbacks(execute=True):
        target.save()
    # A and B now equal: (0.75·10 + 1.5·8 + 2) / 35 = 21.5 / 35 = 61.4 %.
    assert "61,4" in client.get(url).content.decode()


def _build_differing():
    """Two municipalities of 40 responses each: yes 35 in A, 10 in B (no cell below 5)."""
    survey, f1, f2 = _survey_with_questions(title="Unterschiede", slug="unterschiede")
    a = Option.objects.create(question=f1, label="Oschatz", value=1, position=1)
    b = Option.objects.create(question=f1, label="Dahlen", value=2, position=2)
    for option, yes in ((a, 35), (b, 10)):
        for index in range(40):
            response = Response.objects.create(
                survey=survey, channel="online", submitted_on=datetime.date(2019, 7, 1)
            )
            Answer.objects.create(response=response, question=f1, option=option)
            Answer.objects.create(response=response, question=f2, number=YES if index < yes else NO)
    return survey


def test_breakdown_says_which_groups_differ(client):
    """Yes: Oschatz 87.5 %, Dahlen 25 %, all 56.25 %. Pearson X² for [[35, 10], [5, 30]]:
    expected 22.5 (yes) and 17.5 (no) per group, X² = 2 · 12.5² / 22.5 + 2 · 12.5² / 17.5
    = 31.75 (df 1, p < 0.001); adjusted
    residuals ±5.63, above the Bonferroni limit for 4 cells (2.50)."""
    survey = _build_differing()
    results = compute_results(survey=survey, breakdown="F1")
    question = results.sections[0].questions[1]
    assert round(question.test.statistic, 2) == 31.75
    assert question.test.p_text == "p < 0,001"
    assert [cell.marked for cell in question.rows[0].cells] == [0, 1, -1]
    page = client.get(f"/befragungen/{survey.slug}/ergebnisse/?nach=F1").content.decode()
    assert "unterscheiden sich mehr als zufällig" in page
    assert "Oschatz: „Ja“ deutlich häufiger als im Durchschnitt (87,5 % gegenüber 56,3 %)." in page
    assert "deutlich seltener als im Durchschnitt" in page
    assert "▲" in page


@pytest.mark.parametrize(("breakdown", "queries"), [("", 22), ("?nach=F1", 23)])
def test_weighted_results_page_runs_a_constant_number_of_queries(
    client, django_assert_num_queries, django_capture_on_commit_callbacks, breakdown, queries
):
    """The unweighted page's queries (tests/survey_results/test_pages.py: 17 and 18) and
    five for the weights, however many responses: the responses per weighting cell (for
    raking), per breakdown group and cell (design effects), the answers, the
    multiple-choice respondents and the theme codings, each grouped by cell. Targets come
    with the options (no query)."""
    from survey.results.caching import survey_results_invalidate
    from survey.results.weighting_admin import weighting_targets_prefill
    from tests.factories import ResponseFactory
    from tests.survey_results.conftest import build_survey

    small = build_survey(status=SurveyStatus.PUBLISHED)
    weighting_targets_prefill(survey=small.survey)
    url = f"/befragungen/{small.survey.slug}/ergebnisse/{breakdown}"
    client.get(url)

    def invalidate():
        with django_capture_on_commit_callbacks(execute=True):
            survey_results_invalidate(small.survey.pk)

    invalidate()
    with django_assert_num_queries(queries):
        client.get(url)
    for _ in range(30):
        response = ResponseFactory(survey=small.survey)
        Answer.objects.create(response=response, question=small.f1, option=small.f1.options.first())
    invalidate()
    with django_assert_num_queries(queries + 13):
        client.get(url)
    invalidate()
    with django_assert_num_queries(queries):
        page = client.get(url).content.decode()
    assert "Gewichtet nach Einwohnerzahl" in page


def test_two_characteristics_and_missing_answers_through_the_database():
    """Municipality and gender both with targets (50:50 each); five people in A gave no
    gender and are left out of that margin. The page's weighted share must be the one
    raking the same cells by hand (``rake``) gives."""
    import numpy as np

    from survey.results.statistics import MISSING, rake

    now = datetime.datetime(2019, 8, 1, 12, tzinfo=datetime.UTC)
    survey = SurveyFactory(
        slug="zwei",
        status=SurveyStatus.PUBLISHED,
        opens_at=now,
        closes_at=now + datetime.timedelta(1),
    )
    section = SectionFactory(survey=survey, title="Fragen", position=1)
    f1 = QuestionFactory(
        section=section, code="F1", kind=QuestionKind.SINGLE, is_breakdown=True, position=1
    )
    f2 = QuestionFactory(
        section=section, code="F2", kind=QuestionKind.SINGLE, is_breakdown=True, position=2
    )
    f3 = QuestionFactory(section=section, code="F3", kind=QuestionKind.YES_NO, position=3)
    places = [
        Option.objects.create(question=f1, label=x, value=i, position=i)
        for i, x in enumerate("AB", 1)
    ]
    genders = [
        Option.objects.create(question=f2, label=x, value=i, position=i)
        for i, x in enumerate("wm", 1)
    ]
    for option in [*places, *genders]:
        WeightingTarget.objects.create(
            survey=survey,
            option=option,
            population=500,
            source="Demo",
            as_of=now.date(),
            is_demo=True,
        )
    # (place, gender or None, people, of whom yes)
    cells = [(0, 0, 10, 8), (0, 1, 10, 2), (1, 0, 5, 5), (1, 1, 15, 3), (0, None, 5, 5)]
    for place, gender, people, yes in cells:
        for index in range(people):
            response = Response.objects.create(
                survey=survey, channel="online", submitted_on=datetime.date(2019, 7, 1)
            )
            Answer.objects.create(response=response, question=f1, option=places[place])
            if gender is not None:
                Answer.objects.create(response=response, question=f2, option=genders[gender])
            Answer.objects.create(response=response, question=f3, number=YES if index < yes else NO)
    weights = rake(
        [[p, MISSING if g is None else g] for p, g, _n, _y in cells],
        [n for *_k, n, _y in cells],
        [np.array([500, 500]), np.array([500, 500])],
    )
    expected = sum(w * y for w, (*_k, y) in zip(weights, cells, strict=True)) / sum(
        w * n for w, (*_k, n, _y) in zip(weights, cells, strict=True)
    )
    results = compute_results(survey=survey)
    yes = results.sections[0].questions[2].rows[0].cells[0]
    assert float(yes.percent) == pytest.approx(round(expected * 100, 1))
    assert (
        str(
            compute_results(survey=survey, weighted=False)
            .sections[0]
            .questions[2]
            .rows[0]
            .cells[0]
            .percent
        )
        == "51.1"
    )
    assert str(yes.percent) != "51.1"  # the weights do change it
    labels = [q.breakdown_label or q.text for q in (f1, f2)]
    assert results.weighting.characteristics == labels
    assert results.weighting.is_demo


@pytest.mark.parametrize(
    ("query", "cached"),
    [
        ("", True),
        ("?gewichtet=0", True),
        ("?gewichtet=1", True),
        ("?gewichtet=ja", False),
        ("?gewichtet=" + "x" * 300, False),
    ],
)
def test_only_the_offered_weighting_switch_fills_the_cache(client, query, cached):
    """Only the two URLs the page links to are cached: random ``?gewichtet=`` values must
    not each become a cache entry (a visitor could fill the cache with them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survey = _build(c_yes=False, d_yes=2)
    url = f"/befragungen/{survey.slug}/ergebnisse/{query}"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert (len(queries) == 1) is cached  # a page from the cache reads only the version
