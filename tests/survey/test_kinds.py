"""The question kinds (``survey.kinds``): one object per kind, and per kind its form fields,
answer rows, answer check (tampered values included), export columns and results."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from crispy_forms.layout import Fieldset
from django import forms
from django.template.loader import get_template

from portal.widgets import PlainSelect
from survey.answers import SubmissionError, answers_check
from survey.kinds import (
    KINDS,
    AnswerInput,
    AnswerRefs,
    QuestionKindSpec,
    ResultTallies,
    item_field_name,
    kind_of,
    kind_values,
    other_field_name,
    question_field_name,
)
from survey.models import Answer, Channel, Question, QuestionKind, Response
from survey.results.exports import export_columns, response_rows
from survey.results.question_results import Counts, question_result
from survey.results.shapes import QuestionResult, half_up
from survey.selectors import survey_definition

K = QuestionKind


@pytest.fixture
def questions(mobility):
    return {q.code: q for q in survey_definition(survey=mobility).questions}


def option(question, label):
    return next(o for o in question.option_list if o.label == label)


# --- One object per kind ----------------------------------------------------------------------


def _concrete_kinds(cls=QuestionKindSpec) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        if "value" in sub.__dict__:
            found.add(sub)
        found |= _concrete_kinds(sub)
    return found


def test_every_question_kind_has_exactly_one_kind_object():
    assert sorted(KINDS) == sorted(QuestionKind.values)
    classes = [type(spec) for spec in KINDS.values()]
    assert len(set(classes)) == len(classes) == len(QuestionKind.values)
    # No kind class is left out of the registry.
    assert _concrete_kinds() == set(classes)
    for value, spec in KINDS.items():
        assert spec.value == value
        assert kind_of(value) is spec
        assert spec.label == QuestionKind(value).label


def test_kind_of_accepts_questions_results_and_values(questions):
    assert kind_of(questions["M5"]) is KINDS["scale"]
    assert kind_of("matrix") is KINDS[K.MATRIX]
    with pytest.raises(KeyError):
        kind_of("heatmap")


@pytest.mark.parametrize("value", QuestionKind.values)
def test_every_kind_has_its_fragments_and_the_whole_interface(value):
    spec = KINDS[value]
    get_template(spec.print_template)
    get_template(spec.result_template)
    for method in (
        "form_part",
        "answer_inputs",
        "value_fits",
        "export_columns",
        "fill_result",
        "sample_answers",
    ):
        assert getattr(type(spec), method) is not getattr(QuestionKindSpec, method), method


def test_flags_say_what_the_answers_are():
    # Scale-ness is two things: values on the scale (scale and matrix), rows of items (matrix).
    assert kind_values("uses_scale") == {K.SCALE, K.MATRIX}
    assert kind_values("has_items") == {K.MATRIX}
    assert kind_values("has_options") == {K.SINGLE, K.MULTIPLE, K.DROPDOWN, K.RANKING}
    assert kind_values("is_free_text") == {K.SHORT_TEXT, K.LONG_TEXT}
    assert kind_values("is_numeric") == {K.SCALE, K.MATRIX, K.NUMBER}
    assert kind_values("has_mean") == {K.SCALE, K.NUMBER}
    assert kind_values("several_answers") == {K.MULTIPLE, K.MATRIX, K.RANKING}
    assert kind_values("can_break_down") == {K.SINGLE, K.DROPDOWN}
    assert kind_values("counts_respondents") == {K.MULTIPLE}
    assert kind_values("answers_add_up") == {
        K.SINGLE,
        K.DROPDOWN,
        K.SCALE,
        K.MATRIX,
        K.RANKING,
        K.DATE,
        K.YES_NO,
    }
    assert kind_values("has_answers") == set(QuestionKind.values) - {K.INFO}
    assert kind_values("results_per_item") == {K.MATRIX, K.RANKING}
    assert kind_values("stores_date") == {K.DATE}
    assert kind_values("condition_operators") == {
        K.SINGLE,
        K.MULTIPLE,
        K.DROPDOWN,
        K.SCALE,
        K.NUMBER,
        K.YES_NO,
    }


# --- Form fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "field", "widget"),
    [
        ("M1", forms.ChoiceField, forms.RadioSelect),
        ("M2", forms.ChoiceField, PlainSelect),
        ("M3", forms.IntegerField, forms.NumberInput),
        ("M4", forms.MultipleChoiceField, forms.CheckboxSelectMultiple),
        ("M5", forms.ChoiceField, forms.RadioSelect),
        ("M6", forms.CharField, forms.TextInput),
        ("M10", forms.CharField, forms.Textarea),
    ],
)
def test_form_part_has_the_field_of_its_kind(questions, code, field, widget):
    q = questions[code]
    part = kind_of(q).form_part(q, label=q.text, required=q.required)
    main = part.fields[question_field_name(q)]
    assert type(main) is field
    assert isinstance(main.widget, widget)
    assert main.required is q.required


def test_form_part_of_a_choice_with_other_has_the_other_field(questions):
    q = questions["M4"]
    part = kind_of(q).form_part(q, label=q.text, required=True)
    assert list(part.fields) == [question_field_name(q), other_field_name(q)]
    assert part.fields[other_field_name(q)].max_length == 300


def test_form_part_of_a_matrix_has_one_scale_per_item(questions):
    q = questions["M7"]
    part = kind_of(q).form_part(q, label=q.text, required=False)
    assert list(part.fields) == [item_field_name(q, item) for item in q.item_list]
    assert isinstance(part.layout, Fieldset)
    choices = part.fields[item_field_name(q, q.item_list[0])].choices
    assert choices[0] == ("1", "1 – sehr schlecht")
    assert choices[-1] == ("", "Keine Angabe")


def test_number_and_text_fields_keep_their_bounds(questions):
    number = questions["M3"]
    field = (
        kind_of(number)
        .form_part(number, label="", required=False)
        .fields[question_field_name(number)]
    )
    assert (field.min_value, field.max_value) == (1, 15)
    short, long = questions["M6"], questions["M10"]
    assert (
        kind_of(short)
        .form_part(short, label="", required=False)
        .fields[question_field_name(short)]
        .max_length
        == 300
    )
    assert (
        kind_of(long)
        .form_part(long, label="", required=False)
        .fields[question_field_name(long)]
        .max_length
        == 5000
    )


# --- Cleaned data → answer rows ---------------------------------------------------------------


def test_answer_inputs_per_kind(questions):
    m1, m4, m5, m7 = questions["M1"], questions["M4"], questions["M5"], questions["M7"]
    m3, m6 = questions["M3"], questions["M6"]
    own, bus, other = option(m1, "Naundorf"), option(m4, "Bus"), option(m4, "anders")
    first, second, *_rest = m7.item_list
    data = {
        question_field_name(m1): str(own.pk),
        question_field_name(m4): [str(bus.pk), str(other.pk)],
        other_field_name(m4): " Moped ",
        question_field_name(m5): "4",
        item_field_name(m7, first): "2",
        item_field_name(m7, second): "",
        question_field_name(m3): 3,
        question_field_name(m6): "  Mügeln – Oschatz ",
    }
    given = {code: kind_of(q).answer_inputs(q, data) for code, q in questions.items()}
    assert given["M1"] == [AnswerInput(question_id=m1.pk, option_id=own.pk)]
    assert given["M4"] == [
        AnswerInput(question_id=m4.pk, option_id=bus.pk),
        AnswerInput(question_id=m4.pk, option_id=other.pk, text="Moped"),
    ]
    assert given["M5"] == [AnswerInput(question_id=m5.pk, number=4)]
    assert given["M7"] == [AnswerInput(question_id=m7.pk, item_id=first.pk, number=2)]
    assert given["M3"] == [AnswerInput(question_id=m3.pk, number=3)]
    assert given["M6"] == [AnswerInput(question_id=m6.pk, text="Mügeln – Oschatz")]
    for unanswered in ("M2", "M8", "M9", "M10"):
        assert given[unanswered] == []
    assert kind_of(m1).condition_option_ids(m1, data) == [own.pk]
    assert kind_of(m5).condition_option_ids(m5, data) == []


# --- The answer check -------------------------------------------------------------------------


def valid_answers(questions) -> list[AnswerInput]:
    m1, m2, m4, m7 = questions["M1"], questions["M2"], questions["M4"], questions["M7"]
    return [
        AnswerInput(question_id=m1.pk, option_id=m1.option_list[0].pk),
        AnswerInput(question_id=m2.pk, option_id=m2.option_list[-1].pk),
        AnswerInput(question_id=questions["M3"].pk, number=15),
        AnswerInput(question_id=m4.pk, option_id=option(m4, "Bus").pk),
        AnswerInput(question_id=m4.pk, option_id=option(m4, "anders").pk, text="x" * 300),
        AnswerInput(question_id=questions["M5"].pk, number=1),
        AnswerInput(question_id=questions["M6"].pk, text="x" * 300),
        *(AnswerInput(question_id=m7.pk, item_id=item.pk, number=5) for item in m7.item_list),
        AnswerInput(question_id=questions["M8"].pk, number=0),
        AnswerInput(question_id=questions["M10"].pk, text="ü" * 5000),
    ]


def test_answer_check_accepts_a_valid_answer_of_every_kind(mobility, questions):
    assert {q.kind for q in questions.values()} == set(QuestionKind.values)
    answers_check(survey=mobility, answers=valid_answers(questions))


def tampered(questions, case: str) -> list[AnswerInput]:
    m1, m4, m5, m7 = questions["M1"], questions["M4"], questions["M5"], questions["M7"]
    item = m7.item_list[0]
    bus = option(m4, "Bus").pk
    return {
        "text_on_single_option": [
            AnswerInput(question_id=m1.pk, option_id=m1.option_list[0].pk, text="x")
        ],
        "text_on_not_other_option": [AnswerInput(question_id=m4.pk, option_id=bus, text="x")],
        "other_text_too_long": [
            AnswerInput(question_id=m4.pk, option_id=option(m4, "anders").pk, text="x" * 301)
        ],
        "more_than_max_choices": [
            AnswerInput(question_id=m4.pk, option_id=o.pk) for o in m4.option_list[:4]
        ],
        "option_on_scale": [AnswerInput(question_id=m5.pk, option_id=bus)],
        "item_on_scale": [AnswerInput(question_id=m5.pk, item_id=item.pk, number=3)],
        "text_on_scale": [AnswerInput(question_id=m5.pk, number=3, text="x")],
        "scale_below_range": [AnswerInput(question_id=m5.pk, number=0)],
        "scale_without_number": [AnswerInput(question_id=m5.pk, text="3")],
        "matrix_without_item": [AnswerInput(question_id=m7.pk, number=3)],
        "matrix_out_of_range": [AnswerInput(question_id=m7.pk, item_id=item.pk, number=6)],
        "matrix_item_twice": [AnswerInput(question_id=m7.pk, item_id=item.pk, number=3)] * 2,
        "text_on_matrix": [AnswerInput(question_id=m7.pk, item_id=item.pk, number=3, text="x")],
        "number_below_minimum": [AnswerInput(question_id=questions["M3"].pk, number=0)],
        "number_above_maximum": [AnswerInput(question_id=questions["M8"].pk, number=201)],
        "number_with_text": [AnswerInput(question_id=questions["M3"].pk, number=2, text="zwei")],
        "two_numbers": [
            AnswerInput(question_id=questions["M3"].pk, number=2),
            AnswerInput(question_id=questions["M3"].pk, number=3),
        ],
        "short_text_too_long": [AnswerInput(question_id=questions["M6"].pk, text="x" * 301)],
        "long_text_too_long": [AnswerInput(question_id=questions["M10"].pk, text="x" * 5001)],
        "number_on_text": [AnswerInput(question_id=questions["M10"].pk, text="x", number=1)],
        "option_on_text": [AnswerInput(question_id=questions["M6"].pk, option_id=bus, text="x")],
        "two_texts": [
            AnswerInput(question_id=questions["M6"].pk, text="a"),
            AnswerInput(question_id=questions["M6"].pk, text="b"),
        ],
    }[case]


TAMPERED = [
    "text_on_single_option",
    "text_on_not_other_option",
    "other_text_too_long",
    "more_than_max_choices",
    "option_on_scale",
    "item_on_scale",
    "text_on_scale",
    "scale_below_range",
    "scale_without_number",
    "matrix_without_item",
    "matrix_out_of_range",
    "matrix_item_twice",
    "text_on_matrix",
    "number_below_minimum",
    "number_above_maximum",
    "number_with_text",
    "two_numbers",
    "short_text_too_long",
    "long_text_too_long",
    "number_on_text",
    "option_on_text",
    "two_texts",
]


@pytest.mark.parametrize("case", TAMPERED)
def test_answer_check_refuses_tampered_values(mobility, questions, case):
    with pytest.raises(SubmissionError):
        answers_check(survey=mobility, answers=tampered(questions, case))


def test_answer_fits_without_the_database(questions):
    """The kinds decide from the question and the loaded ids alone."""
    m5, m7 = questions["M5"], questions["M7"]
    item = m7.item_list[0]
    refs = AnswerRefs(options={}, other_options=frozenset(), items={item.pk: m7.pk})
    scale, matrix = kind_of(m5), kind_of(m7)
    assert scale.answer_fits(m5, AnswerInput(question_id=m5.pk, number=5), refs)
    assert not scale.answer_fits(m5, AnswerInput(question_id=m5.pk, number=6), refs)
    assert matrix.answer_fits(m7, AnswerInput(question_id=m7.pk, item_id=item.pk, number=1), refs)
    assert not matrix.answer_fits(
        m7, AnswerInput(question_id=m7.pk, item_id=item.pk + 10_000, number=1), refs
    )


# --- Exports ----------------------------------------------------------------------------------


def test_export_columns_per_kind(questions):
    def columns(code):
        q = Question.objects.get(pk=questions[code].pk)
        return [(c.code, c.kind) for c in kind_of(q).export_columns(q)]

    m4 = questions["M4"]
    assert columns("M1") == [("M1", "value")]
    assert columns("M2") == [("M2", "value")]
    assert columns("M4") == [
        *((f"M4_{o.value}", "option") for o in m4.option_list),
        ("M4_other", "other"),
    ]
    assert columns("M5") == [("M5", "number")]
    assert columns("M7") == [
        (f"M7_{n}", "item") for n in range(1, len(questions["M7"].item_list) + 1)
    ]
    assert columns("M3") == [("M3", "number")]
    assert columns("M6") == [("M6", "text")]
    assert columns("M10") == [("M10", "text")]
    scale = Question.objects.get(pk=questions["M5"].pk)
    assert (
        kind_of(scale).export_columns(scale)[0].codes == "1 = sehr unzufrieden … 5 = sehr zufrieden"
    )


def test_export_values_per_kind(questions):
    m1, m4, m7 = (Question.objects.get(pk=questions[code].pk) for code in ("M1", "M4", "M7"))
    option_values = {o.pk: o.value for q in (m1, m4) for o in q.options.all()}
    own = m1.options.first()
    single = kind_of(m1).export_columns(m1)[0]
    assert (
        kind_of(m1).export_value(single, [AnswerInput(m1.pk, option_id=own.pk)], option_values)
        == own.value
    )
    assert kind_of(m1).export_value(single, [], option_values) == ""
    bus, other = m4.options.get(label="Bus"), m4.options.get(label="anders")
    columns = {c.code: c for c in kind_of(m4).export_columns(m4)}
    given = [AnswerInput(m4.pk, option_id=other.pk, text="=Moped")]
    assert kind_of(m4).export_value(columns[f"M4_{other.value}"], given, option_values) == 1
    assert kind_of(m4).export_value(columns[f"M4_{bus.value}"], given, option_values) == 0
    assert kind_of(m4).export_value(columns[f"M4_{bus.value}"], [], option_values) == ""
    assert kind_of(m4).export_value(columns["M4_other"], given, option_values) == "=Moped"
    first, second = m7.items.all()[:2]
    cell = kind_of(m7).export_columns(m7)[1]
    given = [
        AnswerInput(m7.pk, item_id=first.pk, number=2),
        AnswerInput(m7.pk, item_id=second.pk, number=4),
    ]
    assert kind_of(m7).export_value(cell, given, {}) == 4


def _response(survey, *answers):
    response = Response.objects.create(
        survey=survey, channel=Channel.ONLINE, submitted_on=datetime.date(2026, 11, 20)
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question_id=a.question_id,
            option_id=a.option_id,
            item_id=a.item_id,
            number=a.number,
            text=a.text,
        )
        for a in answers
    )
    return response


def test_export_rows_of_hand_made_responses(mobility, questions):
    """The raw export of three responses, cell by cell (option codes are positions)."""
    q = questions
    m1, m4, m7 = q["M1"], q["M4"], q["M7"]
    first, second = m7.item_list[:2]
    _response(
        mobility,
        AnswerInput(m1.pk, option_id=m1.option_list[1].pk),
        AnswerInput(q["M3"].pk, number=2),
        AnswerInput(m4.pk, option_id=option(m4, "Bus").pk),
        AnswerInput(m4.pk, option_id=option(m4, "zu Fuß").pk),
        AnswerInput(q["M5"].pk, number=4),
        AnswerInput(q["M6"].pk, text="Mügeln – Oschatz"),
        AnswerInput(m7.pk, item_id=second.pk, number=5),
    )
    _response(
        mobility,
        AnswerInput(m1.pk, option_id=m1.option_list[0].pk),
        AnswerInput(q["M2"].pk, option_id=q["M2"].option_list[2].pk),
        AnswerInput(m4.pk, option_id=option(m4, "anders").pk, text="=Moped"),
        AnswerInput(m7.pk, item_id=first.pk, number=1),
        AnswerInput(q["M8"].pk, number=12),
        AnswerInput(q["M10"].pk, text="Mehr Busse am Abend"),
    )
    _response(mobility, AnswerInput(m1.pk, option_id=m1.option_list[1].pk))
    columns = export_columns(survey=mobility)
    codes = [column.code for column in columns]
    rows = [
        dict(zip(codes, row, strict=True))
        for row in response_rows(survey=mobility, columns=columns)
    ]
    asked = [
        "M1",
        "M2",
        "M3",
        "M4_1",
        "M4_2",
        "M4_5",
        "M4_6",
        "M4_other",
        "M5",
        "M6",
        "M7_1",
        "M7_2",
        "M8",
        "M9",
        "M10",
    ]
    assert [[row[code] for code in asked] for row in rows] == [
        [2, "", 2, 0, 1, 1, 0, "", 4, "Mügeln – Oschatz", "", 5, "", "", ""],
        [1, 3, "", 0, 0, 0, 1, "=Moped", "", "", 1, "", 12, "", "Mehr Busse am Abend"],
        [2, "", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ]
    assert codes[4:8] == ["M1", "M2", "M3", "M4_1"]
    assert [code for code in codes if code.startswith("M7")] == ["M7_1", "M7_2", "M7_3", "M7_4"]


# --- Results ----------------------------------------------------------------------------------


def _empty_result(question, ncols):
    return QuestionResult(
        id=question.pk,
        code=question.code,
        text=question.text,
        kind=question.kind,
        section_id=question.section_id,
        is_hidden=False,
        bases=[0] * ncols,
        scale_min_label=question.scale_min_label,
        scale_max_label=question.scale_max_label,
    )


def _result(question, answers=None, respondents=None, themes=None):
    """The result of ``question`` from hand-made counts in two columns (all, one group),
    through the results module, before disclosure control."""
    counts = Counts(ncols=2)
    for key, n in (answers or {}).items():
        counts.answers[key] = n
    counts.respondents = defaultdict(int, respondents or {})
    counts.themes = defaultdict(int, themes or {})
    return question_result(question, counts, threshold=5)


def _figures(rows):
    return [(row.label, [(c.count, c.base, c.percent) for c in row.cells]) for row in rows]


def test_results_of_choices_pinned(questions):
    m1, m4 = questions["M1"], questions["M4"]
    a, b = m1.option_list[:2]
    result = _result(
        m1,
        {
            (0, m1.pk, a.pk, None, None): 6,
            (0, m1.pk, b.pk, None, None): 3,
            (1, m1.pk, a.pk, None, None): 2,
        },
    )
    assert result.bases == [9, 2]
    assert _figures(result.rows)[:2] == [
        (a.label, [(6, 9, Decimal("66.7")), (2, 2, Decimal("100.0"))]),
        (b.label, [(3, 9, Decimal("33.3")), (0, 2, Decimal("0.0"))]),
    ]
    assert result.summary == f"Am häufigsten genannt: „{a.label}“ (66,7 %)."
    bus, car = option(m4, "Bus"), option(m4, "Auto")
    result = _result(
        m4,
        {(0, m4.pk, bus.pk, None, None): 6, (0, m4.pk, car.pk, None, None): 4},
        respondents={(0, m4.pk, None): 8, (1, m4.pk, None): 0},
    )
    assert result.bases == [8, 0]
    assert _figures(result.rows)[:2] == [
        ("Auto", [(4, 8, Decimal("50.0")), (0, 0, None)]),
        ("Bus", [(6, 8, Decimal("75.0")), (0, 0, None)]),
    ]
    assert result.rows[-1].is_other


def test_results_of_a_scale_and_a_matrix_pinned(questions):
    m5, m7 = questions["M5"], questions["M7"]
    result = _result(
        m5,
        {(0, m5.pk, None, None, 1): 2, (0, m5.pk, None, None, 5): 8, (1, m5.pk, None, None, 4): 3},
    )
    assert result.bases == [10, 3]
    assert [row.label for row in result.rows] == [
        "1 – sehr unzufrieden",
        "2",
        "3",
        "4",
        "5 – sehr zufrieden",
    ]
    assert [row.cells[0].percent for row in result.rows] == [
        Decimal("20.0"),
        Decimal("0.0"),
        Decimal("0.0"),
        Decimal("0.0"),
        Decimal("80.0"),
    ]
    # (2·1 + 8·5) / 10 = 4,2; the group: 3·4 / 3 = 4,0
    assert [(m.value, m.n, m.low, m.high) for m in result.means] == [
        (Decimal("4.2"), 10, 1, 5),
        (Decimal("4.0"), 3, 1, 5),
    ]
    assert result.summary == (
        "Mittelwert 4,2 auf einer Skala von 1 – sehr unzufrieden bis 5 – sehr zufrieden."
    )
    first, second = m7.item_list[:2]
    result = _result(
        m7,
        {
            (0, m7.pk, None, first.pk, 4): 6,
            (0, m7.pk, None, second.pk, 2): 3,
            (0, m7.pk, None, second.pk, 3): 1,
        },
    )
    assert [item.bases for item in result.items] == [[6, 0], [4, 0], [0, 0], [0, 0]]
    assert result.bases == [6, 0]
    # (3·2 + 1·3) / 4 = 2,25, rounded half up
    assert [item.means[0].value for item in result.items] == [
        Decimal("4.0"),
        Decimal("2.3"),
        None,
        None,
    ]
    assert [row.label for row in result.items[0].rows][::4] == ["1 – sehr schlecht", "5 – sehr gut"]
    assert result.summary == (
        f"Am besten bewertet: „{first.label}“ (Mittelwert 4,0 auf einer Skala von 1 bis 5)."
    )


def test_results_of_a_number_and_a_text_pinned(questions):
    m3, m10 = questions["M3"], Question.objects.get(pk=questions["M10"].pk)
    result = _result(
        m3,
        {(0, m3.pk, None, None, 2): 5, (0, m3.pk, None, None, 4): 5, (1, m3.pk, None, None, 2): 1},
    )
    assert result.bases == [10, 1]
    assert [(m.value, m.n) for m in result.means] == [(Decimal("3.0"), 10), (Decimal("2.0"), 1)]
    assert (result.minimum, result.maximum) == (2, 4)
    assert result.summary == "Im Durchschnitt 3,0 (von 2 bis 4)."
    theme = m10.themes.create(label="Busse")
    result = _result(
        m10,
        {(0, m10.pk, None, None, None): 4, (1, m10.pk, None, None, None): 1},
        themes={(0, theme.pk): 3},
    )
    assert result.bases == [4, 1]
    assert _figures(result.themes) == [("Busse", [(3, 4, Decimal("75.0")), (0, 1, Decimal("0.0"))])]
    assert result.summary == "Am häufigsten genannt: „Busse“ (3 Nennungen)."


def _filled(question, counts, respondents=None, ncols=1):
    tallies = ResultTallies(counts=counts, respondents=respondents or {}, ncols=ncols)
    result = _empty_result(question, ncols)
    kind_of(question).fill_result(result, question, tallies)
    return result


def test_result_of_a_scale(questions):
    q = questions["M5"]
    result = _filled(q, {(0, q.pk, None, None, 1): 2, (0, q.pk, None, None, 5): 8})
    assert result.bases == [10]
    assert [row.label for row in result.rows][::4] == ["1 – sehr unzufrieden", "5 – sehr zufrieden"]
    assert result.means[0].value == half_up("4.2")
    assert "4,2" in result.summary


def test_result_of_a_matrix(questions):
    q = questions["M7"]
    first, second = q.item_list[:2]
    counts = {(0, q.pk, None, first.pk, 4): 6, (0, q.pk, None, second.pk, 2): 3}
    result = _filled(q, counts)
    assert [item.bases for item in result.items[:2]] == [[6], [3]]
    assert result.bases == [6]
    assert first.label in result.summary


def test_result_of_choices_counts_answers_or_people(questions):
    single, multiple = questions["M1"], questions["M4"]
    own = single.option_list[0]
    result = _filled(single, {(0, single.pk, own.pk, None, None): 7})
    assert result.bases == [7]
    assert result.rows[0].cells[0].count == 7
    bus, car = option(multiple, "Bus"), option(multiple, "Auto")
    counts = {(0, multiple.pk, bus.pk, None, None): 6, (0, multiple.pk, car.pk, None, None): 4}
    result = _filled(multiple, counts, respondents={(0, multiple.pk, None): 8})
    assert result.bases == [8]


def test_result_of_a_number_shows_only_shared_extremes(questions):
    q = questions["M8"]
    result = _filled(q, {(0, q.pk, None, None, 2): 5, (0, q.pk, None, None, 40): 1})
    assert result.bases == [6]
    assert (result.minimum, result.maximum) == (2, None)
    assert result.summary.startswith("Im Durchschnitt")


def test_result_of_a_text_counts_answers(questions):
    q = Question.objects.get(pk=questions["M10"].pk)
    result = _filled(q, {(0, q.pk, None, None, None): 4})
    assert result.bases == [4]
    assert result.coded == [0]


def test_the_kinds_need_no_queries_for_forms(questions, django_assert_num_queries):
    with django_assert_num_queries(0):
        for q in questions.values():
            kind_of(q).form_part(q, label=q.text, required=q.required)


def test_answer_check_explains_too_many_choices_in_german(mobility, questions):
    with pytest.raises(SubmissionError, match="mehr Antworten gewählt, als die Frage zulässt"):
        answers_check(survey=mobility, answers=tampered(questions, "more_than_max_choices"))
