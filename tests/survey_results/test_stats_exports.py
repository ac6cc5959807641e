"""Statistical exports (SPSS, Stata, R): read back with pyreadstat; labels, missing codes,
themes, dates; who may download them."""

import datetime
import re
import shutil
import subprocess
import zipfile

import pyreadstat
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from survey.models import Answer, Response
from survey.results.services import survey_raw_data_delete
from survey.results.stats_exports import r_script, responses_dta, responses_r_zip, responses_sav
from survey.results.stats_variables import safe_name, survey_variables
from tests.factories import SurveyFactory
from tests.survey_results.conftest import SECRETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def conditioned(counted):
    """F5 is shown only to people from Ahausen (r1–r6); the retention clean-up has run."""
    counted.f5.condition_question = counted.f1
    counted.f5.save()
    counted.f5.condition_options.set([counted.f1.options.get(value=1)])
    survey_raw_data_delete(survey=counted.survey)
    return counted


def _read(handle, reader, suffix, tmp_path):
    path = tmp_path / f"export.{suffix}"
    path.write_bytes(handle.read())
    return reader(str(path), user_missing=True, output_format="dict")


def _by_response(data, counted):
    ids = [int(value) for value in data["id"]]
    assert ids == [r.pk for r in counted.responses]
    return {name: dict(zip(range(1, 13), values, strict=True)) for name, values in data.items()}


def test_sav_has_labels_missing_codes_themes_and_dates(conditioned, tmp_path):
    data, meta = _read(
        responses_sav(survey=conditioned.survey), pyreadstat.read_sav, "sav", tmp_path
    )
    cells = _by_response(data, conditioned)

    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["F1"] == "Wo wohnen Sie?"
    assert labels["F4_1"] == "Wie bewerten Sie … – Straßen"
    assert labels["F6_T1"] == "Was fehlt? – Thema: Verkehr"
    missing = {
        -1.0: "nicht gezeigt (Bedingung)",
        -2.0: "keine Angabe",
        -3.0: "gelöscht (Aufbewahrungsfrist)",
    }
    assert meta.variable_value_labels["F1"] == {
        1.0: "Ahausen",
        2.0: "Bedorf",
        3.0: "Cestadt",
        4.0: "Dewitz",
        **missing,
    }
    assert meta.variable_value_labels["F4_1"] == {1.0: "schlecht", 5.0: "gut", **missing}
    assert [r["lo"] for r in meta.missing_ranges["F5"]] == [-1, -2, -3]
    assert [r["lo"] for r in meta.missing_ranges["F6"]] == ["-1", "-2", "-3"]
    assert meta.variable_measure["F1"] == "nominal"
    assert meta.variable_measure["F4_1"] == "ordinal"
    assert meta.variable_measure["F7"] == "scale"

    # F5 only for Ahausen: r1–r3 answered, r4–r6 skipped it, r8–r12 never saw it; r7 (Bedorf)
    # answered on an older version of the condition: the stored answer wins.
    assert [cells["F5"][n] for n in range(1, 13)] == [1, 2, 2, -2, -2, -2, 5, -1, -1, -1, -1, -1]
    # Free texts deleted by retention, not given, other-texts deleted, matrix rows skipped.
    assert cells["F6"][1] == "-3"
    assert cells["F6"][3] == "-2"
    assert cells["F3_other"][3] == "-3"
    assert cells["F3_other"][1] == ""
    assert cells["F3_1"][1] == 1
    assert cells["F3_3"][1] == 0
    assert cells["F3_1"][5] == -2
    assert cells["F4_2"][2] == -2
    assert cells["F4_2"][1] == 4
    # Themes: one 0/1 variable each; an answer nobody coded is -4.
    assert [cells["F6_T1"][n] for n in (1, 2, 7, 3)] == [1, 1, -4, -2]
    assert [cells["F6_T2"][n] for n in (1, 2)] == [1, 0]
    assert meta.variable_value_labels["F6_T1"][-4.0] == "nicht codiert"
    # Dates are dates.
    assert cells["submitted_on"][1] == datetime.date(2019, 7, 1)
    assert meta.original_variable_types["submitted_on"].startswith("DATE")
    assert not any(secret in str(data.values()) for secret in SECRETS)


