"""``manage.py paper_scan`` and the admin's upload store a stack the same way: one path
(``survey.scanning.services``), so the same stack gives the same responses, a sheet number
stored (or waiting for review) one way is refused the other way, uncertain sheets wait for
the review, and the results count what was stored.

The stacks are read by a reader the tests hand in (as in ``test_scan_review``); the file
itself is a real PDF, checked like an upload."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from survey.kinds import AnswerInput
from survey.models import (
    Channel,
    Response,
    ScanAnswer,
    ScanBatch,
    ScannedSheet,
    ScannedSheetState,
)
from survey.results.selectors import survey_results
from survey.scanning import services
from survey.scanning.services import scan_answer_confirm
from tests.factories import UserFactory
from tests.survey.test_scan_review import PDF, Sheets, fake_reader, read, upload_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheets(mobility):
    return Sheets(mobility)


@pytest.fixture
def typist():
    return UserFactory(is_staff=True, permissions=["survey.enter_paper_response"])


@pytest.fixture
def stack_file(tmp_path):
    path = tmp_path / "stapel-mügeln.pdf"
    path.write_bytes(PDF)
    return path


def cli(survey, path, readings, monkeypatch, *args) -> str:
    monkeypatch.setattr(services, "_real_reader", lambda: fake_reader(readings))
    out = io.StringIO()
    call_command("paper_scan", survey.slug, str(path), *args, stdout=out)
    return out.getvalue()


def stack(sheets) -> list:
    """101 sure; 102 with residence (M1) doubtful and the route (M6) to type from a cut-out."""
    doubt = {
        "M1": [AnswerInput(sheets.questions["M1"].pk)],
        "M6": [AnswerInput(sheets.questions["M6"].pk, text="Mügeln Oschatz")],
    }
    return [sheets.reading(101), sheets.reading(102, uncertain=doubt)]


def review_all(survey, sheets, user) -> None:
    """Confirm every waiting answer with what is on the sheet (as the review page does)."""
    written = sheets.answers("Mügeln")
    for answer in ScanAnswer.objects.filter(sheet__survey=survey, confirmed__isnull=True):
        scan_answer_confirm(answer=answer, answers=written[answer.question.code], user=user)


def stored(survey) -> dict:
    """The stored responses by sheet number: channel and every answer, comparable."""
    return {
        response.sheet_number: (
            response.channel,
            sorted(
                response.answers.values_list(
                    "question__code", "option_id", "item_id", "number", "date", "text"
                ),
                key=repr,
            ),
        )
        for response in Response.objects.filter(survey=survey).prefetch_related("answers")
    }


def wipe(survey) -> None:
    ScanBatch.objects.filter(survey=survey).delete()
    Response.objects.filter(survey=survey).delete()


def test_the_same_stack_stored_by_command_and_by_upload_gives_equal_responses(
    mobility, sheets, typist, stack_file, monkeypatch
):
    out = cli(mobility, stack_file, stack(sheets), monkeypatch, "--user", typist.username)
    # Like the upload: the uncertain sheet waits for the review, one answer at a time.
    assert "Bogen 101: gespeichert" in out
    assert "Bogen 102: zur Prüfung" in out
    assert set(ScannedSheet.objects.values_list("sheet_number", "state")) == {
        (101, ScannedSheetState.STORED),
        (102, ScannedSheetState.REVIEW),
    }
    assert ScanAnswer.objects.filter(confirmed__isnull=True).count() == 2
    review_all(mobility, sheets, typist)
    by_command = stored(mobility)
    cli_batch = set(Response.objects.values_list("batch", "entered_by"))
    wipe(mobility)

    read(upload_batch(mobility, typist, label="Kommandozeile: stapel-mügeln.pdf"), stack(sheets))
    review_all(mobility, sheets, typist)
    by_upload = stored(mobility)

    assert set(by_command) == {101, 102}
    assert by_command == by_upload
    assert {channel for channel, _answers in by_command.values()} == {Channel.PAPER}
    assert set(Response.objects.values_list("batch", "entered_by")) == cli_batch
    assert cli_batch == {("Kommandozeile: stapel-mügeln.pdf", typist.pk)}


def test_without_a_user_the_command_marks_its_sheets(mobility, sheets, stack_file, monkeypatch):
    cli(mobility, stack_file, [sheets.reading(101)], monkeypatch)

    response = Response.objects.get(sheet_number=101)
    assert response.entered_by is None
    assert response.batch == "Kommandozeile: stapel-mügeln.pdf"
    assert ScanBatch.objects.get().uploaded_by is None


def test_a_sheet_stored_by_the_command_is_refused_by_the_upload(
    mobility, sheets, typist, stack_file, monkeypatch
):
    cli(mobility, stack_file, [sheets.reading(101)], monkeypatch)

    batch = read(upload_batch(mobility, typist), [sheets.reading(101)])

    assert list(batch.sheets.values_list("state", flat=True)) == [ScannedSheetState.DUPLICATE]
    assert Response.objects.filter(sheet_number=101).count() == 1


def test_a_sheet_waiting_for_review_after_an_upload_is_refused_by_the_command(
    mobility, sheets, typist, stack_file, monkeypatch
):
    """Attack: the upload left 102 for review; the same sheet scanned again (now read for
    sure) through the command must not be stored beside it."""
    doubt = {"M1": [AnswerInput(sheets.questions["M1"].pk)]}
    read(upload_batch(mobility, typist), [sheets.reading(102, uncertain=doubt)])

    out = cli(mobility, stack_file, [sheets.reading(102), sheets.reading(101)], monkeypatch)

    assert "Bogen 102: ist schon erfasst" in out
    assert not Response.objects.filter(sheet_number=102).exists()
    review_all(mobility, sheets, typist)
    assert Response.objects.filter(sheet_number=102).count() == 1
    assert ScannedSheet.objects.get(sheet_number=102, state="stored").stored_by == typist


def test_a_sheet_stored_by_the_upload_is_refused_by_the_command(
    mobility, sheets, typist, stack_file, monkeypatch
):
    read(upload_batch(mobility, typist), [sheets.reading(101)])

    out = cli(mobility, stack_file, [sheets.reading(101)], monkeypatch, "--json")

    (sheet,) = json.loads(out)["sheets"]
    assert (sheet["sheet"], sheet["outcome"]) == (101, "duplicate")
    assert Response.objects.filter(sheet_number=101).count() == 1


def test_the_command_checks_values_as_paper_entry_does(mobility, sheets, stack_file, monkeypatch):
    """A value the paper-entry form refuses (999 people in one household) is not stored: the
    sheet waits for the review with the reason."""
    wrong = sheets.reading(103)
    for answer in wrong.answers:
        if answer.question_code == "M3":
            answer.answers = [AnswerInput(answer.question_id, number=999)]

    out = cli(mobility, stack_file, [wrong], monkeypatch)

    assert not Response.objects.filter(sheet_number=103).exists()
    sheet = ScannedSheet.objects.get(sheet_number=103)
    assert sheet.state == ScannedSheetState.REVIEW
    assert "Bogen 103: zur Prüfung" in out


def test_what_the_command_stores_is_counted_in_the_results(
    mobility, sheets, stack_file, monkeypatch, django_capture_on_commit_callbacks
):
    before = survey_results(survey=mobility, weighted=False).total

    with django_capture_on_commit_callbacks(execute=True):
        cli(mobility, stack_file, [sheets.reading(101), sheets.reading(104)], monkeypatch)

    assert survey_results(survey=mobility, weighted=False).total == before + 2


def test_the_command_refuses_what_the_upload_refuses(mobility, tmp_path, monkeypatch):
    junk = tmp_path / "stapel.pdf"
    junk.write_bytes(b"<html><script>alert(1)</script></html>")

    with pytest.raises(CommandError, match="kein gescannter Stapel"):
        cli(mobility, junk, [], monkeypatch)
    with pytest.raises(CommandError, match="Keinen aktiven Benutzer"):
        cli(mobility, junk, [], monkeypatch, "--user", "niemand")
    assert not ScanBatch.objects.exists()
