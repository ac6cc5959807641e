"""Scanned questionnaires from upload to stored responses: the upload's checks, reading in
the background, duplicates, the review one answer at a time, the private cut-outs and their
deletion with the raw data.

The sheets come from a reader handed in by the tests (``scan_batch_run(reader=...)``), built
from ``SheetReading`` objects as the real reader (``survey.scanning.reader``) yields them."""

import io
import struct
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from PIL import Image

from survey.kinds import AnswerInput
from survey.models import (
    Channel,
    Option,
    Question,
    Response,
    ScanAnswer,
    ScanBatch,
    ScanBatchStatus,
    ScannedSheet,
    ScannedSheetState,
    SurveyAssignment,
)
from survey.results.services import survey_raw_data_delete
from survey.scanning.readings import AnswerReading, SheetReading
from survey.scanning.services import (
    scan_answer_confirm,
    scan_answers_to_review,
    scan_batch_claim,
    scan_batch_create,
    scan_batch_run,
)
from survey.scanning.storage import private_storage
from tests.factories import SurveyFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf_pages(size=(595, 842), pages: int = 1) -> bytes:
    """A real PDF of empty pages (``size`` in points; A4 by default)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=size)
    for _page in range(pages):
        document.showPage()
    document.save()
    return buffer.getvalue()


PDF = pdf_pages()


def png(shade: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (120, 40), shade).save(buffer, format="PNG")
    return buffer.getvalue()


class Sheets:
    """Readings of the mobility survey: someone from ``residence`` by bike and bus."""

    def __init__(self, survey):
        self.survey = survey
        self.questions = {q.code: q for q in Question.objects.filter(survey=survey)}

    def option(self, code: str, label: str) -> int:
        return Option.objects.get(question=self.questions[code], label=label).pk

    def answers(self, residence: str) -> dict[str, list[AnswerInput]]:
        q = self.questions
        m7 = q["M7"]
        rows = {
            "M1": [AnswerInput(q["M1"].pk, option_id=self.option("M1", residence))],
            "M2": [AnswerInput(q["M2"].pk, option_id=self.option("M2", "30 bis 44"))],
            "M3": [AnswerInput(q["M3"].pk, number=3)],
            "M4": [
                AnswerInput(q["M4"].pk, option_id=self.option("M4", "Fahrrad oder E-Bike")),
                AnswerInput(q["M4"].pk, option_id=self.option("M4", "Bus")),
            ],
            "M5": [AnswerInput(q["M5"].pk, number=4)],
            "M6": [AnswerInput(q["M6"].pk, text="Mügeln – Oschatz")],
            "M7": [
                AnswerInput(m7.pk, item_id=item.pk, number=item.position)
                for item in m7.items.order_by("position")
            ],
            "M8": [AnswerInput(q["M8"].pk, number=12)],
            "M10": [AnswerInput(q["M10"].pk, text="Ein Rufbus am Abend.")],
        }
        if residence == "Oschatz":
            rows["M9"] = [AnswerInput(q["M9"].pk, option_id=self.option("M9", "jede Woche"))]
        return rows

    def reading(
        self,
        number: int | None,
        *,
        residence: str = "Mügeln",
        uncertain: dict[str, list[AnswerInput]] | None = None,
        pages: tuple[int, ...] | None = None,
        slug: str | None = None,
    ) -> SheetReading:
        """A sheet as read; ``uncertain`` maps codes to the (wrong or doubtful) proposal
        that goes to review instead of what was written."""
        uncertain = uncertain or {}
        answers = []
        for code, rows in self.answers(residence).items():
            doubtful = code in uncertain
            answers.append(
                AnswerReading(
                    question_id=self.questions[code].pk,
                    question_code=code,
                    answers=uncertain[code] if doubtful else rows,
                    confidence=0.55 if doubtful else 0.99,
                    review_reason="Zwei Kreuze bei einer Einfachauswahl." if doubtful else "",
                    crop_png=png(),
                    text_crops=[png(180)] if doubtful and code in {"M6", "M10"} else [],
                )
            )
        first = (number or 1) * 2 - 2
        return SheetReading(
            survey_slug=slug or self.survey.slug,
            sheet_number=number,
            scan_pages=list(pages or (first, first + 1)),
            answers=answers,
        )


def fake_reader(readings):
    """A reader yielding ``readings`` with progress, as ``read_stack`` does."""

    def read(survey, path, *, on_page=None):
        assert Path(path).is_file()
        total = sum(len(r.scan_pages) for r in readings)
        done = 0
        for reading in readings:
            done += len(reading.scan_pages)
            if on_page:
                on_page(done, total)
            yield reading

    return read


@pytest.fixture
def sheets(mobility):
    return Sheets(mobility)


@pytest.fixture
def typist():
    return UserFactory(is_staff=True, permissions=["survey.enter_paper_response"])


def upload_batch(survey, user, name="stapel.pdf", content=PDF, label="Rathaus Mügeln"):
    return scan_batch_create(
        survey=survey,
        upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
        label=label,
        uploaded_by=user,
    )


def read(batch, readings):
    return scan_batch_run(batch_id=batch.pk, reader=fake_reader(readings))


def private_files(survey) -> list[Path]:
    folder = Path(settings.PRIVATE_ROOT) / "scans" / str(survey.pk)
    return [p for p in folder.rglob("*") if p.is_file()]


# --- Upload --------------------------------------------------------------------------------


def tiff_header(width: int, height: int) -> bytes:
    """A TIFF whose header claims ``width`` × ``height`` pixels but holds 8 bytes of data."""
    entries = [
        (256, 4, 1, width),  # ImageWidth (LONG)
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 1),  # Photometric: black is zero
        (273, 4, 1, 8 + 2 + 12 * 8 + 4),  # StripOffsets: after the IFD
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, 8),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<HHI", tag, kind, count)
        packed += struct.pack("<I", value) if kind == 4 else struct.pack("<HH", value, 0)
        ifd += packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x00" * 8


def zip_bomb() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("stapel.pdf", b"\x00" * 50_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "stapel.pdf",
            b"<html><script>alert(1)</script></html>",
            "Diese Datei ist kein gescannter Stapel",
        ),
        ("stapel.pdf", zip_bomb(), "Diese Datei ist kein gescannter Stapel"),
        # Looks like a PDF for five bytes, then garbage.
        ("stapel.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100, "Diese Datei ist kein gescannter"),
        # A 200-byte page of 5 × 5 metres: 3.4 billion pixels once rendered.
        ("stapel.pdf", pdf_pages(size=(14_000, 14_000)), "viel zu viele Bildpunkte"),
        ("stapel.tif", tiff_header(100_000, 100_000), "viel zu viele Bildpunkte"),
        ("stapel.tif", tiff_header(20_000, 20_000), "viel zu viele Bildpunkte"),
        ("stapel.tif", b"II*\x00" + b"\xff" * 200, "Diese Datei ist kein gescannter Stapel"),
        ("stapel.pdf", b"\x00\x01garbage" * 100, "Diese Datei ist kein gescannter Stapel"),
        ("stapel.pdf", b"", "Die übertragene Datei ist leer"),
    ],
)
def test_upload_refuses_what_is_no_scan_with_a_german_message(
    client, mobility, typist, name, content, message
):
    client.force_login(typist)

    response = client.post(
        reverse("admin:survey_scanbatch_add"),
        {"survey": mobility.pk, "file": SimpleUploadedFile(name, content), "label": ""},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ScanBatch.objects.exists()
    assert private_files(mobility) == []


def test_upload_refuses_a_file_over_the_limit(client, mobility, typist, settings):
    settings.SURVEY_SCAN_MAX_UPLOAD_SIZE = 1000
    client.force_login(typist)

    response = client.post(
        reverse("admin:survey_scanbatch_add"),
        {"survey": mobility.pk, "file": SimpleUploadedFile("s.pdf", PDF + b" " * 2000)},
    )

    assert "Die Datei ist zu groß" in response.content.decode()
    assert not ScanBatch.objects.exists()


def test_upload_refuses_a_stack_with_too_many_pages(client, mobility, typist, settings):
    settings.SURVEY_SCAN_MAX_PAGES = 2
    client.force_login(typist)

    response = client.post(
        reverse("admin:survey_scanbatch_add"),
        {"survey": mobility.pk, "file": SimpleUploadedFile("s.pdf", pdf_pages(pages=3))},
    )

    assert "Der Stapel hat 3 Seiten; höchstens 2" in response.content.decode()
    assert not ScanBatch.objects.exists()


def test_upload_stores_the_stack_privately_and_shows_progress(client, mobility, typist):
    client.force_login(typist)

    response = client.post(
        reverse("admin:survey_scanbatch_add"),
        {"survey": mobility.pk, "file": SimpleUploadedFile("Stapel Mügeln.pdf", PDF), "label": "A"},
    )

    batch = ScanBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:survey_scanbatch_change", args=[batch.pk])
    assert batch.status == ScanBatchStatus.QUEUED
    assert batch.uploaded_by == typist
    assert batch.original_name == "Stapel Mügeln.pdf"
    stored = Path(private_storage.path(batch.file.name))
    assert stored.read_bytes() == PDF
    assert Path(settings.PRIVATE_ROOT) in stored.parents
    assert Path(settings.MEDIA_ROOT) not in stored.parents
    assert "Mügeln" not in stored.name  # the name on disk tells nothing
    assert stored.stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url(batch.file.name)
    page = client.get(response["Location"]).content.decode()
    assert "Wartet" in page
    assert "0</span> von <span" in page
    state = client.get(reverse("admin:survey_scanbatch_status", args=[batch.pk]))
    assert state.json()["status"] == "queued"
    assert {"private", "no-store"} <= set(state["Cache-Control"].split(", "))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("staff_without_permission", 403),
        ("staff_with_permission", 200),
        ("limited_to_another_survey", 200),
    ],
)
def test_upload_permissions(client, mobility, who, status):
    other = SurveyFactory(status="open")
    if who != "anonymous":
        permissions = ["survey.enter_paper_response"] if who != "staff_without_permission" else []
        if who == "limited_to_another_survey":
            permissions.append("survey.only_assigned_surveys")
        user = UserFactory(is_staff=True, permissions=permissions)
        if who == "limited_to_another_survey":
            SurveyAssignment.objects.create(survey=other, user=user)
        client.force_login(user)

    get = client.get(reverse("admin:survey_scanbatch_add"))
    post = client.post(
        reverse("admin:survey_scanbatch_add"),
        {"survey": mobility.pk, "file": SimpleUploadedFile("s.pdf", PDF)},
    )

    assert get.status_code == status
    stored = ScanBatch.objects.count()
    assert stored == (1 if who == "staff_with_permission" else 0)
    if who == "limited_to_another_survey":
        assert post.status_code == 200
        assert "gültige Auswahl" in post.content.decode()


# --- Reading -------------------------------------------------------------------------------


def test_reading_stores_sure_sheets_and_keeps_the_rest_for_review(sheets, mobility, typist):
    batch = upload_batch(mobility, typist)
    one_doubt = {"M1": [AnswerInput(sheets.questions["M1"].pk)]}

    batch = read(
        batch,
        [
            sheets.reading(101),
            sheets.reading(102, uncertain=one_doubt),
            sheets.reading(None, pages=(4, 5)),
            sheets.reading(104, slug="eine-andere-befragung"),
        ],
    )

    assert batch.status == ScanBatchStatus.DONE
    assert (batch.pages_done, batch.pages_total) == (8, 8)
    states = dict(batch.sheets.values_list("sheet_number", "state"))
    assert states == {
        101: ScannedSheetState.STORED,
        102: ScannedSheetState.REVIEW,
        None: ScannedSheetState.PROBLEM,
        104: ScannedSheetState.PROBLEM,
    }
    stored = Response.objects.get()
    assert (stored.sheet_number, stored.channel) == (101, Channel.PAPER)
    assert stored.batch == "Rathaus Mügeln"
    assert stored.entered_by == typist
    assert stored.answers.filter(question__code="M4").count() == 2
    # Only the answer to review keeps its cut-out on disk.
    assert ScanAnswer.objects.exclude(crop="").count() == 1
    assert "Bogennummer war nicht zu lesen" in batch.sheets.get(sheet_number=None).problems


def test_a_broken_file_fails_with_a_german_message_keeping_what_was_read(sheets, mobility, typist):
    def broken(survey, path, *, on_page=None):
        yield sheets.reading(101)
        raise ValueError("PdfiumError: data format error")

    batch = upload_batch(mobility, typist)
    batch = scan_batch_run(batch_id=batch.pk, reader=broken)

    assert batch.status == ScanBatchStatus.FAILED
    assert batch.error.startswith("Die Datei ließ sich nicht bis zum Ende lesen")
    assert "Pdfium" not in batch.error
    assert Response.objects.filter(sheet_number=101).exists()


def test_a_stack_is_read_by_one_process_only(mobility, typist):
    batch = upload_batch(mobility, typist)

    assert scan_batch_claim(batch_id=batch.pk) is True
    assert scan_batch_claim(batch_id=batch.pk) is False
    assert scan_batch_run(batch_id=batch.pk, reader=fake_reader([])) is None


def test_the_same_stack_twice_marks_duplicates_and_stores_nothing_twice(sheets, mobility, typist):
    doubt = {"M2": [AnswerInput(sheets.questions["M2"].pk)]}
    stack = [sheets.reading(101), sheets.reading(102, uncertain=doubt)]
    first = read(upload_batch(mobility, typist), stack)

    second = read(upload_batch(mobility, typist), stack)

    assert set(first.sheets.values_list("state", flat=True)) == {"stored", "review"}
    assert set(second.sheets.values_list("state", flat=True)) == {ScannedSheetState.DUPLICATE}
    assert Response.objects.count() == 1
    assert ScannedSheet.objects.filter(sheet_number=102, state="review").count() == 1
    assert not ScanAnswer.objects.filter(sheet__batch=second).exists()


def test_a_sheet_typed_in_by_hand_meanwhile_becomes_a_duplicate(sheets, mobility, typist):
    doubt = {"M2": [AnswerInput(sheets.questions["M2"].pk)]}
    batch = read(upload_batch(mobility, typist), [sheets.reading(102, uncertain=doubt)])
    sheet = batch.sheets.get()
    Response.objects.create(
        survey=mobility, channel=Channel.PAPER, sheet_number=102, submitted_on="2026-11-27"
    )

    sheet = scan_answer_confirm(
        answer=sheet.answers.get(confirmed__isnull=True), answers=[], user=typist
    )

    assert sheet.state == ScannedSheetState.DUPLICATE
    assert Response.objects.filter(sheet_number=102).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_confirming_the_same_sheet_store_it_once(mobility_committed):
    survey, sheets, typist = mobility_committed
    doubt = {"M2": [AnswerInput(sheets.questions["M2"].pk)]}
    batch = read(upload_batch(survey, typist), [sheets.reading(102, uncertain=doubt)])
    answer = ScanAnswer.objects.get(sheet__batch=batch, confirmed__isnull=True)
    other = UserFactory(is_staff=True, permissions=["survey.enter_paper_response"])
    age = [AnswerInput(answer.question_id, option_id=sheets.option("M2", "30 bis 44"))]
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm(user):
        try:
            barrier.wait()
            scan_answer_confirm(answer=answer, answers=age, user=user)
            outcomes.append("stored")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(user,)) for user in (typist, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ScanReviewError", "stored"]
    assert Response.objects.filter(sheet_number=102).count() == 1


@pytest.fixture
def mobility_committed(transactional_db):
    import datetime
    import io as stdio

    from django.utils import timezone

    from survey.demo import seed_mobility

    now = timezone.now()
    survey = seed_mobility(
        stdio.StringIO(),
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=30),
    )
    typist = UserFactory(is_staff=True, permissions=["survey.enter_paper_response"])
    return survey, Sheets(survey), typist


# --- Review --------------------------------------------------------------------------------


@pytest.fixture
def in_review(sheets, mobility, typist):
    """Sheet 102 with two doubtful answers (residence left blank, two ages ticked)."""
    doubt = {
        "M1": [],
        "M6": [AnswerInput(sheets.questions["M6"].pk, text="Mügeln Oschatz")],
    }
    return read(upload_batch(mobility, typist), [sheets.reading(102, uncertain=doubt)])


def test_review_shows_one_answer_with_its_cut_out_and_the_paper_entry_field(
    client, mobility, typist, in_review, sheets
):
    client.force_login(typist)

    page = client.get(reverse("survey:scan_review", args=[mobility.slug])).content.decode()

    first = scan_answers_to_review(survey=mobility).first()
    assert first.question.code == "M1"
    assert "2 Antworten sind noch zu prüfen." in page
    assert reverse("survey:scan_crop", args=[mobility.slug, first.pk]) in page
    assert "Zwei Kreuze bei einer Einfachauswahl." in page
    assert f'name="r-q{first.question_id}"' in page  # the paper-entry field of that kind
    assert "Ausschnitt des Scans: Frage M1 auf Bogen 102" in page


def test_review_confirms_with_the_proposal_and_stores_the_corrected_sheet(
    client, mobility, typist, in_review, sheets
):
    reviewer = UserFactory(is_staff=True, permissions=["survey.enter_paper_response"])
    client.force_login(reviewer)
    url = reverse("survey:scan_review", args=[mobility.slug])
    m1 = ScanAnswer.objects.get(question__code="M1")
    m6 = ScanAnswer.objects.get(question__code="M6")

    # M1: corrected to "Oschatz"; M6: the text typed from the cut-out.
    first = client.post(
        url, {"answer": m1.pk, f"r-q{m1.question_id}": sheets.option("M1", "Oschatz")}
    )
    assert not Response.objects.exists()  # one answer still open: nothing stored
    second = client.post(url, {"answer": m6.pk, f"r-q{m6.question_id}": "Mügeln – Oschatz"})

    assert first.status_code == second.status_code == 302
    stored = Response.objects.get(sheet_number=102)
    assert stored.entered_by == reviewer
    assert stored.channel == Channel.PAPER
    assert stored.answers.get(question__code="M1").option.label == "Oschatz"
    assert stored.answers.get(question__code="M6").text == "Mügeln – Oschatz"
    # M9 was not on the (Mügeln) sheet: not asked, not stored.
    assert not stored.answers.filter(question__code="M9").exists()
    sheet = ScannedSheet.objects.get(sheet_number=102)
    assert (sheet.state, sheet.stored_by, sheet.response) == ("stored", reviewer, stored)
    assert set(sheet.answers.exclude(confirmed_by=None).values_list("confirmed_by", flat=True)) == {
        reviewer.pk
    }
    page = client.get(url).content.decode()
    assert "Bogen 102 gespeichert." in page
    assert "Nichts mehr zu prüfen" in page


def test_review_rejects_an_invalid_correction_with_a_message(client, mobility, typist, in_review):
    client.force_login(typist)
    m1 = ScanAnswer.objects.get(question__code="M1")

    response = client.post(
        reverse("survey:scan_review", args=[mobility.slug]),
        {"answer": m1.pk, f"r-q{m1.question_id}": "999999"},
    )

    assert response.status_code == 200
    assert "Bitte korrigieren Sie 1 Angabe" in response.content.decode()
    assert ScanAnswer.objects.get(pk=m1.pk).confirmed is None


def test_review_of_an_answer_already_confirmed_does_not_store_twice(
    client, mobility, typist, in_review
):
    client.force_login(typist)
    url = reverse("survey:scan_review", args=[mobility.slug])
    m1 = ScanAnswer.objects.get(question__code="M1")
    client.post(url, {"answer": m1.pk})

    again = client.post(url, {"answer": m1.pk}, follow=True)

    assert "bereits erledigt" in again.content.decode()
    assert ScanAnswer.objects.get(pk=m1.pk).confirmed == []


def test_review_page_queries_do_not_grow_with_waiting_answers(
    client, mobility, typist, sheets, django_assert_num_queries
):
    client.force_login(typist)
    url = reverse("survey:scan_review", args=[mobility.slug])
    doubt = {code: [] for code in ("M1", "M2", "M3")}
    read(upload_batch(mobility, typist), [sheets.reading(102, uncertain=doubt)])
    client.get(url)
    # Session and user (2), permission checks, the survey (1), its definition (8), the
    # answer to show, the count waiting, its free-text cut-outs, what is open on its sheet.
    with django_assert_num_queries(18) as few:
        client.get(url)
    read(
        upload_batch(mobility, typist),
        [sheets.reading(n, uncertain=doubt) for n in range(103, 120)],
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


# --- Cut-outs: staff only --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("staff_without_permission", 404),
        ("limited_to_another_survey", 404),
        ("not_staff_with_permission", 404),
        ("typist", 200),
    ],
)
def test_cut_outs_only_for_staff_of_the_survey(client, mobility, in_review, who, status):
    other = SurveyFactory(status="open")
    if who != "anonymous":
        permissions = [] if who == "staff_without_permission" else ["survey.enter_paper_response"]
        if who == "limited_to_another_survey":
            permissions.append("survey.only_assigned_surveys")
        user = UserFactory(is_staff=who != "not_staff_with_permission", permissions=permissions)
        if who == "limited_to_another_survey":
            SurveyAssignment.objects.create(survey=other, user=user)
        client.force_login(user)
    answer = ScanAnswer.objects.get(question__code="M6")
    text = answer.text_crops.get()

    crop = client.get(reverse("survey:scan_crop", args=[mobility.slug, answer.pk]))
    typed = client.get(reverse("survey:scan_text_crop", args=[mobility.slug, text.pk]))
    # Another survey's address for this survey's cut-out finds nothing either.
    crossed = client.get(reverse("survey:scan_crop", args=[other.slug, answer.pk]))

    assert crop.status_code == typed.status_code == status
    assert crossed.status_code == 404
    if status == 200:
        assert crop["Content-Type"] == "image/png"
        assert crop["Cache-Control"] == "private, no-store"
        assert b"".join(crop.streaming_content).startswith(b"\x89PNG")


def test_no_scan_file_is_reachable_under_media_url(client, mobility, in_review):
    batch = ScanBatch.objects.get()
    names = [batch.file.name, *ScanAnswer.objects.exclude(crop="").values_list("crop", flat=True)]

    for name in names:
        assert client.get(settings.MEDIA_URL + name).status_code == 404
        assert not (Path(settings.MEDIA_ROOT) / name).exists()


# --- Retention -------------------------------------------------------------------------------


def test_raw_data_deletion_removes_scans_and_cut_outs_from_disk_and_database(
    client, mobility, typist, in_review, django_capture_on_commit_callbacks
):
    client.force_login(typist)
    answer = ScanAnswer.objects.get(question__code="M6")
    crop_url = reverse("survey:scan_crop", args=[mobility.slug, answer.pk])
    assert client.get(crop_url).status_code == 200
    files = private_files(mobility)
    assert len(files) == 4  # the stack, two cut-outs, one free-text cut-out

    with django_capture_on_commit_callbacks(execute=True):
        counts = survey_raw_data_delete(survey=mobility)

    assert counts["scans"] == 1
    assert not ScanBatch.objects.exists()
    assert not ScannedSheet.objects.exists()
    assert not ScanAnswer.objects.exists()
    assert [f for f in files if f.exists()] == []
    assert client.get(crop_url).status_code == 404


def test_retention_command_deletes_scans(mobility, typist, in_review):
    from survey.models import ResultsPublication

    ResultsPublication.objects.update_or_create(
        survey=mobility, defaults={"delete_raw_after": "2026-01-01"}
    )
    out = io.StringIO()

    call_command("survey_delete_raw_data", "--today=2026-01-02", stdout=out)

    assert "1 gescannte Stapel" in out.getvalue()
    assert not ScanBatch.objects.exists()


# --- Through the real reader -----------------------------------------------------------------


def test_a_real_scanned_stack_is_read_stored_and_reviewed(tmp_path, typist):
    from survey.models import Answer
    from tests.survey.scan_stacks import small_survey, stack_write

    survey = small_survey()
    path = tmp_path / "stapel.pdf"
    numbers = stack_write(
        survey,
        path,
        [
            {"E1": ["Oschatz"], "E2": ["wöchentlich"]},
            {"E1": ["Mügeln"], "E2": ["nie"]},
            {"E1": ["Oschatz", "Dahlen"], "E2": ["monatlich"]},  # two ticks: ambiguous
        ],
    )
    batch = scan_batch_create(
        survey=survey,
        upload=SimpleUploadedFile("stapel.pdf", path.read_bytes()),
        label="Rathaus Oschatz",
        uploaded_by=typist,
    )

    batch = scan_batch_run(batch_id=batch.pk)

    assert batch.status == ScanBatchStatus.DONE, batch.error
    states = dict(batch.sheets.values_list("sheet_number", "state"))
    assert states == {numbers[0]: "stored", numbers[1]: "stored", numbers[2]: "review"}
    doubt = ScanAnswer.objects.get(confirmed__isnull=True)
    assert doubt.question.code == "E1"
    assert doubt.crop
    dahlen = Option.objects.get(question__survey=survey, label="Dahlen")
    scan_answer_confirm(
        answer=doubt, answers=[AnswerInput(doubt.question_id, option_id=dahlen.pk)], user=typist
    )
    assert Response.objects.filter(survey=survey).count() == 3
    assert Answer.objects.filter(response__sheet_number=numbers[2], option=dahlen).exists()
    assert set(
        Answer.objects.filter(response__sheet_number=numbers[0]).values_list(
            "option__label", flat=True
        )
    ) == {"Oschatz", "wöchentlich"}


def test_the_minutely_command_reads_waiting_stacks_and_fails_a_broken_pdf_in_german(
    mobility, typist
):
    # Starts like a PDF (passes the upload's check), but is none.
    batch = upload_batch(mobility, typist, content=b"%PDF-1.7\n" + b"\x00garbage" * 500)
    out = io.StringIO()

    call_command("paper_scan_work", stdout=out)

    batch.refresh_from_db()
    assert batch.status == ScanBatchStatus.FAILED
    assert batch.error.startswith("Die Datei ließ sich nicht bis zum Ende lesen")
    assert f"Stapel {batch.pk}: Fehlgeschlagen" in out.getvalue()
    call_command("paper_scan_work", stdout=out)
    assert "Kein Stapel wartet." in out.getvalue()


def test_a_stack_whose_process_died_is_taken_over(sheets, mobility, typist):
    import datetime

    from django.utils import timezone

    batch = upload_batch(mobility, typist)
    assert scan_batch_claim(batch_id=batch.pk)  # a process took it, then died
    later = timezone.now() + datetime.timedelta(minutes=11)

    assert scan_batch_claim(batch_id=batch.pk) is False  # still alive: not taken twice
    assert scan_batch_claim(batch_id=batch.pk, now=later) is True


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("staff_without_permission", 403),
        ("limited_to_another_survey", 404),
        ("typist", 200),
    ],
)
def test_review_page_permissions(client, mobility, in_review, who, status):
    other = SurveyFactory(status="open")
    if who != "anonymous":
        permissions = [] if who == "staff_without_permission" else ["survey.enter_paper_response"]
        if who == "limited_to_another_survey":
            permissions.append("survey.only_assigned_surveys")
        user = UserFactory(is_staff=True, permissions=permissions)
        if who == "limited_to_another_survey":
            SurveyAssignment.objects.create(survey=other, user=user)
        client.force_login(user)
    answer = ScanAnswer.objects.get(question__code="M1")
    url = reverse("survey:scan_review", args=[mobility.slug])

    page = client.get(url)
    post = client.post(url, {"answer": answer.pk})

    assert page.status_code == status
    assert post.status_code == (302 if status == 200 else status)
    assert ScanAnswer.objects.get(pk=answer.pk).confirmed == ([] if status == 200 else None)


def test_progress_page_queries_do_not_grow_with_sheets(
    client, mobility, typist, sheets, django_assert_num_queries
):
    client.force_login(typist)
    few = read(upload_batch(mobility, typist), [sheets.reading(101)])
    many = read(upload_batch(mobility, typist), [sheets.reading(n) for n in range(102, 130)])
    client.get(reverse("admin:survey_scanbatch_change", args=[few.pk]))

    # Session and user, the stack with survey, uploader and its count to review, its sheets.
    with django_assert_num_queries(6) as counted:
        client.get(reverse("admin:survey_scanbatch_change", args=[few.pk]))
    with django_assert_num_queries(len(counted.captured_queries)):
        page = client.get(reverse("admin:survey_scanbatch_change", args=[many.pk]))
    assert page.content.decode().count("Gespeichert") == 28


def test_a_typist_cannot_delete_a_stack_nor_strangers_see_its_progress(client, mobility, typist):
    batch = upload_batch(mobility, typist)
    client.force_login(typist)

    deleted = client.post(
        reverse("admin:survey_scanbatch_delete", args=[batch.pk]), {"post": "yes"}
    )

    assert deleted.status_code == 403
    assert ScanBatch.objects.filter(pk=batch.pk).exists()
    assert private_storage.exists(batch.file.name)

    stranger = UserFactory(
        is_staff=True,
        permissions=["survey.enter_paper_response", "survey.only_assigned_surveys"],
    )
    SurveyAssignment.objects.create(survey=SurveyFactory(status="open"), user=stranger)
    client.force_login(stranger)
    for name in ("admin:survey_scanbatch_status", "admin:survey_scanbatch_change"):
        assert client.get(reverse(name, args=[batch.pk])).status_code in {403, 404}
