"""Cell suppression against an exact solver, on many random tables, and the threshold."""

import random

import pytest
from django.db import IntegrityError

from survey.models import ResultsPublication
from survey.results.compute import compute_results
from survey.results.disclosure import suppressed_cells
from tests.survey_results.test_disclosure_attack import _solve


def _attack(counts, withheld, *, columns_add_up):
    """What differencing gives away: the cells the published sums fix to one value."""
    rows, columns = len(counts), len(counts[0])
    unknowns = sorted(withheld)
    equations = []
    for r in range(rows):
        cells = {(r, c): 1 for c in range(columns) if (r, c) in withheld}
        if cells:
            equations.append((cells, sum(counts[r][c] for c in range(columns) if (r, c) in cells)))
    if columns_add_up:
        for c in range(columns):
            cells = {(r, c): 1 for r in range(rows) if (r, c) in withheld}
            if cells:
                equations.append((cells, sum(counts[r][c] for r in range(rows) if (r, c) in cells)))
    return _solve(unknowns, equations)


@pytest.mark.parametrize("columns_add_up", [True, False])
def test_no_withheld_cell_of_a_random_table_can_be_worked_out(columns_add_up):
    rng = random.Random(11)
    for _ in range(300):
        rows, columns = rng.randint(2, 8), rng.randint(2, 6)
        counts = [
            [rng.choice([0, 1, 2, 3, 4, 5, 7, 12, 30]) for _c in range(columns)]
            for _r in range(rows)
        ]

        withheld = suppressed_cells(counts, threshold=5, columns_add_up=columns_add_up)

        if withheld is None:
            continue  # nothing protects the table: it is then not published by group
        small = {(r, c) for r in range(rows) for c in range(columns) if 0 < counts[r][c] < 5}
        assert small <= withheld
        assert _attack(counts, withheld, columns_add_up=columns_add_up) == {}, counts


def test_bridge_between_two_protected_blocks_is_closed():
    # Two 2×2 blocks of small cells share no row or column with each other, but a single
    # small cell links them: it alone lies on no cycle and would be given away.
    counts = [
        [1, 2, 0, 0, 9],
        [3, 4, 0, 0, 9],
        [0, 2, 1, 0, 9],
        [0, 0, 3, 1, 9],
        [0, 0, 2, 4, 9],
    ]
    withheld = suppressed_cells(counts, threshold=5, columns_add_up=True)

    assert _attack(counts, withheld, columns_add_up=True) == {}


def test_publication_threshold_replaces_the_default(counted, settings):
    settings.SURVEY_MIN_GROUP_SIZE = 2
    assert [c.label for c in compute_results(survey=counted.survey, breakdown="F1").columns] == [
        "Alle",
        "Ahausen",
        "Bedorf",
        "Weitere",
    ]
    publication = ResultsPublication.objects.create(survey=counted.survey, min_group_size=5)

    results = compute_results(survey=counted.survey, breakdown="F1")

    # Bedorf's 4 responses are no group of their own with the publication's threshold of 5.
    assert [c.label for c in results.columns] == ["Alle", "Ahausen", "Weitere"]
    assert results.min_group_size == 5
    publication.min_group_size = 1  # would publish every count
    with pytest.raises(IntegrityError):
        publication.save()


def test_staff_preview_withholds_what_the_public_page_will(client, counted, django_user_model):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    analyst = django_user_model.objects.create_user("auswertung", password="x", is_staff=True)
    analyst.user_permissions.add(Permission.objects.get(codename="view_monitoring"))
    client.force_login(analyst)

    body = client.get(reverse("survey:results", args=[counted.survey.slug]) + "?nach=F1")

    text = body.content.decode()
    assert "Vorschau" in text
    assert "nicht ausgewiesen" in text  # Radwege 4 of Ahausen's 5 is withheld here too
    assert 'href="#geheimhaltung"' in text
