"""Every question kind through the section form: valid, invalid, required, maximum choices,
other-text; plus a property-based test that no form data makes the form crash."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.answers import answers_check
from survey.forms import SectionForm, item_field_name, other_field_name, question_field_name
from survey.selectors import survey_definition
from survey.services import AnswerInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(mobility):
    return {q.code: q for q in survey_definition(survey=mobility).questions}


def form_for(question, data, **kwargs):
    return SectionForm(data, questions=[question], **kwargs)


def option_id(question, label):
    return str(next(o.pk for o in question.option_list if o.label == label))


# --- single choice ----------------------------------------------------------------------------
def test_single_choice_valid(questions):
    q = questions["M1"]
    form = form_for(q, {question_field_name(q): option_id(q, "Naundorf")})
    assert form.is_valid()
    assert form.answer_inputs() == [
        AnswerInput(question_id=q.pk, option_id=int(option_id(q, "Naundorf")))
    ]


@pytest.mark.parametrize("value", ["", "abc", "999999", "1; DROP TABLE"])
def test_single_choice_required_and_invalid(questions, value):
    q = questions["M1"]
    form = form_for(q, {question_field_name(q): value})
    assert not form.is_valid()
    assert question_field_name(q) in form.errors


def test_optional_single_choice_offers_no_answer(questions):
    q = questions["M9"]
    form = form_for(q, {question_field_name(q): ""})
    assert form.is_valid()
    assert form.answer_inputs() == []
    assert "Keine Angabe" in str(form)


# --- dropdown ---------------------------------------------------------------------------------
def test_dropdown_valid_empty_and_invalid(questions):
    q = questions["M2"]
    assert form_for(q, {question_field_name(q): option_id(q, "75 und älter")}).is_valid()
    empty = form_for(q, {})
    assert empty.is_valid()
    assert empty.answer_inputs() == []
    other_question = questions["M1"]
    assert not form_for(q, {question_field_name(q): option_id(other_question, "Dahlen")}).is_valid()
    assert "– bitte wählen –" in str(form_for(q, None))


# --- multiple choice --------------------------------------------------------------------------
def test_multiple_choice_valid(questions):
    q = questions["M4"]
    chosen = [option_id(q, "Bus"), option_id(q, "zu Fuß")]
    form = form_for(q, {question_field_name(q): chosen})
    assert form.is_valid()
    assert {a.option_id for a in form.answer_inputs()} == {int(v) for v in chosen}


def test_multiple_choice_maximum(questions):
    q = questions["M4"]
    chosen = [option_id(q, label) for label in ["Auto", "Bus", "Bahn", "zu Fuß"]]
    form = form_for(q, {question_field_name(q): chosen})
    assert not form.is_valid()
    assert form.errors[question_field_name(q)] == ["Bitte wählen Sie höchstens 3 Antworten."]


def test_multiple_choice_required(questions):
    q = questions["M4"]
    assert not form_for(q, {question_field_name(q): []}).is_valid()


def test_other_needs_its_text(questions):
    q = questions["M4"]
    form = form_for(q, {question_field_name(q): [option_id(q, "anders")]})
    assert not form.is_valid()
    assert form.errors[other_field_name(q)] == [
        "Sie haben „anders“ gewählt: Bitte schreiben Sie, was Sie meinen."
    ]


def test_other_text_is_stored_with_the_other_option(questions):
    q = questions["M4"]
    other = option_id(q, "anders")
    form = form_for(
        q, {question_field_name(q): [other, option_id(q, "Bus")], other_field_name(q): " Moped "}
    )
    assert form.is_valid()
    answers = {a.option_id: a.text for a in form.answer_inputs()}
    assert answers == {int(other): "Moped", int(option_id(q, "Bus")): ""}


def test_other_text_without_the_other_option_is_dropped(questions):
    q = questions["M4"]
    form = form_for(q, {question_field_name(q): [option_id(q, "Bus")], other_field_name(q): "x"})
    assert form.is_valid()
    assert [a.text for a in form.answer_inputs()] == [""]


def test_other_text_too_long(questions):
    q = questions["M4"]
    form = form_for(
        q, {question_field_name(q): [option_id(q, "anders")], other_field_name(q): "x" * 301}
    )
    assert not form.is_valid()


# --- rating scale -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1", True),
        ("5", True),
        ("0", False),
        ("6", False),
        ("3.5", False),
        ("", False),
        ("drei", False),
    ],
)
def test_scale(questions, value, valid):
    q = questions["M5"]
    form = form_for(q, {question_field_name(q): value})
    assert form.is_valid() is valid
    if valid:
        assert form.answer_inputs() == [AnswerInput(question_id=q.pk, number=int(value))]


def test_scale_shows_end_labels(questions):
    html = str(form_for(questions["M5"], None))
    assert "1 – sehr unzufrieden" in html
    assert "5 – sehr zufrieden" in html


# --- matrix -----------------------------------------------------------------------------------
def test_matrix_valid_gives_one_answer_per_item(questions):
    q = questions["M7"]
    data = {item_field_name(q, item): str(n) for n, item in enumerate(q.item_list, start=1)}
    form = form_for(q, data)
    assert form.is_valid()
    assert [(a.item_id, a.number) for a in form.answer_inputs()] == [
        (item.pk, n) for n, item in enumerate(q.item_list, start=1)
    ]


def test_matrix_required_item_missing_and_out_of_range(questions):
    q = questions["M7"]
    first, second, *rest = q.item_list
    data = {item_field_name(q, item): "3" for item in rest}
    data[item_field_name(q, first)] = "9"
    form = form_for(q, data)
    assert not form.is_valid()
    assert set(form.errors) == {item_field_name(q, first), item_field_name(q, second)}
    # Each item is its own group with a legend, inside the question's fieldset.
    html = str(form_for(q, None).helper.layout.fields[0].legend)
    assert "Wie bewerten Sie an Ihrem Wohnort" in html


def test_matrix_error_summary_names_question_and_item(questions):
    q = questions["M7"]
    form = form_for(q, {})
    form.is_valid()
    anchors = [anchor for anchor, _what, _msg in form.error_summary()]
    whats = [what for _anchor, what, _msg in form.error_summary()]
    assert anchors[0] == f"id_{item_field_name(q, q.item_list[0])}_0"
    assert whats[0] == "Wie bewerten Sie an Ihrem Wohnort … – die Radwege"


# --- texts ------------------------------------------------------------------------------------
def test_short_text_valid_and_too_long(questions):
    q = questions["M6"]
    assert form_for(q, {question_field_name(q): "Dahlen – Leipzig"}).is_valid()
    assert not form_for(q, {question_field_name(q): "x" * 301}).is_valid()
    blank = form_for(q, {question_field_name(q): "   "})
    assert blank.is_valid()
    assert blank.answer_inputs() == []


def test_long_text_valid_too_long_and_nul(questions):
    q = questions["M10"]
    assert form_for(q, {question_field_name(q): "Ä" * 5000}).is_valid()
    assert not form_for(q, {question_field_name(q): "x" * 5001}).is_valid()
    assert not form_for(q, {question_field_name(q): "a\x00b"}).is_valid()


def test_required_text(mobility, questions):
    q = questions["M10"]
    q.required = True
    form = form_for(q, {question_field_name(q): ""})
    assert not form.is_valid()


# --- number -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1", True),
        ("15", True),
        ("0", False),
        ("16", False),
        ("3,5", False),
        ("1e9", False),
        ("99999999999999999999", False),
        ("", True),
    ],
)
def test_number(questions, value, valid):
    q = questions["M3"]
    assert form_for(q, {question_field_name(q): value}).is_valid() is valid


def test_hidden_questions_are_not_required_and_not_stored(questions):
    q = questions["M4"]
    form = form_for(q, {question_field_name(q): [option_id(q, "Bus")]}, hidden_ids=[q.pk])
    assert form.is_valid()
    assert form.answer_inputs() == []
    assert form_for(q, {}, hidden_ids=[q.pk]).is_valid()


# --- property-based ---------------------------------------------------------------------------
junk = st.one_of(
    st.text(max_size=400),
    st.integers().map(str),
    st.just(""),
    st.lists(st.text(max_size=20), max_size=8),
)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_form_data_gives_errors_or_valid_answers(questions, data):
    """Whatever arrives, the form either refuses it or yields answers that fit the questions."""
    qs = list(questions.values())
    field_names = [name for q in qs for name in SectionForm(None, questions=[q]).fields]
    post = data.draw(
        st.dictionaries(st.sampled_from([*field_names, "extra", "section"]), junk, max_size=12)
    )
    form = SectionForm(post, questions=qs)
    if not form.is_valid():
        assert form.error_summary()
        return
    # The check behind every submission (each kind's answer_fits) accepts them.
    answers_check(survey=qs[0].survey, answers=form.answer_inputs())
