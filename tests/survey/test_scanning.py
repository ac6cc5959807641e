"""Machine-readable paper questionnaires: the numbered PDF, its layout, and reading scanned
stacks back (accuracy on a small generated set, the rules, faulty stacks, the command)."""

import json
import random

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from survey.models import Channel, PaperSheetBatch, Response
from survey.scanning.printing import (
    PrintError,
    layout_for_survey,
    paper_sheets_issue,
    paper_sheets_reprint,
)
from survey.scanning.reader import ScanError, parse_qr, read_stack
from survey.scanning.readings import TICKED
from survey.scanning.testset import (
    images_write,
    scan_images,
    scan_testset_write,
    score_readings,
    score_table,
)
from tests.factories import ResponseFactory, SurveyFactory, UserFactory

CLERK_PERMISSIONS = ["survey.enter_paper_response"]


@pytest.fixture
def clerk_client(client, db):
    client.force_login(UserFactory(is_staff=True, permissions=CLERK_PERMISSIONS))
    return client


def order_url(survey) -> str:
    return reverse("survey:print_order", kwargs={"slug": survey.slug})


def pdf_url(survey, **query):
    """The old GET address of the PDF (now only a way to the order form)."""
    url = reverse("survey:print_pdf", kwargs={"slug": survey.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def order(client, survey, anzahl=1, ab=""):
    return client.post(order_url(survey), {"anzahl": anzahl, "ab": ab})


def qr_codes(pdf_bytes: bytes) -> list:
    document = pdfium.PdfDocument(pdf_bytes)
    codes = []
    for index in range(len(document)):
        image = document[index].render(scale=150 / 72, grayscale=True).to_numpy()
        image = np.ascontiguousarray(image if image.ndim == 2 else image[:, :, 0])
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        codes.append(parse_qr(found[0].text) if found else None)
    return codes


# --- Printing ---------------------------------------------------------------------------------


def test_pdf_numbers_copies_above_typed_in_sheets(clerk_client, mobility):
    ResponseFactory(survey=mobility, channel=Channel.PAPER, sheet_number=500)
    first = order(clerk_client, mobility, anzahl=2)
    second = order(clerk_client, mobility, anzahl=1)
    assert first["Content-Type"] == "application/pdf"
    disposition = f'attachment; filename="fragebogen-{mobility.slug}-501-502.pdf"'
    assert first["Content-Disposition"] == disposition
    assert first["Cache-Control"] == "private, no-store"
    pages = layout_for_survey(survey=mobility).data["pages"]
    codes = qr_codes(first.content)
    assert len(codes) == 2 * pages
    assert [c.sheet for c in codes] == [501] * pages + [502] * pages
    assert [c.page for c in codes[:pages]] == list(range(1, pages + 1))
    assert {c.slug for c in codes} == {mobility.slug}
    assert [c.sheet for c in qr_codes(second.content)] == [503] * pages


def test_pdf_is_tagged_german_with_title(clerk_client, mobility):
    content = order(clerk_client, mobility).content
    document = pdfium.PdfDocument(content)
    assert document.get_metadata_dict()["Title"] == mobility.title
    assert b"/Lang (de-DE)" in content


def test_order_page_lists_issued_batches_with_who_and_when(
    client, mobility, django_assert_num_queries
):
    clerk = UserFactory(
        is_staff=True, first_name="Erika", last_name="Müller", permissions=CLERK_PERMISSIONS
    )
    client.force_login(clerk)
    layout = layout_for_survey(survey=mobility)
    paper_sheets_issue(survey=mobility, count=20, layout=layout, user=clerk)
    client.get(order_url(mobility))  # the menus are cached after the first page
    # Session, user, permissions (user and group), survey, menu cache version, batch count,
    # batches with who issued them.
    with django_assert_num_queries(8):
        page = client.get(order_url(mobility)).content.decode()
    assert "Fragebögen zum Scannen drucken" in page
    assert "1–20" in page
    assert "Erika Müller" in page
    assert 'name="csrfmiddlewaretoken"' in page
    for _index in range(30):
        paper_sheets_issue(survey=mobility, count=1, layout=layout, user=None)
    with django_assert_num_queries(8):
        page = client.get(order_url(mobility)).content.decode()
    assert "50–50" in page
    assert PaperSheetBatch.objects.count() == 31


def test_get_of_the_old_pdf_address_issues_no_numbers(clerk_client, mobility):
    """A link prefetch, a crawler with a staff session or a reload must not issue numbers:
    the old GET address leads to the form, and the form's GET ignores order parameters."""
    for url in (pdf_url(mobility, anzahl=5), pdf_url(mobility, anzahl=2, ab=1)):
        response = clerk_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == order_url(mobility)
    assert clerk_client.head(pdf_url(mobility, anzahl=5)).status_code == 302
    page = clerk_client.get(order_url(mobility) + "?anzahl=5")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert not PaperSheetBatch.objects.exists()


def test_order_without_csrf_token_is_refused(mobility):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, permissions=CLERK_PERMISSIONS))
    response = client.post(order_url(mobility), {"anzahl": 5})
    assert response.status_code == 403
    assert not PaperSheetBatch.objects.exists()


