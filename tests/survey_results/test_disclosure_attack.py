"""The attacker of the published 2019 demo results: can anyone learn a count from 1 to 4?

The test plays an outsider with nothing but the public site and the questionnaire (which
is public too, as the print version): it downloads the results page, every breakdown the
page offers (every dimension and the channel) and every CSV, and tries to find a count from
1 to 4 in any table that crosses a group with an answer,

- by reading it off the page or a CSV,
- by differencing: every row of a cross table adds up to the published total of that
  answer (the unbroken table), and for questions with one answer per person every column
  adds up to the published number of people in the group who answered (which the group
  sizes give away as well); the attacker solves that linear system exactly (fractions)
  and reads off every suppressed cell it determines,
- by combining page and CSVs: a cross of two breakdown questions (municipality × age) can be
  published from both sides (``?nach=F1`` shows F2 by municipality, ``?nach=F2`` shows F1
  by age group); a cell hidden on one side must not be shown on the other.

On the code before disclosure control, it found (python -m pytest … -k attack -s prints
it) 105 cells by municipality, 123 by age group, 52 by gender and 12 by channel.
"""

import csv
import io
import re
from collections import Counter, defaultdict
from fractions import Fraction

import pytest
from django.urls import reverse

from survey import demo
from survey.models import QuestionKind, Survey

pytestmark = pytest.mark.django_db

EXCLUSIVE = {QuestionKind.SINGLE, QuestionKind.DROPDOWN, QuestionKind.SCALE, QuestionKind.MATRIX}


def _number(text: str) -> int | None:
    text = text.strip().replace(".", "").replace("\u00a0", "")
    return int(text) if text.isdigit() else None


def _solve(unknowns: list, equations: list[tuple[dict, int]]) -> dict:
    """Every unknown the equations fix to one value (Gauss–Jordan over the rationals)."""
    index = {u: i for i, u in enumerate(unknowns)}
    rows = []
    for coefficients, rhs in equations:
        row = [Fraction(0)] * (len(unknowns) + 1)
        for unknown, c in coefficients.items():
            row[index[unknown]] += c
        row[-1] = Fraction(rhs)
        rows.append(row)
    pivots = []
    r = 0
    for col in range(len(unknowns)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][col]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(col)
        r += 1
    known = {}
    for i, col in enumerate(pivots):
        if all(rows[i][j] == 0 for j in range(len(unknowns)) if j != col):
            known[unknowns[col]] = rows[i][-1]
    return known


def _csv_tables(content: str):
    """{(question, item): {"groups": [...], "cells": {(answer, group): value}, "bases": {}}}"""
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";")
    next(reader)
    tables: dict = {}
    for code, _text, item, answer, group, count, _percent, base in reader:
        if not code or answer in {"Mittelwert", "Mean"}:
            continue
        table = tables.setdefault((code, item), {"groups": [], "cells": {}, "bases": {}})
        if group not in table["groups"]:
            table["groups"].append(group)
        table["cells"][(answer, group)] = _number(count)
        table["bases"][group] = _number(base)
    return tables


def _page_counts(html: str) -> list[int]:
    """The counts shown in the group columns of every cross table on the page."""
    counts = []
    for table in re.findall(r'<table class="[^"]*result-crosstab.*?</table>', html, re.S):
        body = table.split("<tbody>", 1)[-1]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for cell in cells[1:]:  # the first column is the total
                match = re.search(r"\(([\d.]+)\)", cell)
                if match:
                    counts.append(_number(match.group(1)))
    return counts


def attack(client, survey: Survey) -> dict[str, Counter]:
    kinds = dict(survey.questions.values_list("code", "kind"))
    page_url = reverse("survey:results", kwargs={"slug": survey.slug})
    csv_url = reverse("survey:results_csv", kwargs={"slug": survey.slug})
    start = client.get(page_url).content.decode()
    select = re.search(r'<select name="nach".*?</select>', start, re.S).group(0)
    breakdowns = [v for v in re.findall(r'<option value="([^"]*)"', select) if v]
    assert "kanal" in breakdowns
    assert len(breakdowns) >= 3

    findings: dict[str, Counter] = defaultdict(Counter)
    stats: Counter = Counter()  # group cells published and withheld, to show the attack ran
    shown: dict[frozenset, int] = {}  # cells of breakdown × breakdown crosses, by content
    hidden: list[tuple[str, frozenset]] = []
    for nach in breakdowns:
        page = client.get(f"{page_url}?nach={nach}")
        assert page.status_code == 200
        for count in _page_counts(page.content.decode()):
            if count is not None and 1 <= count <= 4:
                findings[nach]["read on the page"] += 1
        response = client.get(f"{csv_url}?nach={nach}")
        assert response.status_code == 200
        tables = _csv_tables(b"".join(response).decode("utf-8"))
        for (code, _item), table in tables.items():
            total, *groups = table["groups"]
            if not groups:
                continue  # not broken down (e.g. the breakdown question itself)
            answers = list(dict.fromkeys(a for a, _g in table["cells"]))
            unknowns, equations = [], []
            for answer in answers:
                for group in groups:
                    value = table["cells"][(answer, group)]
                    findings[nach]["(cells seen)"] += 0  # keeps every breakdown in the report
                    stats["shown" if value is not None else "withheld"] += 1
                    if value is None:
                        unknowns.append((answer, group))
                    elif 1 <= value <= 4:
                        findings[nach]["read in the CSV"] += 1
                    if code in breakdowns and value is not None:
                        shown[frozenset({(nach, group), (code, answer)})] = value
                    elif code in breakdowns:
                        hidden.append((nach, frozenset({(nach, group), (code, answer)})))
            # Rows: the groups add up to the published total of the answer.
            for answer in answers:
                row_total = table["cells"][(answer, total)]
                if row_total is None:
                    continue
                coefficients = {(answer, g): 1 for g in groups if (answer, g) in unknowns}
                known = sum(table["cells"][(answer, g)] or 0 for g in groups)
                if coefficients:
                    equations.append((coefficients, row_total - known))
            # Columns: one answer per person, so the answers add up to the group's base.
            if kinds.get(code) in EXCLUSIVE:
                for group in groups:
                    base = table["bases"][group]
                    if base is None:
                        continue
                    coefficients = {(a, group): 1 for a in answers if (a, group) in unknowns}
                    known = sum(table["cells"][(a, group)] or 0 for a in answers)
                    if coefficients:
                        equations.append((coefficients, base - known))
            for value in _solve(unknowns, equations).values():
                stats["withheld but derivable"] += 1
                if 1 <= value <= 4:
                    findings[nach]["derived by differencing"] += 1
    for nach, key in hidden:
        if key in shown and 1 <= shown[key] <= 4:
            findings[nach]["shown from the other side"] += 1
    return findings, stats


def test_no_count_from_one_to_four_can_be_read_or_derived_from_the_2019_results(client):
    demo.seed_2019(io.StringIO())
    from survey import results_demo

    results_demo.seed(stdout=io.StringIO())
    survey = Survey.objects.get(slug=demo.SURVEY_2019)

    findings, stats = attack(client, survey)

    print("\nattack on the 2019 results:", dict(stats))  # noqa: T201 (figures for the report)
    for nach, found in findings.items():
        print(f"  nach={nach}: {found.total()} cells 1–4 {dict(+found)}")  # noqa: T201
    assert not any(+found for found in findings.values()), dict(findings)
    # The attack saw real cross tables (it is not passing because nothing is published).
    assert stats["shown"] > 400
    assert stats["withheld"] > 0
