"""Paper questionnaires: staff-only entry through the same forms, channel paper."""

import pytest
from django.urls import reverse

from survey.forms import item_field_name, question_field_name
from survey.models import Channel, Response, SurveyStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(mobility):
    return reverse("survey:paper_entry", kwargs={"slug": mobility.slug})


@pytest.fixture
def typist(client):
    user = UserFactory(is_staff=True, permissions=["survey.enter_paper_response"])
    client.force_login(user)
    return user


def sheet(filler, number=17, residence="Mügeln", **extra):
    """A complete sheet with each section's prefix."""
    data = {"sheet_number": str(number), "batch": "Rathaus Mügeln, Stapel 1"}
    for page in [filler.page1(residence), filler.page2(), filler.page3(), filler.page_ideas()]:
        prefix = f"s{page['section']}"
        for name, value in page.items():
            if name not in ("section", "action"):
                data[f"{prefix}-{name}"] = value
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("user_with_permission_but_not_staff", 403),
        ("staff_without_permission", 403),
        ("staff_with_permission", 200),
        ("superuser", 200),
    ],
)
def test_paper_entry_permissions(client, url, filler, who, status):
    if who != "anonymous":
        user = UserFactory(
            is_staff=who != "user_with_permission_but_not_staff",
            is_superuser=who == "superuser",
            permissions=["survey.enter_paper_response"] if "with_permission" in who else [],
        )
        client.force_login(user)
    get = client.get(url)
    post = client.post(url, sheet(filler))
    assert get.status_code == status
    assert post.status_code == (302 if status == 200 else status)
    if status == 302:
        assert get["Location"].startswith("/admin/login/")
    stored = Response.objects.count()
    assert stored == (1 if status == 200 else 0)


def test_paper_sheet_is_stored_with_channel_sheet_batch_and_typist(client, url, filler, typist):
    response = client.post(url, sheet(filler))

    assert response.status_code == 302
    assert "stapel=Rathaus+M%C3%BCgeln" in response["Location"]
    stored = Response.objects.get()
    assert stored.channel == Channel.PAPER
    assert stored.sheet_number == 17
    assert stored.batch == "Rathaus Mügeln, Stapel 1"
    assert stored.entered_by == typist
    assert stored.answers.filter(question__code="M7").count() == 4
    page = client.get(response["Location"]).content.decode()
    assert "Bogen 17 gespeichert" in page
    assert 'value="Rathaus Mügeln, Stapel 1"' in page
    assert "Bisher 1 Papierfragebogen erfasst." in page


def test_same_sheet_number_cannot_be_entered_twice(client, url, filler, typist):
    client.post(url, sheet(filler))
    response = client.post(url, sheet(filler))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bogen 17 wurde schon erfasst." in page
    assert "<title>Fehler: Papiererfassung" in page
    assert Response.objects.count() == 1


def test_page_shows_every_section_with_the_sheet_number_first(client, url, typist):
    page = client.get(url).content.decode()
    assert page.index('name="sheet_number"') < page.index("Wo wohnen Sie?")
    assert "autofocus" in page
    assert "Stadtverkehr Oschatz" in page  # conditional pages are on screen too
    # Pages and questions shown only after a matching answer say so, in one wording.
    assert "Nur beantworten, wenn Sie bei Frage M1 „Oschatz“ angegeben haben." in page


def test_conditional_sections_on_paper_follow_the_sheet(client, url, filler, typist, mobility):
    oschatz_q = filler.questions["M9"]
    data = sheet(filler, residence="Dahlen")
    # The typist copies an answer the respondent should have skipped: not stored.
    data[f"s{oschatz_q.section_id}-{question_field_name(oschatz_q)}"] = filler.option("M9", "nie")
    client.post(url, data)
    assert not Response.objects.get().answers.filter(question__code="M9").exists()

    data = sheet(filler, number=18, residence="Oschatz")
    data[f"s{oschatz_q.section_id}-{question_field_name(oschatz_q)}"] = filler.option("M9", "nie")
    client.post(url, data)
    assert Response.objects.get(sheet_number=18).answers.filter(question__code="M9").exists()


def test_required_questions_left_blank_on_paper_are_stored_as_no_answer(
    client, url, filler, typist
):
    """Paper entry records the sheet as written: a blank required question is "no answer"
    (no answer row), not an error that would make the typist invent an answer."""
    matrix, residence = filler.questions["M7"], filler.questions["M1"]
    assert matrix.required
    assert residence.required
    data = sheet(filler)
    del data[f"s{matrix.section_id}-{item_field_name(matrix, matrix.items.first())}"]
    del data[f"s{residence.section_id}-{question_field_name(residence)}"]

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Response.objects.get()
    assert stored.answers.filter(question=matrix).count() == 3
    assert not stored.answers.filter(question=residence).exists()


def test_paper_form_does_not_mark_questions_required_but_online_stays_strict(
    client, url, filler, typist
):
    page = client.get(url).content.decode()
    assert "(Pflichtfeld)" not in page
    assert "als „keine Angabe“ gespeichert" in page
    online = client.get(filler.url).content.decode()
    assert "(Pflichtfeld)" in online


def test_wrong_values_on_paper_are_still_errors_with_summary(client, url, filler, typist):
    number = filler.questions["M8"]
    data = sheet(filler)
    data[f"s{number.section_id}-{question_field_name(number)}"] = "99999999999"
    response = client.post(url, data)
    page = response.content.decode()
    assert "<title>Fehler: Papiererfassung" in page
    assert Response.objects.count() == 0


@pytest.mark.parametrize("number", ["", "0", "-3", "abc", "99999999999"])
def test_bad_sheet_numbers_are_errors(client, url, filler, typist, number):
    response = client.post(url, sheet(filler, number=number))
    assert response.status_code == 200
    assert Response.objects.count() == 0


def test_paper_entry_closed_after_results_are_published(client, url, filler, typist, mobility):
    mobility.status = SurveyStatus.PUBLISHED
    mobility.save()
    assert "Die Papiererfassung ist geschlossen" in client.get(url).content.decode()
    client.post(url, sheet(filler))
    assert Response.objects.count() == 0


def test_paper_entry_still_open_after_the_online_deadline(client, url, filler, typist, mobility):
    mobility.status = SurveyStatus.CLOSED
    mobility.save()
    assert client.post(url, sheet(filler)).status_code == 302
    assert Response.objects.get().channel == Channel.PAPER


def test_conditional_questions_say_nur_wenn_in_the_entry_form(client, url, typist):
    page = client.get(url).content.decode()
    # M8 (kilometres by bike) is asked only of those who chose the bike in M4.
    label = page[page.index("Wie viele Kilometer") :][:300]
    assert (
        "(Nur beantworten, wenn Sie bei Frage M4 „Fahrrad oder E-Bike“ angegeben haben.)" in label
    )
    # The unconditional question next to it has no such note.
    first = page[page.index("Wo wohnen Sie?") :][:200]
    assert "Nur beantworten, wenn" not in first