def test_pdf_and_layout_refused_to_strangers(client, mobility):
    urls = (
        pdf_url(mobility),
        order_url(mobility),
        reverse("survey:print_layout", args=[mobility.slug]),
    )
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert "/admin/login/" in anonymous["Location"]
        client.force_login(UserFactory(is_staff=True, permissions=[]))
        assert client.get(url).status_code == 403
        client.logout()
    anonymous = order(client, mobility, anzahl=3)
    assert anonymous.status_code == 302
    assert "/admin/login/" in anonymous["Location"]
    client.force_login(UserFactory(is_staff=False, permissions=CLERK_PERMISSIONS))
    assert order(client, mobility, anzahl=3).status_code == 403
    assert not PaperSheetBatch.objects.exists()


def test_pdf_and_layout_of_another_survey_not_found_for_limited_staff(client, mobility):
    other = SurveyFactory()
    user = UserFactory(
        is_staff=True, permissions=[*CLERK_PERMISSIONS, "survey.only_assigned_surveys"]
    )
    user.survey_assignments.create(survey=other)
    client.force_login(user)
    assert client.get(pdf_url(mobility)).status_code == 404
    assert client.get(order_url(mobility)).status_code == 404
    assert order(client, mobility, anzahl=3).status_code == 404
    layout = client.get(reverse("survey:print_layout", args=[mobility.slug]))
    assert layout.status_code == 404
    assert client.get(order_url(other)).status_code == 200
    assert not PaperSheetBatch.objects.exists()


def test_order_for_a_tampered_survey_slug_is_not_found(clerk_client, mobility):
    for slug in ("gibt-es-nicht", mobility.slug + "x"):
        response = clerk_client.post(f"/befragungen/{slug}/fragebogen-drucken/", {"anzahl": 1})
        assert response.status_code == 404
    for path in ("/befragungen/%00/fragebogen-drucken/", "/befragungen/a%2Fb/fragebogen-drucken/"):
        assert clerk_client.post(path, {"anzahl": 1}).status_code in (400, 404)  # never 500
    assert not PaperSheetBatch.objects.exists()


