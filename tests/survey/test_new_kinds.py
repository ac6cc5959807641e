"""The kinds added to the survey studio: ranking, date, yes/no and the information block,
in the questionnaire, the answer check (tampered values included), paper entry, print,
results and exports. The seeded mobility survey asks each (M8a, M6b, M6a, M0)."""

import datetime

import pytest
from django import forms
from django.template import Context
from django.urls import reverse

from portal.widgets import PlainSelect
from survey.answers import SubmissionError, answers_check
from survey.forms import SectionForm
from survey.kinds import KINDS, AnswerInput, kind_of, question_field_name
from survey.kinds.ranking import rank_field_name
from survey.models import Answer, QuestionKind, Response
from survey.results.compute import compute_results
from survey.results.exports import export_columns, response_rows
from survey.selectors import survey_activation_problems, survey_definition
from survey.synthetic import responses_generate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(mobility):
    return {q.code: q for q in survey_definition(survey=mobility).questions}


def ranks(question, places) -> dict:
    """POST data ranking the question's options in the given places."""
    return {
        rank_field_name(question, option): str(place)
        for option, place in zip(question.option_list, places, strict=True)
    }


def test_a_new_kind_is_one_class_and_two_fragments():
    # What the registry test demands of every kind holds for the new ones as well.
    for value in (QuestionKind.RANKING, QuestionKind.DATE, QuestionKind.YES_NO, QuestionKind.INFO):
        spec = KINDS[value]
        assert spec.print_template == f"survey/kinds/print/{value}.html"
        assert spec.result_template == f"survey/kinds/results/{value}.html"
        assert type(spec).__module__.startswith("survey.kinds.")


# --- Form fields ------------------------------------------------------------------------------


def test_form_fields_of_the_new_kinds(questions):
    form = SectionForm(questions=list(questions.values()))
    ranking = questions["M8a"]
    for option in ranking.option_list:
        field = form.fields[rank_field_name(ranking, option)]
        assert isinstance(field.widget, PlainSelect)  # a select per option, no drag and drop
        assert [c[0] for c in field.choices] == ["", "1", "2", "3", "4", "5"]
        assert field.label == option.label
    date = form.fields[question_field_name(questions["M6b"])]
    assert isinstance(date, forms.DateField)
    assert date.widget.input_type == "date"
    yes_no = form.fields[question_field_name(questions["M6a"])]
    assert [c[0] for c in yes_no.choices] == ["1", "0", ""]
    info = questions["M0"].pk
    assert not any(name == f"q{info}" or name.startswith(f"q{info}_") for name in form.fields)
    html = str(form.helper.layout.render(form, context=Context({})))
    assert "Alle Fragen außer der nach Ihrem Wohnort" in html


@pytest.mark.parametrize(
    ("places", "error"),
    [
        ((1, 1, 2, 3, 4), "Jeder Platz kann nur einmal vergeben werden."),
        ((1, 2, 3, None, None), "Bitte geben Sie jeder Antwort einen Platz."),
    ],
)
def test_ranking_needs_every_option_in_a_different_place(questions, places, error):
    ranking = questions["M8a"]
    data = {
        rank_field_name(ranking, option): str(place)
        for option, place in zip(ranking.option_list, places, strict=True)
        if place
    }
    form = SectionForm(data, questions=[ranking])
    assert not form.is_valid()
    assert error in str(form.errors)


def test_a_required_ranking_must_be_answered(questions):
    ranking = questions["M8a"]
    ranking.required = True
    form = SectionForm({}, questions=[ranking])
    assert not form.is_valid()
    assert "Bitte bringen Sie die Antworten in eine Reihenfolge." in str(form.errors)


def test_ranking_and_date_answers_come_out_as_rows(questions):
    ranking, date = questions["M8a"], questions["M6b"]
    data = ranks(ranking, (2, 1, 5, 3, 4)) | {question_field_name(date): "24.12.2024"}
    form = SectionForm(data, questions=[ranking, date])
    assert form.is_valid(), form.errors
    answers = form.answer_inputs()
    assert sorted(
        (a.option_id, a.number) for a in answers if a.question_id == ranking.pk
    ) == sorted(zip([o.pk for o in ranking.option_list], (2, 1, 5, 3, 4), strict=True))
    assert [a.date for a in answers if a.question_id == date.pk] == [datetime.date(2024, 12, 24)]
    # The date waits in the (JSON) session as text.
    assert form.cleaned_data[question_field_name(date)] == "2024-12-24"


