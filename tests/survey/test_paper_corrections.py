"""Analysts correct or delete a mistyped paper sheet, found by its number: every change in
the audit log, the results counted again; online responses cannot be reached this way."""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from survey.forms import question_field_name
from survey.models import Answer, Channel, Response, ResultTally, SurveyStatus
from survey.results.tallies import survey_results_tally
from tests.factories import OptionFactory, ResponseFactory, UserFactory
from tests.survey.test_paper import sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def entered(filler, mobility):
    """Sheet 17 typed in by a typist (Mügeln), and the results counted."""
    typist = Client()
    typist.force_login(UserFactory(is_staff=True, permissions=["survey.enter_paper_response"]))
    url = reverse("survey:paper_entry", kwargs={"slug": mobility.slug})
    assert typist.post(url, sheet(filler)).status_code == 302
    survey_results_tally(survey=mobility)
    return Response.objects.get(sheet_number=17)


@pytest.fixture
def analyst():
    client = Client()
    client.force_login(UserFactory(is_staff=True, permissions=["survey.delete_response"]))
    return client


def sheet_url(survey, number) -> str:
    return reverse("survey:paper_sheet", kwargs={"slug": survey.slug, "number": number})


def residence_tally(filler, survey, label) -> int:
    survey_results_tally(survey=survey)
    return sum(
        ResultTally.objects.filter(
            survey=survey,
            dimension="",
            question_pk=filler.questions["M1"].pk,
            option_pk=int(filler.option("M1", label)),
        ).values_list("n", flat=True)
    )


def corrections_logged(survey):
    return LogEntry.objects.filter(
        object_pk=str(survey.pk), additional_data__kind="paper_correction"
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("typist_only", 403),
        ("permission_but_not_staff", 403),
        ("analyst", 200),
    ],
)
def test_only_analysts_may_correct_sheets(mobility, filler, entered, who, status):
    client = Client()
    if who != "anonymous":
        permissions = (
            ["survey.enter_paper_response"] if who == "typist_only" else ["survey.delete_response"]
        )
        client.force_login(
            UserFactory(is_staff=who != "permission_but_not_staff", permissions=permissions)
        )
    assert client.get(reverse("survey:paper_sheets", args=[mobility.slug])).status_code == status
    assert client.get(sheet_url(mobility, 17)).status_code == status
    data = sheet(filler, residence="Dahlen")
    post = client.post(sheet_url(mobility, 17), data)
    delete = client.post(sheet_url(mobility, 17), {"action": "delete", "confirm": "yes"})
    if status != 200:
        assert post.status_code == delete.status_code == status
        assert Response.objects.filter(sheet_number=17).exists()
        assert not corrections_logged(mobility).exists()


def test_a_sheet_is_found_by_its_number_and_shown_as_typed_in(mobility, filler, entered, analyst):
    listing = analyst.get(reverse("survey:paper_sheets", args=[mobility.slug]))
    assert "1 Papierbogen" in listing.content.decode()
    found = analyst.get(reverse("survey:paper_sheets", args=[mobility.slug]), {"bogen": "17"})
    assert found["Location"] == sheet_url(mobility, 17)

    page = analyst.get(sheet_url(mobility, 17)).content.decode()

    assert "Papierbogen 17 korrigieren" in page
    m1 = filler.questions["M1"]
    checked = (
        f'name="s{m1.section_id}-{question_field_name(m1)}" value="{filler.option("M1", "Mügeln")}"'
    )
    assert checked in page
    assert page[page.index(checked) :][:200].count("checked") == 1
    assert "Ein Rufbus am Abend." in page
    assert 'value="Rathaus Mügeln, Stapel 1"' in page


def test_a_correction_changes_only_what_changed_logs_it_and_recounts(
    mobility, filler, entered, analyst
):
    assert residence_tally(filler, mobility, "Mügeln") == 1
    ideas = Answer.objects.get(response=entered, question__code="M10")

    response = analyst.post(sheet_url(mobility, 17), sheet(filler, residence="Dahlen"), follow=True)

    assert "Bogen 17 korrigiert (geändert: M1)." in response.content.decode()
    assert Answer.objects.get(response=entered, question__code="M1").option.label == "Dahlen"
    # Unchanged answers keep their rows (and so their free-text coding).
    assert Answer.objects.filter(pk=ideas.pk).exists()
    assert residence_tally(filler, mobility, "Mügeln") == 0
    assert residence_tally(filler, mobility, "Dahlen") == 1
    entry = corrections_logged(mobility).get()
    assert entry.additional_data["sheet"] == 17
    assert entry.additional_data["questions"] == ["M1"]
    assert entry.actor is not None
    # The log names questions, never answers.
    assert "Dahlen" not in repr(entry.additional_data)


