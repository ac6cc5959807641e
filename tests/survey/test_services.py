"""The survey services, one test per outcome."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from survey.demo import RESPONSES_2019, SURVEY_2019, seed, seed_2019
from survey.models import (
    Answer,
    Channel,
    MatrixItem,
    Option,
    PooledResponse,
    Question,
    QuestionKind,
    Response,
    Section,
    Survey,
    SurveyStatus,
)
from survey.services import (
    AnswerInput,
    SubmissionError,
    response_pool,
    response_submit,
    survey_duplicate,
)
from survey.synthetic import responses_generate

pytestmark = pytest.mark.django_db


def q(survey, code):
    return Question.objects.get(survey=survey, code=code)


def test_submit_online_stores_response_and_answers(mobility):
    residence = q(mobility, "M1")
    option = residence.options.get(label="Wermsdorf")
    response_pool(  # a pool of one (tests) writes at once
        survey=mobility,
        answers=[
            AnswerInput(question_id=residence.pk, option_id=option.pk),
            AnswerInput(question_id=q(mobility, "M3").pk, number=2),
        ],
    )
    response = Response.objects.get()
    assert response.channel == Channel.ONLINE
    assert response.submitted_on == timezone.localdate()
    assert response.answers.count() == 2


def test_submit_refuses_closed_survey(mobility):
    mobility.status = SurveyStatus.CLOSED
    mobility.save()
    with pytest.raises(SubmissionError, match="nicht geöffnet"):
        response_pool(survey=mobility, answers=[])
    assert Response.objects.count() == 0


@pytest.mark.parametrize("channel", [Channel.ONLINE, "fax"])
def test_nothing_but_paper_is_written_past_the_mixing_pool(mobility, channel):
    """A caller (a script, a future view) asking the direct write for an online response:
    it would be stored at once, beside the moment its code was spent. Refused."""
    with pytest.raises(SubmissionError, match="Mischpool"):
        response_submit(survey=mobility, answers=[], channel=channel, sheet_number=3)
    with pytest.raises(SubmissionError, match="Mischpool"):
        response_submit(survey=mobility, answers=[], channel=channel)
    assert Response.objects.count() == 0


def _first_option(survey, code):
    return q(survey, code).options.first()


# Each tampered submission: the answers, built from the mobility survey and, where needed,
# the 2019 survey (``other()`` seeds it).
TAMPERED = {
    "option_of_other_question": lambda mine, other: [
        AnswerInput(question_id=q(mine, "M1").pk, option_id=_first_option(mine, "M2").pk)
    ],
    "option_of_other_survey": lambda mine, other: [
        AnswerInput(question_id=q(mine, "M1").pk, option_id=_first_option(other(), "F1").pk)
    ],
    "question_of_other_survey": lambda mine, other: [
        AnswerInput(question_id=q(other(), "F4").pk, text="x")
    ],
    "scale_out_of_range": lambda mine, other: [AnswerInput(question_id=q(mine, "M5").pk, number=6)],
    "matrix_item_of_other_question": lambda mine, other: [
        AnswerInput(
            question_id=q(mine, "M7").pk,
            item_id=MatrixItem.objects.filter(question__survey=other()).first().pk,
            number=3,
        )
    ],
    "number_on_choice": lambda mine, other: [
        AnswerInput(question_id=q(mine, "M1").pk, option_id=_first_option(mine, "M1").pk, number=1)
    ],
    "two_answers_to_single": lambda mine, other: [
        AnswerInput(question_id=q(mine, "M1").pk, option_id=option.pk)
        for option in (q(mine, "M1").options.first(), q(mine, "M1").options.last())
    ],
    "duplicate_option": lambda mine, other: (
        [AnswerInput(question_id=q(mine, "M4").pk, option_id=_first_option(mine, "M4").pk)] * 2
    ),
    "empty_text": lambda mine, other: [AnswerInput(question_id=q(mine, "M10").pk, text="")],
}


@pytest.mark.parametrize("bad", TAMPERED)
def test_submit_refuses_tampered_answers_and_stores_nothing(mobility, bad):
    answers = TAMPERED[bad](mobility, lambda: seed_2019(io.StringIO()))
    before = Response.objects.count()
    with pytest.raises(SubmissionError):
        response_pool(survey=mobility, answers=answers)
    with pytest.raises(SubmissionError):
        response_submit(survey=mobility, answers=answers, sheet_number=7)
    assert Response.objects.count() == before
    assert not PooledResponse.objects.exists()


def test_submit_paper_needs_sheet_number(mobility):
    with pytest.raises(SubmissionError):
        response_submit(survey=mobility, answers=[], channel=Channel.PAPER)


def test_submit_paper_duplicate_sheet_number(mobility):
    response_submit(survey=mobility, answers=[], channel=Channel.PAPER, sheet_number=5)
    with pytest.raises(SubmissionError, match="Bogen 5 wurde schon erfasst"):
        response_submit(survey=mobility, answers=[], channel=Channel.PAPER, sheet_number=5)
    assert Response.objects.count() == 1


def test_submit_paper_refused_for_drafts_and_published(mobility):
    for status in (SurveyStatus.DRAFT, SurveyStatus.PUBLISHED):
        mobility.status = status
        mobility.save()
        with pytest.raises(SubmissionError):
            response_submit(survey=mobility, answers=[], channel=Channel.PAPER, sheet_number=1)


def test_duplicate_copies_the_questionnaire_with_conditions_as_a_draft(mobility):
    responses_generate(survey=mobility, count=3)

    copy = survey_duplicate(survey=mobility)

    assert copy.status == SurveyStatus.DRAFT
    assert copy.slug == "mobilitaet-2026-kopie"
    assert copy.title == "Mobilität im Oschatzer Land 2026 (Kopie)"
    assert copy.responses.count() == 0
    assert list(copy.sections.values_list("title", flat=True)) == list(
        mobility.sections.values_list("title", flat=True)
    )
    assert Question.objects.filter(survey=copy).count() == 14
    assert (
        Option.objects.filter(question__survey=copy).count()
        == Option.objects.filter(question__survey=mobility).count()
    )
    assert MatrixItem.objects.filter(question__survey=copy).count() == 4
    oschatz_page = copy.sections.get(title="Stadtverkehr Oschatz")
    assert oschatz_page.condition_question.survey == copy
    assert [o.label for o in oschatz_page.condition_options.all()] == ["Oschatz"]
    assert oschatz_page.condition_options.get().question.survey == copy
    bike = Question.objects.get(survey=copy, code="M8")
    assert bike.condition_question.code == "M4"
    assert bike.condition_question.survey == copy
    # A condition of the Condition model (same page, yes/no) follows the copied questions.
    since = Question.objects.get(survey=copy, code="M6b")
    condition = since.conditions.get()
    assert (condition.source.code, condition.source.survey) == ("M6a", copy)
    assert (condition.operator, condition.value) == ("equals", 1)
    assert set(copy.topics.all()) == set(mobility.topics.all())
    assert survey_duplicate(survey=mobility).slug == "mobilitaet-2026-kopie-2"


def test_synthetic_responses_follow_the_rules(mobility):
    responses_generate(survey=mobility, count=400, seed=3)
    assert Response.objects.filter(survey=mobility).count() == 400
    m4 = q(mobility, "M4")
    # Maximum choices held, other-texts present, hidden questions unanswered.
    counted = Response.objects.filter(survey=mobility).annotate(
        n=Count("answers", filter=Q(answers__question=m4))
    )
    assert not counted.filter(n__gt=3).exists()
    assert not Answer.objects.filter(option__is_other=True, text="").exists()
    no_bike = Response.objects.filter(survey=mobility).exclude(
        answers__option__label="Fahrrad oder E-Bike"
    )
    assert not Answer.objects.filter(response__in=no_bike, question__code="M8").exists()
    not_oschatz = Response.objects.filter(survey=mobility).exclude(answers__option__label="Oschatz")
    assert not Answer.objects.filter(response__in=not_oschatz, question__code="M9").exists()
    assert Response.objects.filter(channel=Channel.PAPER).exists()
    assert Response.objects.filter(channel=Channel.ONLINE).exists()
    assert Answer.objects.filter(question__code="M1").count() == 400  # required


def test_demo_seed_is_idempotent_and_realistic():
    seed(stdout=io.StringIO())
    seed(stdout=io.StringIO())
    # 2019 (published), mobility 2026 (open) and the open survey with access codes.
    assert Survey.objects.count() == 3
    survey = Survey.objects.get(slug=SURVEY_2019)
    assert survey.status == SurveyStatus.PUBLISHED  # results_demo publishes the results
    assert survey.publication.published_at is not None
    assert survey.responses.count() == RESPONSES_2019
    assert set(survey.responses.values_list("channel", flat=True)) == {"online", "paper"}
    residence = Answer.objects.filter(question__survey=survey, question__code="F1")
    linked = residence.filter(option__municipality__isnull=False).count()
    assert linked == RESPONSES_2019
    oschatz = residence.filter(option__municipality__slug="oschatz").count()
    naundorf = residence.filter(option__municipality__slug="naundorf").count()
    assert oschatz > 3 * naundorf  # roughly by population (14,707 vs 2,200)
    assert set(survey.responses.values_list("submitted_on", flat=True)) <= {
        datetime.date(2019, 6, 17) + datetime.timedelta(days=n) for n in range(43)
    }
    topics = Question.objects.get(survey=survey, code="F6")
    assert topics.kind == QuestionKind.MULTIPLE
    assert topics.options.count() == 15
    mobility = Survey.objects.get(slug="mobilitaet-2026")
    kinds = set(Question.objects.filter(survey=mobility).values_list("kind", flat=True))
    assert kinds == set(QuestionKind.values)
    assert Section.objects.filter(survey=mobility, condition_question__isnull=False).exists()
    assert Question.objects.filter(survey=mobility, condition_question__isnull=False).exists()


def test_generate_responses_command(mobility):
    out = io.StringIO()
    call_command("generate_responses", mobility.slug, "250", stdout=out)
    assert mobility.responses.count() == 250
    assert "250 Antworten für" in out.getvalue()


@pytest.mark.parametrize("args", [["unknown-slug", "5"], ["mobilitaet-2026", "0"]])
def test_generate_responses_command_errors(mobility, args):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate_responses", *args, stdout=io.StringIO())
