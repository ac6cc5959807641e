"""Attacks on the scan review and its cut-outs across surveys: the id of another survey's
answer, sheet or cut-out under this survey's address, tampered ids, and the addresses after
the raw data are deleted.

Survey A is the seeded mobility survey with sheet 102 in review; survey B a small survey of
its own with sheet 7 in review. Staff are permitted for A only, or for both."""

from pathlib import Path

import pytest
from django.urls import reverse

from survey.kinds import AnswerInput
from survey.models import (
    Option,
    Response,
    ScanAnswer,
    ScannedSheet,
    ScanTextCrop,
    SurveyAssignment,
)
from survey.results.services import survey_raw_data_delete
from survey.scanning.readings import AnswerReading, SheetReading
from survey.scanning.storage import private_storage
from tests.factories import UserFactory
from tests.survey.scan_stacks import small_survey
from tests.survey.test_scan_review import Sheets, png, read, upload_batch

pytestmark = pytest.mark.django_db

PERMISSION = "survey.enter_paper_response"


@pytest.fixture
def survey_a(mobility, django_capture_on_commit_callbacks):
    uploader = UserFactory(is_staff=True, permissions=[PERMISSION])
    sheets = Sheets(mobility)
    doubt = {
        "M1": [],
        "M6": [AnswerInput(sheets.questions["M6"].pk, text="Mügeln Oschatz")],
    }
    read(upload_batch(mobility, uploader), [sheets.reading(102, uncertain=doubt)])
    return mobility


@pytest.fixture
def survey_b():
    """A second open survey with sheet 7 in review: E1 doubtful (with a free-text cut-out)."""
    survey = small_survey("b-scan")
    uploader = UserFactory(is_staff=True, permissions=[PERMISSION])
    e1, e2 = survey.questions.order_by("position")
    oschatz = Option.objects.get(question=e1, label="Oschatz")
    never = Option.objects.get(question=e2, label="nie")
    reading = SheetReading(
        survey_slug=survey.slug,
        sheet_number=7,
        scan_pages=[0],
        answers=[
            AnswerReading(
                question_id=e1.pk,
                question_code="E1",
                answers=[AnswerInput(e1.pk, option_id=oschatz.pk)],
                confidence=0.5,
                review_reason="Zwei Kreuze.",
                crop_png=png(90),
                text_crops=[png(60)],
            ),
            AnswerReading(
                question_id=e2.pk,
                question_code="E2",
                answers=[AnswerInput(e2.pk, option_id=never.pk)],
                confidence=0.99,
            ),
        ],
    )
    read(upload_batch(survey, uploader, label="B"), [reading])
    return survey


def staff(*surveys, limited=True):
    permissions = [PERMISSION]
    if limited:
        permissions.append("survey.only_assigned_surveys")
    user = UserFactory(is_staff=True, permissions=permissions)
    if limited:
        for survey in surveys:
            SurveyAssignment.objects.create(survey=survey, user=user)
    return user


def state_of(survey) -> list:
    """Everything the review can change of a survey's scans."""
    return [
        list(
            ScanAnswer.objects.filter(sheet__survey=survey)
            .order_by("pk")
            .values_list("pk", "confirmed", "confirmed_by")
        ),
        list(
            ScannedSheet.objects.filter(survey=survey)
            .order_by("pk")
            .values_list("pk", "state", "response", "stored_by")
        ),
        Response.objects.filter(survey=survey).count(),
    ]


# --- 1. The review of A never touches B -------------------------------------------------------


@pytest.mark.parametrize("who", ["permitted_for_a", "permitted_for_both", "unlimited"])
def test_posting_another_surveys_answer_to_the_review_changes_nothing_of_it(
    client, survey_a, survey_b, who
):
    user = {
        "permitted_for_a": lambda: staff(survey_a),
        "permitted_for_both": lambda: staff(survey_a, survey_b),
        "unlimited": lambda: staff(limited=False),
    }[who]()
    client.force_login(user)
    foreign = ScanAnswer.objects.get(sheet__survey=survey_b, confirmed__isnull=True)
    oschatz = Option.objects.get(question_id=foreign.question_id, label="Oschatz")
    before_b, before_a = state_of(survey_b), state_of(survey_a)

    response = client.post(
        reverse("survey:scan_review", args=[survey_a.slug]),
        {
            "answer": foreign.pk,
            "sheet": foreign.sheet_id,
            f"r-q{foreign.question_id}": oschatz.pk,
        },
        follow=True,
    )

    assert response.status_code in {200, 404}
    assert state_of(survey_b) == before_b
    assert state_of(survey_a) == before_a
    if response.status_code == 200:
        page = response.content.decode()
        assert "Diese Antwort gehört nicht zu den Scans dieser Befragung." in page
        # The page of A, not a page showing anything of B.
        assert "Zwei Kreuze." not in page
        assert reverse("survey:scan_crop", args=[survey_b.slug, foreign.pk]) not in page


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "1\x00",
        "\x00",
        "-1",
        "0",
        "1.5",
        "1e3",
        "９",  # a full-width digit: int() would take it
        "99999999999999999999999999",
        "9223372036854775808",
        "2147483648",
        "1" * 5000,
        " 1 ",
    ],
)
def test_tampered_answer_ids_are_refused_with_a_german_message(client, survey_a, survey_b, value):
    client.force_login(staff(survey_a))
    url = reverse("survey:scan_review", args=[survey_a.slug])
    before = state_of(survey_a), state_of(survey_b)

    posted = client.post(url, {"answer": value}, follow=True)
    got = client.get(url, {"antwort": value}, follow=True)

    assert posted.status_code in {200, 404}
    # A NUL byte in the address is refused before the view (``oschatzerland.middleware``).
    assert got.status_code in ({200, 404, 400} if "\x00" in value else {200, 404})
    # Above all: no answer is taken, not even "the next one" for an empty id.
    assert (state_of(survey_a), state_of(survey_b)) == before
    if value:
        assert "Diese Antwort gehört nicht zu den Scans" in posted.content.decode()