def test_sav_with_answer_texts_and_before_retention(counted, tmp_path):
    data, meta = _read(
        responses_sav(survey=counted.survey, values="texts"), pyreadstat.read_sav, "sav", tmp_path
    )
    cells = _by_response(data, counted)
    assert cells["F1"][1] == "Ahausen"
    assert cells["F1"][11] == "Dewitz"
    assert cells["F6"][1] == SECRETS[0]
    assert cells["F3_other"][3] == "GEHEIM-SONSTIGES-EINS"
    assert meta.variable_value_labels["F1"]["-2"] == "keine Angabe"


def test_negative_answers_are_never_taken_for_missing_values(counted, tmp_path):
    # F7 (a number without lower bound) may hold -2; its missing codes lie below any answer.
    Answer.objects.filter(response=counted.responses[1], question=counted.f7).update(number=-2)
    data, meta = _read(responses_sav(survey=counted.survey), pyreadstat.read_sav, "sav", tmp_path)
    cells = _by_response(data, counted)
    assert cells["F7"][2] == -2
    assert cells["F7"][4] == -1_000_000_002
    assert [r["lo"] for r in meta.missing_ranges["F7"]] == [
        -1_000_000_001,
        -1_000_000_002,
        -1_000_000_003,
    ]
    assert meta.variable_value_labels["F7"][-1_000_000_002] == "keine Angabe"
    # Scales from 1 and multiple-choice 0/1 keep the short codes.
    assert [r["lo"] for r in meta.missing_ranges["F5"]] == [-1, -2, -3]
    assert [r["lo"] for r in meta.missing_ranges["F3_1"]] == [-1, -2, -3]
    dta, _meta = _read(responses_dta(survey=counted.survey), pyreadstat.read_dta, "dta", tmp_path)
    assert _by_response(dta, counted)["F7"][2] == -2
    assert _by_response(dta, counted)["F7"][4] == "b"


def test_typed_text_equal_to_a_missing_code_is_not_missing(counted, tmp_path):
    Answer.objects.filter(response=counted.responses[0], question=counted.f6).update(text="-2")
    data, _meta = _read(responses_sav(survey=counted.survey), pyreadstat.read_sav, "sav", tmp_path)
    assert _by_response(data, counted)["F6"][1] == "'-2"


def test_dta_uses_extended_missing_values(conditioned, tmp_path):
    data, meta = _read(
        responses_dta(survey=conditioned.survey), pyreadstat.read_dta, "dta", tmp_path
    )
    cells = _by_response(data, conditioned)
    assert [cells["F5"][n] for n in (1, 4, 8)] == [1, "b", "a"]
    assert cells["F6_T1"][7] == "d"
    assert meta.variable_value_labels["F1"][2] == "Bedorf"
    assert (
        dict(zip(meta.column_names, meta.column_labels, strict=True))["F7"] == "Wie alt sind Sie?"
    )
    assert cells["submitted_on"][12] == datetime.date(2019, 7, 12)


def test_r_zip_holds_csv_and_a_script_that_labels_it(conditioned):
    archive = zipfile.ZipFile(responses_r_zip(survey=conditioned.survey))
    assert archive.namelist() == ["testland-antworten.csv", "testland-antworten.R"]
    lines = archive.read("testland-antworten.csv").decode("utf-8").splitlines()
    header = lines[0].split(",")
    assert header[:4] == ["id", "channel", "submitted_on", "sheet_number"]
    first = dict(zip(header, lines[1].split(","), strict=True))
    assert first["submitted_on"] == "2019-07-01"
    assert first["F6"] == "-3"
    script = archive.read("testland-antworten.R").decode("utf-8")
    assert 'read.csv("testland-antworten.csv", fileEncoding = "UTF-8"' in script
    assert '"submitted_on" = "Date"' in script
    assert (
        'd[["F1"]] <- osl_factor(d[["F1"]], c(1, 2, 3, 4), '
        'c("Ahausen", "Bedorf", "Cestadt", "Dewitz"))' in script
    )
    assert 'd[["F5"]] <- osl_missing(d[["F5"]], c(-1, -2, -3), c("nicht gezeigt' in script
    assert 'attr(d[["F6_T1"]], "label") <- "Was fehlt? – Thema: Verkehr"' in script
    # Every variable of the CSV gets its label, and the brackets balance.
    assert all(f'attr(d[["{name}"]], "label")' in script for name in header)
    assert script.count("(") == script.count(")")
    assert script.count("{") == script.count("}")


def test_r_labels_cannot_break_out_of_their_string(counted):
    counted.f1.text = 'Wo?") ; system("rm -rf /") ; x <- c("\\'
    counted.f1.save()
    variables = survey_variables(survey=counted.survey)
    script = r_script(survey=counted.survey, variables=variables, csv_name="x.csv")
    line = next(line for line in script.splitlines() if line.startswith('attr(d[["F1"]]'))
    # One string literal: every quote inside it is escaped.
    literal = line.split("<- ", 1)[1]
    assert re.fullmatch(r'"(?:[^"\\]|\\.)*"', literal)