def test_a_sheet_number_can_be_corrected_but_not_onto_another_sheet(
    mobility, filler, entered, analyst
):
    analyst_typist = Client()
    analyst_typist.force_login(
        UserFactory(is_staff=True, permissions=["survey.enter_paper_response"])
    )
    analyst_typist.post(
        reverse("survey:paper_entry", args=[mobility.slug]), sheet(filler, number=18)
    )

    taken = analyst.post(sheet_url(mobility, 17), sheet(filler, number=18))
    assert "Bogen 18 wurde schon erfasst." in taken.content.decode()
    moved = analyst.post(sheet_url(mobility, 17), sheet(filler, number=71))
    assert moved["Location"] == sheet_url(mobility, 71)
    entered.refresh_from_db()
    assert entered.sheet_number == 71
    assert corrections_logged(mobility).get().additional_data["renumbered_from"] == 17


def test_a_sheet_is_deleted_only_when_confirmed_and_the_results_follow(
    mobility, filler, entered, analyst
):
    unconfirmed = analyst.post(sheet_url(mobility, 17), {"action": "delete"}, follow=True)
    assert "Bitte bestätigen Sie" in unconfirmed.content.decode()
    assert Response.objects.filter(pk=entered.pk).exists()

    done = analyst.post(
        sheet_url(mobility, 17), {"action": "delete", "confirm": "yes"}, follow=True
    )

    assert "Bogen 17 gelöscht." in done.content.decode()
    assert not Response.objects.filter(pk=entered.pk).exists()
    assert residence_tally(filler, mobility, "Mügeln") == 0
    assert corrections_logged(mobility).get().additional_data == {
        "kind": "paper_correction",
        "operation": "delete",
        "sheet": 17,
    }


def test_online_responses_cannot_be_found_corrected_or_deleted(mobility, filler, analyst):
    online = ResponseFactory(survey=mobility, channel=Channel.ONLINE)
    listing = analyst.get(reverse("survey:paper_sheets", args=[mobility.slug]))
    assert "0 Papierbögen" in listing.content.decode()
    for number in [online.pk, 0, 2_000_000_001, 10**30]:
        assert analyst.get(sheet_url(mobility, number)).status_code == 404
        delete = analyst.post(sheet_url(mobility, number), {"action": "delete", "confirm": "yes"})
        assert delete.status_code == 404
    lookup = analyst.get(reverse("survey:paper_sheets", args=[mobility.slug]), {"bogen": online.pk})
    assert lookup.status_code == 404
    assert "Kein Papierbogen mit der Nummer" in lookup.content.decode()
    assert Response.objects.filter(pk=online.pk).exists()


@pytest.mark.parametrize("value", ["abc", "\x00", "-1", "9" * 40, ""])
def test_bad_lookups_are_german_errors_not_500(mobility, analyst, value):
    response = analyst.get(reverse("survey:paper_sheets", args=[mobility.slug]), {"bogen": value})
    if value == "\x00":
        # The portal turns NUL bytes away before any view (its bad-request page).
        assert response.status_code == 400
        return
    assert response.status_code in (200, 404)
    assert "Papierbögen" in response.content.decode()


def test_a_sheet_of_another_survey_is_not_reachable(mobility, filler, entered, analyst):
    other = ResponseFactory(channel=Channel.PAPER, sheet_number=55)
    assert analyst.get(sheet_url(mobility, 55)).status_code == 404
    assert analyst.get(sheet_url(other.survey, 17)).status_code == 404


def test_tampered_corrections_change_nothing(mobility, filler, entered, analyst):
    foreign = OptionFactory()
    m1 = filler.questions["M1"]
    data = sheet(filler)
    data[f"s{m1.section_id}-{question_field_name(m1)}"] = str(foreign.pk)
    response = analyst.post(sheet_url(mobility, 17), data)
    assert response.status_code == 200
    assert Answer.objects.get(response=entered, question=m1).option.label == "Mügeln"
    assert not corrections_logged(mobility).exists()


def test_published_results_freeze_the_sheets(mobility, filler, entered, analyst):
    mobility.status = SurveyStatus.PUBLISHED
    mobility.save()
    page = analyst.get(sheet_url(mobility, 17)).content.decode()
    assert "Die Papiererfassung ist geschlossen" in page
    analyst.post(sheet_url(mobility, 17), {"action": "delete", "confirm": "yes"})
    analyst.post(sheet_url(mobility, 17), sheet(filler, residence="Dahlen"))
    assert Response.objects.filter(pk=entered.pk).exists()
    assert Answer.objects.get(response=entered, question__code="M1").option.label == "Mügeln"


def test_the_audit_log_says_in_german_what_was_corrected(mobility, filler, entered, analyst):
    from portal.audit import entry_kind_label, entry_summary

    analyst.post(sheet_url(mobility, 17), sheet(filler, residence="Dahlen"))
    analyst.post(sheet_url(mobility, 17), {"action": "delete", "confirm": "yes"})
    corrected, deleted = corrections_logged(mobility).order_by("pk")
    assert entry_summary(corrected) == "Papierbogen 17 korrigiert (Fragen: M1)"
    assert entry_summary(deleted) == "Papierbogen 17 gelöscht"
    assert str(entry_kind_label(corrected)) == "Papierfragebogen korrigiert oder gelöscht"