def test_upload_page_links_only_the_own_surveys_print_page(client, mobility):
    own = SurveyFactory(status=mobility.status)
    user = UserFactory(
        is_staff=True, permissions=[*CLERK_PERMISSIONS, "survey.only_assigned_surveys"]
    )
    user.survey_assignments.create(survey=own)
    client.force_login(user)
    upload = client.get(reverse("admin:survey_scanbatch_add")).content.decode()
    assert order_url(own) in upload
    assert order_url(mobility) not in upload
    assert mobility.title not in upload


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"anzahl": "abc"}, "als ganze Zahl"),
        ({"anzahl": ""}, "wie viele Exemplare"),
        ({"anzahl": "0"}, "mindestens 1 Exemplar"),
        ({"anzahl": "-3"}, "mindestens 1 Exemplar"),
        ({"anzahl": "101"}, "Höchstens 100 Exemplare"),
        ({"anzahl": "9" * 25}, "Höchstens 100 Exemplare"),
        ({"anzahl": "9" * 5000}, "als ganze Zahl"),
        ({"anzahl": "1\x00"}, "als ganze Zahl"),
        ({"anzahl": "2.5"}, "als ganze Zahl"),
        ({"anzahl": "1", "ab": "\x00"}, "Bogennummer als ganze Zahl"),
        ({"anzahl": "1", "ab": "-1"}, "beginnen bei 1"),
        ({"anzahl": "1", "ab": "9" * 25}, "So hohe Bogennummern"),
        ({"anzahl": "1", "ab": "x" * 5000}, "Bogennummer als ganze Zahl"),
        ({"anzahl": "1", "ab": "7"}, "erneut gedruckt"),
    ],
)
def test_bad_order_is_a_german_message(clerk_client, mobility, data, message):
    response = clerk_client.post(order_url(mobility), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Bitte korrigieren Sie" in page
    assert not PaperSheetBatch.objects.exists()


def test_reprint_only_of_issued_numbers(clerk_client, mobility):
    layout = layout_for_survey(survey=mobility)
    paper_sheets_issue(survey=mobility, count=3, layout=layout, user=None)
    reprint = order(clerk_client, mobility, anzahl=2, ab=2)
    assert reprint.status_code == 200
    assert f"fragebogen-{mobility.slug}-2-3.pdf" in reprint["Content-Disposition"]
    pages = layout.data["pages"]
    assert [c.sheet for c in qr_codes(reprint.content)] == [2] * pages + [3] * pages
    refused = order(clerk_client, mobility, anzahl=3, ab=2)
    assert refused.status_code == 400
    assert "2 bis 4" in refused.content.decode()
    with pytest.raises(PrintError):
        paper_sheets_reprint(survey=mobility, first=0, count=1)
    assert PaperSheetBatch.objects.count() == 1


def test_order_page_is_linked_from_the_tools_and_the_upload_page(client, admin_user, mobility):
    client.force_login(admin_user)
    change = client.get(reverse("admin:survey_survey_change", args=[mobility.pk])).content
    assert order_url(mobility).encode() in change
    upload = client.get(reverse("admin:survey_scanbatch_add") + f"?survey={mobility.pk}")
    assert order_url(mobility).encode() in upload.content


def test_layout_json_has_a_box_for_every_option_item_and_digit(
    clerk_client, mobility, django_assert_max_num_queries
):
    url = reverse("survey:print_layout", args=[mobility.slug])
    with django_assert_max_num_queries(17):
        data = clerk_client.get(url).json()
    assert "ops" not in data
    boxes = data["boxes"]
    by_code = {}
    for box in boxes:
        assert {"page", "x", "y", "width", "height", "question"} <= set(box)
        by_code.setdefault(box["question"], []).append(box)
    m1 = mobility.questions.get(code="M1")
    assert {b["option_id"] for b in by_code["M1"]} == set(m1.options.values_list("pk", flat=True))
    m7 = mobility.questions.get(code="M7")
    cells = [b for b in by_code["M7"] if b["role"] == "cell"]
    assert len(cells) == m7.items.count() * len(m7.scale_values)
    assert {b["role"] for b in by_code["M10"]} == {"text"}
    # Same definition, same map: the second call stores nothing new.
    assert clerk_client.get(url).json()["fingerprint"] == data["fingerprint"]
    assert mobility.paper_layouts.count() == 1


# --- Reading ----------------------------------------------------------------------------------


@pytest.fixture
def stack(mobility, tmp_path):
    layout = layout_for_survey(survey=mobility)
    numbers = paper_sheets_issue(survey=mobility, count=6, layout=layout, user=None)
    out = tmp_path / "stapel.tif"
    # Packbits, as many scanners write: deflating 24 noisy pages took a fifth of the test's
    # time. The reader's deflate path is read by the stacks of _marked_stack below.
    truth = scan_testset_write(
        layout_obj=layout,
        out=out,
        sheets=6,
        seed=16,
        first_sheet=numbers.first,
        dpi=None,
        compression="packbits",
    )
    return out, json.loads(truth.read_text())


def test_small_generated_stack_is_read_accurately(mobility, stack):
    path, truth = stack
    progress = []
    readings = list(read_stack(mobility, path, on_page=lambda done, total: progress.append(done)))
    score = score_readings(readings, truth)
    assert score.sheets == 6
    assert progress[-1] == score.pages
    # Boxes decided right with nothing to check but handwriting to type in.
    assert score.share_boxes_unreviewed >= 0.995, score_table(score)
    assert score.correct == score.boxes, score_table(score)
    assert score.silent_errors == []
    assert score.cpu / score.pages < 1.0


def _marked_stack(mobility, tmp_path, picks, *, name="faults.tif", sheets=None):
    layout = layout_for_survey(survey=mobility)
    numbers = paper_sheets_issue(survey=mobility, count=1, layout=layout, user=None)
    boxes = layout.data["boxes"]
    marks = [(b["page"], kind, b) for kind, pick in picks for b in boxes if pick(b)]
    pages = scan_images(layout, numbers.first, 200, marks, random.Random(3))
    if sheets:
        pages = sheets(pages)
    out = tmp_path / name
    images_write(pages, out)
    return out, numbers.first


def _answer(reading, code):
    return next(a for a in reading.answers if a.question_code == code)


def test_two_ticks_on_single_choice_and_a_correction_go_to_review(mobility, tmp_path):
    first_two = {o.pk for o in mobility.questions.get(code="M2").options.all()[:2]}
    m1 = mobility.questions.get(code="M1").options.first()
    m1b = mobility.questions.get(code="M1").options.all()[1]
    path, number = _marked_stack(
        mobility,
        tmp_path,
        [
            ("tick", lambda b: b["question"] == "M2" and b.get("option_id") in first_two),
            ("fill", lambda b: b["question"] == "M1" and b.get("option_id") == m1.pk),
            ("tick", lambda b: b["question"] == "M1" and b.get("option_id") == m1b.pk),
        ],
        name="farbig.pdf",
        sheets=lambda pages: [np.dstack([page] * 3) for page in pages],  # a colour scan
    )
    (reading,) = read_stack(mobility, path)
    assert reading.sheet_number == number
    m2 = _answer(reading, "M2")
    assert "Mehrere Kästchen" in m2.review_reason
    assert m2.answers == []
    corrected = _answer(reading, "M1")
    assert corrected.needs_review
    assert [a.option_id for a in corrected.answers] == [m1b.pk]
    assert reading.needs_review


def test_upside_down_page_and_missing_page(mobility, tmp_path):
    m1 = mobility.questions.get(code="M1").options.first()

    def turn_and_drop(pages):
        # Page 1 upside down, a blank back side of a duplex scan, the last page missing.
        blank = np.full_like(pages[1], 230)
        return [np.ascontiguousarray(pages[0][::-1, ::-1]), blank, *pages[1:-1]]

    path, _number = _marked_stack(
        mobility,
        tmp_path,
        [("tick", lambda b: b["question"] == "M1" and b.get("option_id") == m1.pk)],
        sheets=turn_and_drop,
    )
    (reading,) = read_stack(mobility, path)  # the blank page gives no reading of its own
    assert [a.option_id for a in _answer(reading, "M1").answers] == [m1.pk]
    pages = layout_for_survey(survey=mobility).data["pages"]
    assert any(f"Seite {pages}" in problem for problem in reading.problems)
    assert reading.needs_review


def test_a_stack_of_another_survey_is_not_read_as_this_one(mobility, tmp_path):
    path, _number = _marked_stack(mobility, tmp_path, [])
    other = SurveyFactory()
    readings = list(read_stack(other, path))
    assert readings
    assert all(r.needs_review for r in readings)
    assert all(r.answers == [] for r in readings)


def test_not_a_scan_is_a_clear_error(mobility, tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(ScanError):
        list(read_stack(mobility, junk))
    text = tmp_path / "notes.txt"
    text.write_text("Hallo")
    with pytest.raises(CommandError, match="kein gescannter Stapel"):
        call_command("paper_scan", mobility.slug, str(text))


def test_paper_scan_stores_sure_sheets_once_as_written(mobility, tmp_path, capsys):
    m1 = mobility.questions.get(code="M1").options.exclude(label="Oschatz").first()
    m9 = mobility.questions.get(code="M9").options.first()  # only asked of Oschatz people
    path, number = _marked_stack(
        mobility,
        tmp_path,
        [
            ("tick", lambda b: b["question"] == "M1" and b.get("option_id") == m1.pk),
            ("tick", lambda b: b["question"] == "M9" and b.get("option_id") == m9.pk),
        ],
    )
    # The questionnaire changes after printing: the scan is read with the map it was
    # printed from.
    mobility.questions.filter(code="M2").update(text="Wie alt sind Sie (in Jahren)?")
    assert mobility.paper_layouts.count() == 1
    call_command("paper_scan", mobility.slug, str(path), "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert mobility.paper_layouts.count() == 2
    assert out["sheets"][0]["sheet"] == number
    assert out["sheets"][0]["outcome"] == "stored"
    assert not Response.objects.filter(survey=mobility).exists()
    call_command("paper_scan", mobility.slug, str(path))
    stored = Response.objects.get(survey=mobility, sheet_number=number)
    assert stored.channel == Channel.PAPER
    # M9's condition is not met on the sheet: its tick is not stored, as in paper entry.
    assert list(stored.answers.values_list("option_id", flat=True)) == [m1.pk]
    call_command("paper_scan", mobility.slug, str(path))
    assert "schon" in capsys.readouterr().out
    assert Response.objects.filter(survey=mobility).count() == 1


def test_box_states_are_decided_from_darkness():
    from survey.scanning.reader import box_state

    assert box_state(0.0) == ("empty", 1.0)
    assert box_state(0.3)[0] == TICKED
    assert box_state(0.97)[0] == "filled"
    assert box_state(0.06)[1] < 0.8  # unsure between empty and a tick