@pytest.mark.parametrize(
    "value",
    ["99999-12-31", "31.02.2024", "1800-01-01", "2024-01-01\x00", "9" * 40, "<script>"],
)
def test_a_broken_date_is_an_error_not_a_crash(questions, value):
    form = SectionForm({question_field_name(questions["M6b"]): value}, questions=[questions["M6b"]])
    assert not form.is_valid()


@pytest.mark.parametrize("value", ["0", "6", "-1", "9" * 40, "1\x00", "eins"])
def test_a_tampered_rank_is_an_error_not_a_crash(questions, value):
    ranking = questions["M8a"]
    data = ranks(ranking, (1, 2, 3, 4, 5)) | {
        rank_field_name(ranking, ranking.option_list[0]): value
    }
    assert not SectionForm(data, questions=[ranking]).is_valid()


# --- The answer check behind every submission ------------------------------------------------


def valid(questions) -> list[AnswerInput]:
    ranking = questions["M8a"]
    return [
        *(
            AnswerInput(question_id=ranking.pk, option_id=option.pk, number=place)
            for place, option in enumerate(ranking.option_list, start=1)
        ),
        AnswerInput(question_id=questions["M6b"].pk, date=datetime.date(2023, 5, 1)),
        AnswerInput(question_id=questions["M6a"].pk, number=1),
    ]


def test_answer_check_accepts_the_new_kinds(mobility, questions):
    answers_check(survey=mobility, answers=valid(questions))


def _tampered(questions, case):
    ranking, date, yes_no = questions["M8a"], questions["M6b"], questions["M6a"]
    first, second = ranking.option_list[0].pk, ranking.option_list[1].pk
    rest = [
        AnswerInput(question_id=ranking.pk, option_id=o.pk, number=p)
        for p, o in enumerate(ranking.option_list[2:], start=3)
    ]
    foreign = questions["M1"].option_list[0].pk
    return {
        "rank_zero": [AnswerInput(question_id=ranking.pk, option_id=first, number=0)],
        "rank_too_high": [AnswerInput(question_id=ranking.pk, option_id=first, number=6)],
        "rank_huge": [AnswerInput(question_id=ranking.pk, option_id=first, number=2**31 - 1)],
        "rank_twice": [
            AnswerInput(question_id=ranking.pk, option_id=first, number=1),
            AnswerInput(question_id=ranking.pk, option_id=second, number=1),
            *rest,
        ],
        "ranking_partial": [AnswerInput(question_id=ranking.pk, option_id=first, number=1)],
        "rank_without_number": [AnswerInput(question_id=ranking.pk, option_id=first)],
        "rank_other_question_option": [
            AnswerInput(question_id=ranking.pk, option_id=foreign, number=1)
        ],
        "rank_with_text": [
            AnswerInput(question_id=ranking.pk, option_id=first, number=1, text="x")
        ],
        "date_too_early": [AnswerInput(question_id=date.pk, date=datetime.date(1899, 12, 31))],
        "date_too_late": [AnswerInput(question_id=date.pk, date=datetime.date(9999, 12, 31))],
        "date_with_number": [
            AnswerInput(question_id=date.pk, date=datetime.date(2024, 1, 1), number=1)
        ],
        "number_on_date": [AnswerInput(question_id=date.pk, number=20240101)],
        "date_on_number": [
            AnswerInput(question_id=questions["M3"].pk, date=datetime.date(2024, 1, 1))
        ],
        "yes_no_two": [AnswerInput(question_id=yes_no.pk, number=2)],
        "yes_no_option": [AnswerInput(question_id=yes_no.pk, option_id=foreign)],
        "yes_and_no": [
            AnswerInput(question_id=yes_no.pk, number=1),
            AnswerInput(question_id=yes_no.pk, number=0),
        ],
        "answer_to_info": [AnswerInput(question_id=questions["M0"].pk, text="x")],
    }[case]


