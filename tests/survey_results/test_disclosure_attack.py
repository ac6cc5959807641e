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
import datetime
import io
import itertools
import re
from collections import Counter, defaultdict
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone

from survey import demo
from survey.kinds import kind_of, kind_values
from survey.models import (
    Answer,
    Channel,
    Option,
    QuestionKind,
    Response,
    ResultsPublication,
    Survey,
    SurveyStatus,
)
from survey.results.caching import survey_results_invalidate
from survey.results.services import results_publish
from tests.factories import QuestionFactory, SectionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

# Questions whose answers exclude each other: their columns add up to the group.
EXCLUSIVE = kind_values("answers_add_up")


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


def _percent(text: str) -> Fraction | None:
    text = text.strip().replace(",", ".")
    return Fraction(text) if re.fullmatch(r"\d+(\.\d)?", text) else None


def _csv_tables(content: str):
    """{(question, item): {"groups": [...], "cells": {(answer, group): value}, "bases": {},
    "percents": {(answer, group): percent}}}, and the participation rows {label: count}
    (the total under "")."""
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";")
    next(reader)
    tables: dict = {}
    participants: dict = {}
    for code, _text, item, answer, group, count, percent, base, *_interval in reader:
        if not code:
            participants[answer] = _number(count)
            continue
        table = tables.setdefault(
            (code, item), {"groups": [], "cells": {}, "bases": {}, "percents": {}, "means": {}}
        )
        if group not in table["groups"]:
            table["groups"].append(group)
        # A mean row publishes the number of people it is computed over (the base) too.
        table["bases"][group] = _number(base)
        if answer in {"Mittelwert", "Mean"}:
            table["means"][group] = _percent(percent)
            continue
        table["cells"][(answer, group)] = _number(count)
        table["percents"][(answer, group)] = _percent(percent)
    return tables, participants


