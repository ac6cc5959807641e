"""The question kinds (``survey.kinds``): one object per kind, and per kind its form fields,
answer rows, answer check (tampered values included), export columns and results."""

from dataclasses import asdict

import pytest
from crispy_forms.layout import Fieldset
from django import forms
from django.template.loader import get_template

from portal.widgets import PlainSelect
from survey import results, results_exports
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
from survey.models import Answer, Question, QuestionKind
from survey.selectors import survey_definition
from survey.synthetic import responses_generate

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
        kind_of("ranking")


@pytest.mark.parametrize("value", QuestionKind.values)
def test_every_kind_has_its_print_fragment_and_the_whole_interface(value):
    spec = KINDS[value]
    get_template(spec.print_template)
    for method in ("form_part", "answer_inputs", "value_fits", "export_columns", "fill_result"):
        assert getattr(type(spec), method) is not getattr(QuestionKindSpec, method), method


def test_flags_say_what_the_answers_are():
    # Scale-ness is two things: values on the scale (scale and matrix), rows of items (matrix).
    assert kind_values("uses_scale") == {K.SCALE, K.MATRIX}
    assert kind_values("has_items") == {K.MATRIX}
    assert kind_values("has_options") == {K.SINGLE, K.MULTIPLE, K.DROPDOWN}
    assert kind_values("is_free_text") == {K.SHORT_TEXT, K.LONG_TEXT}
    assert kind_values("is_numeric") == {K.SCALE, K.MATRIX, K.NUMBER}
    assert kind_values("has_mean") == {K.SCALE, K.NUMBER}
    assert kind_values("several_answers") == {K.MULTIPLE, K.MATRIX}
    assert kind_values("can_break_down") == {K.SINGLE, K.DROPDOWN}
    assert kind_values("counts_respondents") == {K.MULTIPLE}
    assert kind_values("answers_add_up") == {K.SINGLE, K.DROPDOWN, K.SCALE, K.MATRIX}
    assert kind_values("has_answers") == set(QuestionKind.values)


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


@pytest.fixture
def answered(mobility):
    responses_generate(survey=mobility, count=60, seed=13)
    return mobility


def test_export_matches_the_exports_module(answered):
    """Reference until survey.results_exports asks the kinds: the same columns and cells."""
    reference = results_exports.export_columns(survey=answered)[4:]
    questions = [column.question for column in reference]
    ours = [
        column
        for question in dict.fromkeys(questions)
        for column in kind_of(question).export_columns(question)
    ]
    assert [asdict(c) for c in ours] == [asdict(c) for c in reference]
    option_values = {o.pk: o.value for q in questions for o in q.options.all()}
    by_response: dict[tuple, list] = {}
    for answer in Answer.objects.filter(response__survey=answered).order_by("id"):
        by_response.setdefault((answer.response_id, answer.question_id), []).append(answer)
    for (_response, question_id), given in by_response.items():
        for column in reference:
            if column.question.pk != question_id:
                continue
            expected = results_exports._cell(column, given, option_values, False)
            assert kind_of(column.question).export_value(column, given, option_values) == expected


# --- Results ----------------------------------------------------------------------------------


def _empty_result(question, ncols):
    return results.QuestionResult(
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


def _tallies(survey, ncols=2) -> ResultTallies:
    """Every answer counted into column 0; answers of even responses also into column 1."""
    counts, respondents, people = {}, {}, set()
    for answer in Answer.objects.filter(response__survey=survey):
        columns = (0, 1) if answer.response_id % 2 == 0 and ncols > 1 else (0,)
        for c in columns:
            key = (c, answer.question_id, answer.option_id, answer.item_id, answer.number)
            counts[key] = counts.get(key, 0) + 1
            if (c, answer.question_id, answer.response_id) not in people:
                people.add((c, answer.question_id, answer.response_id))
                respondents[(c, answer.question_id, None)] = (
                    respondents.get((c, answer.question_id, None), 0) + 1
                )
    return ResultTallies(counts=counts, respondents=respondents, ncols=ncols, threshold=5)


def test_results_match_the_results_module(answered):
    """Reference until survey.results asks the kinds: the same figures for every kind."""
    tallies = _tallies(answered)
    for question in Question.objects.filter(survey=answered):
        expected = results._question_result(
            question,
            tallies.ncols,
            tallies.counts,
            tallies.respondents,
            tallies.theme_counts,
            tallies.coded,
            tallies.threshold,
        )
        ours = _empty_result(question, tallies.ncols)
        kind_of(question).fill_result(ours, question, tallies)
        assert asdict(ours) == asdict(expected), question.code


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
    assert result.means[0].value == results.half_up("4.2")
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
