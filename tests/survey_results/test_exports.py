"""Staff exports: exactly the stored responses, parsed back; who may download them."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from survey.models import Answer
from tests.factories import ResponseFactory
from tests.survey_results.conftest import OTHER_SECRETS, SECRETS

pytestmark = pytest.mark.django_db


def _url(survey, name):
    return reverse(name, kwargs={"slug": survey.slug})


def _user(django_user_model, name, *codenames, is_staff=True):
    user = django_user_model.objects.create_user(name, password="x", is_staff=is_staff)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=codenames, content_type__app_label="survey")
    )
    return user


def _csv_rows(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))


def test_csv_export_contains_exactly_the_stored_responses(client, counted, django_user_model):
    client.force_login(_user(django_user_model, "a", "export_responses"))

    response = client.get(_url(counted.survey, "survey:export_csv"))
    rows = _csv_rows(response)

    assert response["Content-Disposition"] == 'attachment; filename="testland-antworten.csv"'
    codes, labels, data = rows[0], rows[1], rows[2:]
    assert codes[:4] == ["id", "channel", "submitted_on", "sheet_number"]
    assert codes[4:] == [
        "F1",
        "F3_1",
        "F3_2",
        "F3_3",
        "F3_4",
        "F3_other",
        "F4_1",
        "F4_2",
        "F5",
        "F6",
        "F7",
    ]
    assert labels[codes.index("F4_1")] == "Wie bewerten Sie … – Straßen"
    assert [int(row[0]) for row in data] == [r.pk for r in counted.responses]
    by_id = {int(row[0]): dict(zip(codes, row, strict=True)) for row in data}
    r1, r3, r5, r9, r12 = (by_id[counted.responses[i].pk] for i in (0, 2, 4, 8, 11))
    assert r1 | {} == {
        **r1,
        "channel": "online",
        "submitted_on": "2019-07-01",
        "sheet_number": "",
        "F1": "1",
        "F3_1": "1",
        "F3_2": "1",
        "F3_3": "0",
        "F3_4": "0",
        "F4_1": "5",
        "F4_2": "4",
        "F5": "1",
        "F6": SECRETS[0],
        "F7": "30",
    }
    assert r3["F3_4"] == "1"
    assert r3["F3_other"] == OTHER_SECRETS[0]
    assert r5["F3_1"] == ""  # not answered at all, not "not chosen"
    assert r9["channel"] == "paper"
    assert r9["sheet_number"] == "108"
    assert r12["F1"] == "3"  # Cestadt
    assert sum(row["F3_1"] == "1" for row in by_id.values()) == 6


def test_codebook_lists_every_column_with_its_values(client, counted, django_user_model):
    client.force_login(_user(django_user_model, "a", "export_responses"))

    rows = _csv_rows(client.get(_url(counted.survey, "survey:export_codebook")))

    assert rows[0] == ["Spalte", "Frage", "Werte"]
    f1 = next(row for row in rows if row[0] == "F1")
    assert f1[2] == "1 = Ahausen; 2 = Bedorf; 3 = Cestadt; 4 = Dewitz"
    f4 = next(row for row in rows if row[0] == "F4_1")
    assert f4[2] == "1 = schlecht … 5 = gut"


def test_xlsx_export_matches_the_csv(client, counted, django_user_model):
    client.force_login(_user(django_user_model, "a", "export_responses"))

    csv_rows = _csv_rows(client.get(_url(counted.survey, "survey:export_csv")))
    response = client.get(_url(counted.survey, "survey:export_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)

    assert workbook.sheetnames == ["Antworten", "Codebuch"]
    sheet = [
        ["" if value is None else str(value) for value in row]
        for row in workbook["Antworten"].iter_rows(values_only=True)
    ]
    assert sheet == csv_rows
    assert any(row[0] == "F1" for row in workbook["Codebuch"].iter_rows(values_only=True))


@pytest.mark.parametrize(
    "name", ["survey:export_csv", "survey:export_xlsx", "survey:export_codebook"]
)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("not_staff_with_permission", 403),
        ("staff_without_permission", 403),
        ("staff_with_monitoring_only", 403),
        ("analyst", 200),
    ],
)
def test_export_permissions(client, counted, django_user_model, name, who, expected):
    users = {
        "not_staff_with_permission": lambda: _user(
            django_user_model, "b", "export_responses", is_staff=False
        ),
        "staff_without_permission": lambda: _user(django_user_model, "c"),
        "staff_with_monitoring_only": lambda: _user(django_user_model, "d", "view_monitoring"),
        "analyst": lambda: _user(django_user_model, "e", "export_responses"),
    }
    if who in users:
        client.force_login(users[who]())

    response = client.get(_url(counted.survey, name))

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(("codenames", "expected"), [((), 403), (("view_monitoring",), 200)])
def test_monitoring_page_for_staff(client, counted, django_user_model, codenames, expected):
    client.force_login(_user(django_user_model, "m", *codenames))

    response = client.get(_url(counted.survey, "survey:monitoring"))

    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert "Bisher 12 Antwortbögen." in body
        assert "Online: 8, Papier: 4" in body
        assert "Ahausen" in body
        assert "6,0" in body
        assert "Mo, 1. 7. 2019" in body


def test_monitoring_query_count_is_constant(
    client, counted, django_user_model, django_assert_num_queries
):
    """Session, user, user and group permissions, survey, responses per day and channel,
    residence options, their counts, responses waiting in the mixing pool, the drop-out
    counters and the pages they name, the menus' version, and their entries on the first
    view (then kept); the same with 12 and with 40 responses."""
    client.force_login(_user(django_user_model, "m", "view_monitoring"))
    with django_assert_num_queries(13):
        client.get(_url(counted.survey, "survey:monitoring"))
    for _ in range(28):
        ResponseFactory(survey=counted.survey, submitted_on=datetime.date(2019, 7, 20))
    with django_assert_num_queries(12):
        response = client.get(_url(counted.survey, "survey:monitoring"))
    assert "Bisher 40 Antwortbögen." in response.content.decode()


def test_exports_defuse_formulas_and_odd_characters(client, counted, django_user_model):
    Answer.objects.filter(pk=counted.texts[0].pk).update(text="=HYPERLINK(1)\x0b")
    client.force_login(_user(django_user_model, "a", "export_responses"))

    rows = _csv_rows(client.get(_url(counted.survey, "survey:export_csv")))
    response = client.get(_url(counted.survey, "survey:export_xlsx"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    column = rows[0].index("F6")
    assert rows[2][column] == "'=HYPERLINK(1)\x0b"
    cell = workbook["Antworten"].cell(row=3, column=column + 1)
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"