def _page_bases(html: str) -> dict[str, dict[str, int | None]]:
    """The "answered (n)" row of every cross table on the page: {code: {group: n}}; for a
    matrix this is the number of people who rated at least one item."""
    bases = {}
    for section in html.split('<section class="result"')[1:]:
        code = re.search(r'class="result__code">([^<]+)</span>', section).group(1)
        table = re.search(r'<table class="[^"]*result-crosstab.*?</table>', section, re.S)
        if table is None:
            continue
        table = table.group(0)
        header = re.search(r"<thead>(.*?)</thead>", table, re.S).group(1)
        labels = [
            re.sub(r"<[^>]+>", "", x).strip()
            for x in re.findall(r"<th[^>]*>(.*?)</th>", header, re.S)
        ]
        groups = labels[1 : len(labels) - 1]  # the answer column and the "answered (n)" label
        row = re.search(r'result-crosstab__base">(.*?)</tr>', table, re.S).group(1)
        values = [
            _number(re.sub(r"<[^>]+>", "", v))
            for v in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        bases[code] = dict(zip(groups, values, strict=True))
    return bases


def _possible_bases(count: int, percent: Fraction, largest: int) -> list[int]:
    """Every base a published count and its percentage (rounded half up) fit."""
    fits = []
    for base in range(max(count, 1), largest + 1):
        exact = Fraction(count * 100, base)
        if (exact * 10 + Fraction(1, 2)) // 1 == percent * 10:
            fits.append(base)
    return fits


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


def _group_sizes(nach: str, tables: dict, participants: dict, groups: list[str]) -> dict:
    """What everyone knows about the size of each group of a breakdown: the channel counts
    of the participation table, or the answers to the breakdown question itself (it is
    shown without breakdown); "Others" is the total minus the groups shown on their own."""
    total = participants[""]
    if nach == "kanal":
        known = {label: n for label, n in participants.items() if label}
    else:
        own = tables.get((nach, ""), {"cells": {}, "groups": []})
        all_label = own["groups"][0] if own["groups"] else None
        known = {a: n for (a, g), n in own["cells"].items() if g == all_label}
    sizes = {groups[0]: total}
    rest = [g for g in groups[1:] if g not in known]
    for group in groups[1:]:
        if group in known:
            sizes[group] = known[group]
    if len(rest) == 1 and all(known.get(g) is not None for g in groups[1:] if g not in rest):
        sizes[rest[0]] = total - sum(sizes[g] for g in groups[1:] if g not in rest)
    return sizes


class _Equations:
    """Linear equations over the figures of one table; a known figure moves to the right."""

    def __init__(self, known: dict):
        self.known = known
        self.rows: list[tuple[dict, int]] = []

    def add(self, terms: dict, rhs: int = 0) -> None:
        coefficients: dict = defaultdict(int)
        for key, c in terms.items():
            if key in self.known:
                rhs -= c * self.known[key]
            else:
                coefficients[key] += c
        if any(coefficients.values()):
            self.rows.append((dict(coefficients), rhs))

    def solve(self) -> dict:
        unknowns = sorted({k for coefficients, _ in self.rows for k in coefficients}, key=str)
        return {**_solve(unknowns, self.rows)} if unknowns else {}


def _answers(table: dict) -> list[str]:
    return list(dict.fromkeys(a for a, _g in table["cells"]))


def _known_figures(table: dict, sizes: dict) -> dict:
    """What the table and the group sizes publish: counts, bases and group sizes."""
    known = {("n", a, g): value for (a, g), value in table["cells"].items() if value is not None}
    known.update({("b", g): value for g, value in table["bases"].items() if value is not None})
    known.update({("size", g): sizes[g] for g in table["groups"] if sizes.get(g) is not None})
    return known


def _add_table_equations(equations: _Equations, table: dict, exclusive: bool) -> None:
    total, *groups = table["groups"]
    answers = _answers(table)
    for answer in answers:  # the groups add up to the total of the answer
        equations.add({**{("n", answer, g): 1 for g in groups}, ("n", answer, total): -1})
    equations.add({**{("na", g): 1 for g in groups}, ("na", total): -1})
    for group in table["groups"]:
        equations.add({("b", group): 1, ("na", group): 1, ("size", group): -1})
        if exclusive:
            equations.add({**{("n", a, group): 1 for a in answers}, ("b", group): -1})
        else:
            for a in answers:
                equations.add({("n", a, group): 1, ("nc", a, group): 1, ("b", group): -1})


def _add_percent_equations(equations: _Equations, table: dict, sizes: dict) -> None:
    """A count and its percentage give the base away (and a base and a percentage the count)."""
    for (answer, group), percent in table["percents"].items():
        count = equations.known.get(("n", answer, group))
        size = sizes.get(group)
        if None in (percent, size, count) or ("b", group) in equations.known:
            continue
        fits = _possible_bases(count, percent, size)
        if len(fits) == 1:
            equations.add({("b", group): 1}, fits[0])


def _small(value, threshold: int) -> bool:
    return value is not None and 1 <= value < threshold


def _group_findings(
    group: str, answers: list, everything: dict, known: dict, size, threshold: int
) -> Counter:
    found: Counter = Counter()
    if _small(everything.get(("na", group)), threshold):
        found["no answer (group size − base)"] += 1
    if ("b", group) in known and _small(everything.get(("b", group)), threshold):
        found["base read"] += 1
    for a in answers:
        if _small(everything.get(("nc", a, group)), threshold):
            found["not chosen (base − count)"] += 1
        n = everything.get(("n", a, group))
        if n is not None and size is not None and n >= 1 and size - n < threshold:
            found["all but fewer than threshold of a group gave this answer"] += 1
    return found


def _derive(table: dict, sizes: dict, exclusive: bool, threshold: int = 5) -> Counter:
    """Everything the published figures of one table fix, also what is never shown as a
    cell: the people of a group who did not answer (group size − base) and, with several
    answers per person, those who did not choose an answer (base − count)."""
    total, *groups = table["groups"]
    equations = _Equations(_known_figures(table, sizes))
    _add_table_equations(equations, table, exclusive)
    _add_percent_equations(equations, table, sizes)
    derived = equations.solve()
    everything = {**equations.known, **derived}
    found: Counter = Counter()
    for key, value in derived.items():
        if key[0] in {"n", "b"} and key[-1] != total and 1 <= value < threshold:
            found["derived by differencing"] += 1
    answers = _answers(table)
    for group in groups:
        found.update(
            _group_findings(
                group, answers, everything, equations.known, sizes.get(group), threshold
            )
        )
    return found


def _empty_table(groups) -> dict:
    return {"groups": list(groups), "cells": {}, "bases": {}, "percents": {}}


def _add_page_bases(tables: dict, html: str, kinds: dict) -> None:
    """The page's "answered (n)" rows: for a matrix the people who rated any item."""
    for code, bases in _page_bases(html).items():
        if code in kinds and kind_of(kinds[code]).has_items:
            key = (code, "(any item)")
            tables[key] = _empty_table(bases)
        else:
            key = (code, "")
            tables.setdefault(key, _empty_table(bases))
        for group, value in bases.items():
            if tables[key]["bases"].get(group) is None:
                tables[key]["bases"][group] = value


def _mean_of_one_group(table: dict) -> bool:
    """A number question publishes only means: the total's mean times its base, minus the
    other groups', is the sum of the one withheld group's answers."""
    total, *groups = table["groups"]
    means = table.get("means", {})
    withheld_means = [g for g in groups if g in means and means[g] is None]
    return (
        len(withheld_means) == 1
        and means.get(total) is not None
        and all(table["bases"].get(g) is not None for g in [total, *groups])
    )


class _Attack:
    """The attacker's notes while it goes through every breakdown of the results."""

    def __init__(self, client, survey: Survey, threshold: int):
        self.client, self.threshold = client, threshold
        self.kinds = dict(survey.questions.values_list("code", "kind"))
        self.page_url = reverse("survey:results", kwargs={"slug": survey.slug})
        self.csv_url = reverse("survey:results_csv", kwargs={"slug": survey.slug})
        self.breakdowns: list[str] = []
        self.findings: dict[str, Counter] = defaultdict(Counter)
        self.stats: Counter = Counter()  # group cells published and withheld: the attack ran
        self.shown: dict[frozenset, int] = {}  # cells of breakdown × breakdown crosses
        self.hidden: list[tuple[str, frozenset]] = []
        self.seen: dict[str, tuple[dict, dict]] = {}  # per breakdown: tables and group sizes

    def run(self) -> tuple[dict[str, Counter], Counter]:
        start = self.client.get(self.page_url).content.decode()
        select = re.search(r'<select name="nach".*?</select>', start, re.S).group(0)
        self.breakdowns = [v for v in re.findall(r'<option value="([^"]*)"', select) if v]
        assert "kanal" in self.breakdowns
        assert len(self.breakdowns) >= 2
        for nach in self.breakdowns:
            self.breakdown(nach)
        for nach, key in self.hidden:
            if key in self.shown and _small(self.shown[key], self.threshold):
                self.findings[nach]["shown from the other side"] += 1
        self.both_sides()
        return self.findings, self.stats

    def breakdown(self, nach: str) -> None:
        page = self.client.get(f"{self.page_url}?nach={nach}")
        assert page.status_code == 200
        html = page.content.decode()
        for count in _page_counts(html):
            if _small(count, self.threshold):
                self.findings[nach]["read on the page"] += 1
        response = self.client.get(f"{self.csv_url}?nach={nach}")
        assert response.status_code == 200
        tables, participants = _csv_tables(b"".join(response).decode("utf-8"))
        _add_page_bases(tables, html, self.kinds)
        crossed = [t for t in tables.values() if len(t["groups"]) > 1]
        if not crossed:
            return
        sizes = _group_sizes(nach, tables, participants, crossed[0]["groups"])
        assert None not in sizes.values(), sizes
        assert len(sizes) == len(crossed[0]["groups"]), sizes
        self.seen[nach] = (tables, sizes)
        for (code, _item), table in tables.items():
            # A table without groups is not broken down (e.g. the breakdown question itself).
            if len(table["groups"]) > 1:
                self.table(nach, code, table, sizes)

    def table(self, nach: str, code: str, table: dict, sizes: dict) -> None:
        _total, *groups = table["groups"]
        for answer in _answers(table):
            for group in groups:
                self.cell(nach, code, answer, group, table["cells"][(answer, group)])
        exclusive = self.kinds.get(code) in EXCLUSIVE
        self.findings[nach].update(_derive(table, sizes, exclusive, threshold=self.threshold))
        if _mean_of_one_group(table):
            self.findings[nach]["mean of one group from the total's"] += 1

    def cell(self, nach: str, code: str, answer: str, group: str, value: int | None) -> None:
        self.findings[nach]["(cells seen)"] += 0  # keeps every breakdown in the report
        self.stats["shown" if value is not None else "withheld"] += 1
        if _small(value, self.threshold):
            self.findings[nach]["read in the CSV"] += 1
        if code not in self.breakdowns:
            return
        key = frozenset({(nach, group), (code, answer)})
        if value is not None:
            self.shown[key] = value
        else:
            self.hidden.append((nach, key))

    def both_sides(self) -> None:
        """Fill the cells withheld in B by A with what B's table under ?nach=... shows of A
        by B (the same people), then difference again."""
        for a, b in itertools.permutations(self.seen, 2):
            table = self.seen[a][0].get((b, ""))
            other = self.seen[b][0].get((a, ""))
            if not table or not other or len(table["groups"]) < 2 or len(other["groups"]) < 2:
                continue
            merged = {**table, "cells": dict(table["cells"])}
            for (answer, group), value in table["cells"].items():
                if value is None and other["cells"].get((group, answer)) is not None:
                    merged["cells"][(answer, group)] = other["cells"][(group, answer)]
            found = _derive(merged, self.seen[a][1], exclusive=True, threshold=self.threshold)
            self.findings[a].update(
                {f"{reason} (with ?nach={b})": n for reason, n in found.items()}
            )


def attack(client, survey: Survey, *, threshold: int = 5) -> tuple[dict[str, Counter], Counter]:
    return _Attack(client, survey, threshold).run()


def test_no_count_from_one_to_four_can_be_read_or_derived_from_the_2019_results(client):
    demo.seed_2019(io.StringIO())
    from survey.results import demo as results_demo

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


def _village(threshold: int | None) -> Survey:
    """A survey of 34 people in which a village group gives itself away.

    F1 residence: Naundorf 6 (r0–r5), Ahausen 14 (r6–r19), Bedorf 14 (r20–r33). F2 age
    group: jung 17, alt 17.
    Q1 yes/no: all 6 of Naundorf say "ja" (group disclosure); Ahausen and Bedorf 9 ja, 5 nein.
    Q2 several answers: in Naundorf "Bus" is chosen by 5 of 6 (the sixth did not: base −
    count = 1); in Ahausen and Bedorf by 7 of 14, "Rad" by 6, one chose nothing.
    Q3 single, answered by 32: two of Ahausen said nothing (group size − base = 2).
    Q4 number: every answer different, so the smallest and the largest are one person's;
    two of Naundorf did not answer (so its mean, over 4, is withheld).
    """
    now = timezone.now()
    survey = SurveyFactory(
        slug="dorf",
        status=SurveyStatus.CLOSED,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
    )
    section = SectionFactory(survey=survey)

    def question(code, kind, labels, **fields):
        q = QuestionFactory(section=section, code=code, kind=kind, **fields)
        return q, [
            Option.objects.create(question=q, label=label, value=i, position=i)
            for i, label in enumerate(labels, start=1)
        ]

    f1, (naundorf, ahausen, bedorf) = question(
        "F1", QuestionKind.SINGLE, ["Naundorf", "Ahausen", "Bedorf"], is_breakdown=True, position=1
    )
    f2, (young, old) = question(
        "F2", QuestionKind.SINGLE, ["jung", "alt"], is_breakdown=True, position=2
    )
    q1, (yes, no) = question("Q1", QuestionKind.SINGLE, ["ja", "nein"], position=3)
    q2, (bus, bike) = question("Q2", QuestionKind.MULTIPLE, ["Bus", "Rad"], position=4)
    q3, (a, b) = question("Q3", QuestionKind.SINGLE, ["A", "B"], position=5)
    q4, _ = question("Q4", QuestionKind.NUMBER, [], position=6)
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            channel=Channel.ONLINE if i % 3 else Channel.PAPER,
            submitted_on=datetime.date(2026, 1, 5),
            sheet_number=None if i % 3 else 100 + i,
            batch="" if i % 3 else "Rathaus",
        )
        for i in range(34)
    )
    answers = []
    for i, r in enumerate(responses):
        village = i < 6
        home = naundorf if village else ahausen if i < 20 else bedorf
        answers.append(Answer(response=r, question=f1, option=home))
        answers.append(Answer(response=r, question=f2, option=young if i % 2 else old))
        yes_or_no = yes if village or 6 <= i < 15 or 20 <= i < 29 else no
        answers.append(Answer(response=r, question=q1, option=yes_or_no))
        chosen = [bus] if (i < 5 or 6 <= i < 13 or 20 <= i < 27) else []
        chosen += [bike] if (i == 5 or 13 <= i < 19 or 27 <= i < 33) else []
        answers += [Answer(response=r, question=q2, option=o) for o in chosen]
        if i not in (18, 19):
            answers.append(Answer(response=r, question=q3, option=a if i % 2 else b))
        if i not in (0, 1):
            answers.append(Answer(response=r, question=q4, number=20 + 10 * (i % 6) + i // 6))
    Answer.objects.bulk_create(answers)
    results_publish(survey=survey, user=None, publisher_name="Test")
    if threshold:
        ResultsPublication.objects.filter(survey=survey).update(min_group_size=threshold)
        survey_results_invalidate(survey.pk)
    return survey


@pytest.mark.parametrize("threshold", [None, 3, 6])
def test_no_village_answer_can_be_learnt_from_complements(client, threshold):
    survey = _village(threshold)

    findings, stats = attack(client, survey, threshold=threshold or 5)

    print(f"\nattack on the village (threshold {threshold}):", dict(stats))  # noqa: T201
    for nach, found in findings.items():
        print(f"  nach={nach}: {found.total()} {dict(+found)}")  # noqa: T201
    assert not any(+found for found in findings.values()), dict(findings)
    assert stats["shown"] > 0
    page = client.get(reverse("survey:results", kwargs={"slug": survey.slug})).content.decode()
    # The oldest and the youngest are one person each: no extremes, no mean of fewer.
    assert "Größte Angabe" not in page
    assert "Kleinste Angabe" not in page


def test_withheld_note_only_where_a_figure_is_withheld(client):
    """Every "– = withheld" note stands under a table that shows a withheld "–", also for a
    question shown without its cross table (F2 under ?nach=F3, published by age group only):
    its hidden group columns are not on the page, so they call for no note."""
    demo.seed_2019(io.StringIO())
    from survey.results import demo as results_demo

    results_demo.seed(stdout=io.StringIO())
    survey = Survey.objects.get(slug=demo.SURVEY_2019)
    url = reverse("survey:results", kwargs={"slug": survey.slug})

    notes = 0
    for nach in ["", "F1", "F2", "F3", "kanal"]:
        html = client.get(f"{url}?nach={nach}").content.decode()
        for block in re.findall(r'<section class="result".*?</section>', html, re.S):
            if "result__withheld" in block:
                notes += 1
                assert '<span aria-hidden="true">–</span>' in block, (nach, block[:200])
    assert notes > 0  # the notes are there where something is withheld