def test_variable_names_are_safe_and_unique():
    taken: set[str] = set()
    names = [safe_name(code, taken) for code in ["F1", "f1", "1a", "by", "Ä-ß", "x" * 40, "x" * 40]]
    assert names[:5] == ["F1", "f1_2", "v_1a", "v_by", "v____"]
    assert all(len(name) <= 32 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) for name in names)
    assert len({name.lower() for name in names}) == len(names)


def test_empty_survey_exports(tmp_path):
    survey = SurveyFactory(slug="leer")
    data, _meta = _read(responses_sav(survey=survey), pyreadstat.read_sav, "sav", tmp_path)
    assert list(data) == ["id", "channel", "submitted_on", "sheet_number"]


# --- Who may download ------------------------------------------------------------------------


def _user(django_user_model, name, *codenames, is_staff=True):
    user = django_user_model.objects.create_user(name, password="x", is_staff=is_staff)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=codenames, content_type__app_label="survey")
    )
    return user


def _url(slug, query="format=sav"):
    return reverse("survey:export_stats", kwargs={"slug": slug}) + "?" + query


@pytest.mark.parametrize("fmt", ["sav", "dta", "r"])
def test_staff_with_permission_downloads_and_it_is_logged(client, counted, django_user_model, fmt):
    from auditlog.models import LogEntry

    client.force_login(_user(django_user_model, "a", "export_responses"))
    response = client.get(_url("testland", f"format={fmt}&werte=texte"))
    assert response.status_code == 200
    suffix = {"sav": "sav", "dta": "dta", "r": "zip"}[fmt]
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="testland-antworten-texte.{suffix}"'
    )
    assert b"".join(response.streaming_content)
    entry = LogEntry.objects.latest("pk")
    assert f"testland-antworten-texte.{suffix}" in str(entry.additional_data)
    assert str(Response.objects.count()) in str(entry.additional_data)