@pytest.mark.parametrize(
    "case",
    [
        "rank_zero",
        "rank_too_high",
        "rank_huge",
        "rank_twice",
        "ranking_partial",
        "rank_without_number",
        "rank_other_question_option",
        "rank_with_text",
        "date_too_early",
        "date_too_late",
        "date_with_number",
        "number_on_date",
        "date_on_number",
        "yes_no_two",
        "yes_no_option",
        "yes_and_no",
        "answer_to_info",
    ],
)
def test_answer_check_refuses_tampered_answers_of_the_new_kinds(mobility, questions, case):
    with pytest.raises(SubmissionError):
        answers_check(survey=mobility, answers=_tampered(questions, case))


# --- Online, through the mixing pool -----------------------------------------------------------


def test_new_kinds_are_stored_through_the_pool(client, filler, mobility, questions):
    client.get(filler.url)
    ticket, since, ranking = questions["M6a"], questions["M6b"], questions["M8a"]
    pages = [
        filler.page1(),
        filler.page2(**{filler.name("M6a"): "1", filler.name("M6b"): "2023-05-01"}),
        filler.page3(**ranks(ranking, (3, 1, 2, 5, 4))),
        filler.page_ideas(),
    ]
    for data in pages:
        response = client.post(filler.url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
    stored = Response.objects.get()
    assert stored.answers.get(question=ticket).number == 1
    assert stored.answers.get(question=since).date == datetime.date(2023, 5, 1)
    placed = dict(stored.answers.filter(question=ranking).values_list("option_id", "number"))
    assert placed == {o.pk: p for o, p in zip(ranking.option_list, (3, 1, 2, 5, 4), strict=True)}
    assert not stored.answers.filter(question=questions["M0"]).exists()


# --- Print, paper entry, results, exports ----------------------------------------------------


def test_print_version_shows_the_new_kinds(client, mobility):
    page = client.get(reverse("survey:print", kwargs={"slug": mobility.slug})).content.decode()
    assert "Alle Fragen außer der nach Ihrem Wohnort" in page  # the information block
    assert "Schreiben Sie neben jede Antwort einen Platz von 1 bis 5" in page
    assert "Tag.Monat.Jahr" in page
    assert "Nur beantworten, wenn Sie bei Frage M6a „Ja“ angegeben haben." in page


def test_paper_entry_takes_the_new_kinds(client, mobility, questions):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("survey:paper_entry", kwargs={"slug": mobility.slug})
    page = client.get(url).content.decode()
    assert "Platz 1" in page
    assert 'type="date"' in page
    sections = {q.code: q.section_id for q in questions.values()}

    def name(code, field=None):
        return f"s{sections[code]}-{field or question_field_name(questions[code])}"

    ranking = questions["M8a"]
    data = {
        "sheet_number": "7",
        name("M1"): str(questions["M1"].option_list[0].pk),
        name("M4"): [str(questions["M4"].option_list[0].pk)],
        name("M5"): "3",
        name("M6a"): "1",
        name("M6b"): "01.05.2023",
        **{name("M7", f"q{questions['M7'].pk}_i{i.pk}"): "3" for i in questions["M7"].item_list},
        **{
            name("M8a", rank_field_name(ranking, o)): str(p)
            for p, o in enumerate(ranking.option_list, start=1)
        },
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    sheet = Response.objects.get(sheet_number=7)
    assert sheet.answers.get(question__code="M6b").date == datetime.date(2023, 5, 1)
    assert sheet.answers.filter(question__code="M8a").count() == 5

    # A duplicate place on paper: the page says so, nothing is stored.
    data |= {
        "sheet_number": "8",
        name("M8a", rank_field_name(ranking, ranking.option_list[1])): "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jeder Platz kann nur einmal vergeben werden." in page
    # The error summary names the question and the option, not the field.
    assert f"{ranking.text} – {ranking.option_list[0].label}" in page
    assert not Response.objects.filter(sheet_number=8).exists()


def test_results_of_the_new_kinds(mobility):
    responses_generate(survey=mobility, count=120, seed=5)
    results = compute_results(survey=mobility)
    by_code = {q.code: q for section in results.sections for q in section.questions}
    assert "M0" not in by_code  # the information block has no result
    ranking = by_code["M8a"]
    assert len(ranking.items) == 5
    for item in ranking.items:
        assert 1 <= item.means[0].value <= 5
        assert [row.label for row in item.rows] == [f"Platz {n}" for n in range(1, 6)]
    # Everyone who ranked put exactly one option first.
    assert sum(item.rows[0].cells[0].count for item in ranking.items) == ranking.base
    yes_no = by_code["M6a"]
    assert [row.label for row in yes_no.rows] == ["Ja", "Nein"]
    assert sum(row.cells[0].count for row in yes_no.rows) == yes_no.base > 0
    dates = by_code["M6b"]
    stored = Answer.objects.filter(question__code="M6b", question__survey=mobility).count()
    assert dates.base == stored > 0
    assert all(row.label.split()[-1] in {"2025", "2026"} for row in dates.rows)


def test_results_page_shows_ranking_and_date(client, mobility):
    responses_generate(survey=mobility, count=60, seed=8)
    mobility.status = "published"
    mobility.save()
    page = client.get(reverse("survey:results", kwargs={"slug": mobility.slug})).content.decode()
    assert "Mittlerer Platz" in page
    assert "Auf Platz 1" in page


def test_exports_of_the_new_kinds(mobility, questions):
    responses_generate(survey=mobility, count=20, seed=4)
    columns = export_columns(survey=mobility)
    codes = [c.code for c in columns]
    assert "M0" not in codes
    assert [c for c in codes if c.startswith("M8a")] == [f"M8a_{n}" for n in range(1, 6)]
    assert {"M6a", "M6b"} <= set(codes)
    rows = list(response_rows(survey=mobility, columns=columns))
    index = {code: codes.index(code) for code in codes}
    for row in rows:
        placed = [row[index[f"M8a_{n}"]] for n in range(1, 6)]
        assert placed == [""] * 5 or sorted(placed) == [1, 2, 3, 4, 5]
        assert row[index["M6a"]] in ("", 0, 1)
        date = row[index["M6b"]]
        assert date == "" or datetime.date.fromisoformat(date)


# --- The activation check ----------------------------------------------------------------------


def test_a_ranking_needs_three_to_seven_options(mobility):
    assert survey_activation_problems(survey=mobility) == []
    ranking = mobility.questions.get(code="M8a")
    ranking.options.exclude(position__in=[1, 2]).delete()
    assert survey_activation_problems(survey=mobility) == [
        "Frage M8a auf Seite 3 hat 2 Antwortmöglichkeiten; nötig sind 3 bis 7."
    ]
    assert kind_of(ranking).option_count == (3, 7)


def test_statistics_exports_know_the_new_kinds(mobility, questions, tmp_path):
    """SPSS: yes/no carries its labels, ranks are ordinal places with the ordinary missing
    codes, and a question hidden by a yes/no answer counts as "not shown", not "skipped"."""
    import pyreadstat

    from survey.results.stats_exports import responses_sav
    from survey.results.stats_variables import shown_questions

    ticket, since = questions["M6a"], questions["M6b"]
    definition = survey_definition(survey=mobility)
    said_no = [Answer(question=ticket, number=0)]
    said_yes = [Answer(question=ticket, number=1)]
    assert since.pk not in shown_questions(definition, said_no)
    assert since.pk in shown_questions(definition, said_yes)

    responses_generate(survey=mobility, count=20, seed=4)
    path = tmp_path / "export.sav"
    path.write_bytes(responses_sav(survey=mobility).read())
    _data, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert meta.variable_value_labels["M6a"][1.0] == "Ja"
    assert meta.variable_value_labels["M6a"][0.0] == "Nein"
    assert meta.variable_measure["M8a_1"] == "ordinal"
    assert [r["lo"] for r in meta.missing_ranges["M8a_1"]] == [-1, -2, -3]
    assert meta.readstat_variable_types["M6b"] == "double"  # a date, not a string
    assert meta.original_variable_types["M6b"].startswith("DATE")