def test_a_list_of_answer_ids_takes_none_of_them(client, survey_a, survey_b):
    client.force_login(staff(survey_a, survey_b))
    own = ScanAnswer.objects.filter(sheet__survey=survey_a, confirmed__isnull=True).first()
    foreign = ScanAnswer.objects.get(sheet__survey=survey_b, confirmed__isnull=True)
    before_b = state_of(survey_b)

    client.post(
        reverse("survey:scan_review", args=[survey_a.slug]),
        {"answer": [own.pk, foreign.pk]},
    )
    client.post(
        reverse("survey:scan_review", args=[survey_a.slug]),
        {"answer": [foreign.pk, own.pk]},
    )

    assert state_of(survey_b) == before_b


def test_the_review_of_a_still_confirms_its_own_answer(client, survey_a, survey_b):
    """The control: the same request with A's own answer does change it."""
    client.force_login(staff(survey_a))
    own = ScanAnswer.objects.filter(sheet__survey=survey_a, question__code="M1").get()

    client.post(reverse("survey:scan_review", args=[survey_a.slug]), {"answer": own.pk})

    assert ScanAnswer.objects.get(pk=own.pk).confirmed == []


# --- 2. Cut-outs: another survey's under this survey's address; after deletion ---------------


def crop_urls(survey, slug=None) -> list[str]:
    """The addresses of every cut-out of ``survey``'s scans, under ``slug`` (its own)."""
    slug = slug or survey.slug
    answers = ScanAnswer.objects.filter(sheet__survey=survey).exclude(crop="")
    texts = ScanTextCrop.objects.filter(answer__sheet__survey=survey)
    return [
        *(
            reverse("survey:scan_crop", args=[slug, pk])
            for pk in answers.values_list("pk", flat=True)
        ),
        *(
            reverse("survey:scan_text_crop", args=[slug, pk])
            for pk in texts.values_list("pk", flat=True)
        ),
    ]


def files_of(survey) -> list[Path]:
    names = [
        *ScanAnswer.objects.filter(sheet__survey=survey)
        .exclude(crop="")
        .values_list("crop", flat=True),
        *ScanTextCrop.objects.filter(answer__sheet__survey=survey).values_list("image", flat=True),
    ]
    return [Path(private_storage.path(name)) for name in names]


@pytest.mark.parametrize("who", ["permitted_for_a", "permitted_for_both"])
def test_another_surveys_cut_out_under_this_surveys_address_is_not_found(
    client, survey_a, survey_b, who
):
    user = staff(survey_a) if who == "permitted_for_a" else staff(survey_a, survey_b)
    client.force_login(user)
    tampered = crop_urls(survey_b, slug=survey_a.slug)
    assert len(tampered) == 2  # the question's cut-out and the free-text cut-out

    for url in tampered:
        assert client.get(url).status_code == 404, url
    # The control: A's own cut-outs are served, and B's under B's address only to who may.
    assert all(client.get(url).status_code == 200 for url in crop_urls(survey_a))
    own_b = [client.get(url).status_code for url in crop_urls(survey_b)]
    assert own_b == ([404, 404] if who == "permitted_for_a" else [200, 200])


@pytest.mark.parametrize("name", ["survey:scan_crop", "survey:scan_text_crop"])
@pytest.mark.parametrize("pk", [0, 2**31, 2**63, 10**40])
def test_cut_out_addresses_with_huge_ids_are_not_found(client, survey_a, name, pk):
    client.force_login(staff(survey_a))

    assert client.get(reverse(name, args=[survey_a.slug, pk])).status_code == 404


def test_after_deleting_the_raw_data_every_cut_out_address_is_gone_and_its_file_too(
    client, survey_a, survey_b, django_capture_on_commit_callbacks
):
    client.force_login(staff(survey_a, survey_b))
    urls, files = crop_urls(survey_a), files_of(survey_a)
    urls_b, files_b = crop_urls(survey_b), files_of(survey_b)
    assert len(urls) == 3
    assert all(client.get(url).status_code == 200 for url in urls)
    assert all(path.is_file() for path in files + files_b)

    with django_capture_on_commit_callbacks(execute=True):
        survey_raw_data_delete(survey=survey_a)

    assert [url for url in urls if client.get(url).status_code != 404] == []
    assert [path for path in files if path.exists()] == []
    # The other survey keeps its scans.
    assert all(client.get(url).status_code == 200 for url in urls_b)
    assert all(path.is_file() for path in files_b)


def test_the_retention_command_takes_the_cut_out_addresses_and_files_along(
    client, survey_a, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command

    from survey.models import ResultsPublication

    client.force_login(staff(survey_a))
    urls, files = crop_urls(survey_a), files_of(survey_a)
    ResultsPublication.objects.update_or_create(
        survey=survey_a, defaults={"delete_raw_after": "2026-01-01"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("survey_delete_raw_data", "--today=2026-01-02", stdout=io.StringIO())

    assert [url for url in urls if client.get(url).status_code != 404] == []
    assert [path for path in files if path.exists()] == []