def test_anonymous_goes_to_login(client, counted):
    response = client.get(_url("testland"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("codenames", "is_staff"),
    [((), True), (("view_monitoring",), True), (("export_responses",), False)],
)
def test_without_permission_or_staff_flag_403(
    client, counted, django_user_model, codenames, is_staff
):
    client.force_login(_user(django_user_model, "b", *codenames, is_staff=is_staff))
    assert client.get(_url("testland")).status_code == 403
    # Nobody without the permission learns which surveys exist.
    assert client.get(_url("gibt-es-nicht")).status_code == 403


@pytest.mark.parametrize(
    "query", ["", "format=exe", "format=sav&werte=roh", "format=sav%00", "format=" + "s" * 5000]
)
def test_tampered_parameters_get_a_german_message(client, counted, django_user_model, query):
    client.force_login(_user(django_user_model, "c", "export_responses"))
    response = client.get(_url("testland", query))
    assert response.status_code == 400
    if "%00" not in query:  # a NUL byte is refused earlier, by the site's own 400 page
        assert "Bitte wählen Sie eines der angebotenen Dateiformate" in response.content.decode()


def test_unknown_survey_404_for_exporter(client, counted, django_user_model):
    client.force_login(_user(django_user_model, "d", "export_responses"))
    assert client.get(_url("gibt-es-nicht")).status_code == 404


def test_monitoring_page_offers_the_statistical_exports(client, counted, django_user_model):
    client.force_login(_user(django_user_model, "e", "export_responses", "view_monitoring"))
    page = client.get(reverse("survey:monitoring", kwargs={"slug": "testland"})).content.decode()
    assert 'action="/befragungen/testland/auswertung/statistik/"' in page
    assert 'name="format"' in page
    assert 'value="dta"' in page
    assert 'name="werte"' in page


def test_queries_do_not_grow_with_the_responses(counted):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from survey.results.stats_variables import variable_rows

    def count():
        variables = survey_variables(survey=counted.survey)
        with CaptureQueriesContext(connection) as queries:
            rows = list(variable_rows(survey=counted.survey, variables=variables))
        return len(rows), len(queries)

    before = count()
    for response in counted.responses:
        copy = Response.objects.create(
            survey=counted.survey, channel="online", submitted_on=response.submitted_on
        )
        for answer in response.answers.all():
            answer.pk, answer.response = None, copy
            answer.save()
    after = count()
    assert (before[0], after[0]) == (12, 24)
    assert after[1] == before[1]


@pytest.mark.skipif(not shutil.which("Rscript"), reason="R is not installed")
def test_r_script_runs_in_r(conditioned, tmp_path):
    Answer.objects.filter(response=conditioned.responses[1], question=conditioned.f7).update(
        number=-2
    )
    zipfile.ZipFile(responses_r_zip(survey=conditioned.survey)).extractall(tmp_path)
    check = (
        'source("testland-antworten.R"); '
        'cat(class(d$submitted_on), levels(d$F1)[2], attr(d$F5, "label"), '
        "sum(is.na(d$F5)), as.character(attr(d$F5, 'missing_reason'))[8], "
        "as.character(attr(d$F6, 'missing_reason'))[1], d$F7[2], d$F5[7], "
        "as.character(d$F1[11]), sep = '|')"
    )
    result = subprocess.run(
        ["Rscript", "--vanilla", "-e", check],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("|") == [
        "Date",
        "Bedorf",
        "Wie zufrieden?",
        "8",
        "nicht gezeigt (Bedingung)",
        "gelöscht (Aufbewahrungsfrist)",
        "-2",
        "5",
        "Dewitz",
    ]


def test_publication_admin_links_the_statistical_exports(client, counted, django_user_model):
    from survey.models import ResultsPublication

    publication = ResultsPublication.objects.create(survey=counted.survey)
    client.force_login(django_user_model.objects.create_superuser("chef", password="x"))
    page = client.get(
        reverse("admin:survey_resultspublication_change", args=[publication.pk])
    ).content.decode()
    for fmt, label in [("sav", "SPSS (.sav)"), ("dta", "Stata (.dta)"), ("r", "R (.zip)")]:
        assert f'href="{_url("testland", f"format={fmt}")}"' in page
        assert f"Alle Antworten für {label}" in page


@pytest.mark.parametrize("writer", [responses_sav, responses_dta, responses_r_zip])
def test_survey_without_responses_exports_in_every_format(counted, writer):
    Response.objects.filter(survey=counted.survey).delete()
    handle = writer(survey=counted.survey)
    assert handle.read(4)


@pytest.mark.parametrize(
    ("writer", "reader", "date_format"),
    [(responses_sav, pyreadstat.read_sav, "DATE"), (responses_dta, pyreadstat.read_dta, "%td")],
)
def test_date_column_without_any_date_is_still_a_date(
    counted, tmp_path, writer, reader, date_format, monkeypatch
):
    from survey.results import stats_variables

    original = stats_variables._meta_value

    def no_dates(variable, response):
        return None if variable.meta == "submitted_on" else original(variable, response)

    monkeypatch.setattr(stats_variables, "_meta_value", no_dates)
    data, meta = _read(writer(survey=counted.survey), reader, "x", tmp_path)
    assert meta.original_variable_types["submitted_on"].startswith(date_format)
    assert set(data["submitted_on"]) == {None}


def test_a_kind_that_marks_its_column_as_date_gets_dates(counted):
    """Kinds to come (a date question) only need to mark their column as a date."""
    from survey.kinds import ExportColumn
    from survey.results.stats_variables import DATE, _as_date, _question_variable

    column = ExportColumn("D1", "Seit wann?", counted.f6, "date")
    variable = _question_variable(column, set(), "codes")
    assert (variable.type, variable.missing) == (DATE, ())
    assert _as_date("2024-05-01") == datetime.date(2024, 5, 1)
    assert _as_date(datetime.date(2024, 5, 1)) == datetime.date(2024, 5, 1)
    assert _as_date("31.02.2024") is None
    assert _as_date("") is None


def test_columns_of_unknown_kinds_are_typed_by_their_values():
    from survey.results.stats_variables import AUTO, NUMERIC, STRING, Variable, settle_types

    ranks = Variable("R1", "Rang", type=AUTO, missing=(-1, -2, -3), missing_base=-(10**9))
    words = Variable("W1", "Wort", type=AUTO, missing=(-1, -2, -3), missing_base=-(10**9))
    rows = [[1, "ja"], [None, 2], [-1_000_000_002, -1_000_000_001]]
    settle_types([ranks, words], rows)
    assert (ranks.type, ranks.missing_base) == (NUMERIC, -(10**9))
    assert (words.type, words.missing_base) == (STRING, 0)
    assert rows == [[1, "ja"], [None, 2], [-1_000_000_002, -1]]
