"""Per-survey permissions: an analyst limited to assigned surveys tries every way into
another survey's data (admin lists, change pages, actions, staff pages, exports)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from survey.models import AccessCode, Channel, Response, SurveyAssignment, SurveyStatus
from survey.permissions import staff_has_perm, surveys_for_staff
from tests.factories import (
    AccessCodeFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ANALYST_PERMISSIONS = [
    "survey.view_survey",
    "survey.change_survey",
    "survey.view_question",
    "survey.view_section",
    "survey.view_response",
    "survey.delete_response",
    "survey.view_accesscode",
    "survey.enter_paper_response",
    "survey.export_responses",
    "survey.view_monitoring",
]


@pytest.fixture
def surveys():
    own = SurveyFactory(title="Eigene Befragung", slug="eigene", access_mode="codes")
    other = SurveyFactory(title="Fremde Befragung", slug="fremde", access_mode="codes")
    return own, other


@pytest.fixture
def limited(surveys):
    user = UserFactory(
        username="begrenzt",
        is_staff=True,
        permissions=[*ANALYST_PERMISSIONS, "survey.only_assigned_surveys"],
    )
    SurveyAssignment.objects.create(survey=surveys[0], user=user)
    return user


@pytest.fixture
def limited_client(client, limited):
    client.force_login(limited)
    return client


def test_no_flag_means_every_survey(surveys):
    user = UserFactory(is_staff=True, permissions=ANALYST_PERMISSIONS)
    assert set(surveys_for_staff(user)) == set(surveys)
    assert staff_has_perm(user, "survey.export_responses", survey=surveys[1])


def test_flag_limits_to_assigned_surveys(surveys, limited):
    assert list(surveys_for_staff(limited)) == [surveys[0]]
    assert staff_has_perm(limited, "survey.export_responses", survey=surveys[0])
    assert not staff_has_perm(limited, "survey.export_responses", survey=surveys[1])
    assert not staff_has_perm(limited, "survey.export_responses", survey=surveys[1].pk)


def test_flag_through_a_group_with_no_assignment_sees_nothing(surveys):
    group = Group.objects.create(name="Externe Auswertung")
    group.permissions.add(*Permission.objects.filter(codename="only_assigned_surveys"))
    user = UserFactory(is_staff=True, permissions=ANALYST_PERMISSIONS)
    user.groups.add(group)
    assert list(surveys_for_staff(user)) == []


def test_superuser_is_never_limited(surveys):
    admin = UserFactory(is_staff=True, is_superuser=True)
    assert set(surveys_for_staff(admin)) == set(surveys)


def test_admin_survey_list_shows_only_assigned(
    limited_client, surveys, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        page = limited_client.get(reverse("admin:survey_survey_changelist")).content.decode()
    assert "Eigene Befragung" in page
    assert "Fremde Befragung" not in page


@pytest.mark.parametrize(
    "name",
    ["admin:survey_survey_change", "admin:survey_survey_history"],
)
def test_admin_change_page_of_another_survey_is_not_found(limited_client, surveys, name):
    response = limited_client.get(reverse(name, args=[surveys[1].pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "existiert nicht" in page
    assert "Fremde Befragung" not in page


def test_admin_own_survey_opens(limited_client, surveys):
    response = limited_client.get(reverse("admin:survey_survey_change", args=[surveys[0].pk]))
    assert response.status_code == 200


def test_admin_questions_and_filters_hide_other_surveys(limited_client, surveys):
    QuestionFactory(section__survey=surveys[0], text="Eigene Frage?")
    QuestionFactory(section__survey=surveys[1], text="Fremde Frage?")
    page = limited_client.get(reverse("admin:survey_question_changelist")).content.decode()
    assert "Eigene Frage?" in page
    assert "Fremde Frage?" not in page
    # The "survey" filter offers only the own survey.
    assert "Fremde Befragung" not in page


def test_admin_responses_and_bulk_delete_with_foreign_ids(limited_client, surveys):
    own = ResponseFactory(survey=surveys[0], channel=Channel.PAPER, sheet_number=1)
    foreign = ResponseFactory(survey=surveys[1], channel=Channel.PAPER, sheet_number=2)
    url = reverse("admin:survey_response_changelist")
    page = limited_client.get(url).content.decode()
    assert "Eigene Befragung" in page
    assert "Fremde Befragung" not in page
    response = limited_client.post(
        url,
        {"action": "delete_selected", "_selected_action": [own.pk, foreign.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Response.objects.filter(pk=own.pk).exists()
    assert Response.objects.filter(pk=foreign.pk).exists()
    response = limited_client.post(
        reverse("admin:survey_response_delete", args=[foreign.pk]), {"post": "yes"}, follow=True
    )
    assert "existiert nicht" in response.content.decode()
    assert Response.objects.filter(pk=foreign.pk).exists()


def test_admin_access_codes_of_another_survey_are_hidden(limited_client, surveys):
    AccessCodeFactory(survey=surveys[0])
    foreign = AccessCodeFactory(survey=surveys[1])
    page = limited_client.get(reverse("admin:survey_accesscode_changelist")).content.decode()
    assert "Fremde Befragung" not in page
    response = limited_client.get(
        reverse("admin:survey_accesscode_change", args=[foreign.pk]), follow=True
    )
    assert "existiert nicht" in response.content.decode()
    assert AccessCode.objects.count() == 2


@pytest.mark.parametrize(
    "name",
    [
        "survey:paper_entry",
        "survey:access_codes",
        "survey:access_codes_csv",
        "survey:access_code_letters",
        "survey:monitoring",
        "survey:export_csv",
        "survey:export_xlsx",
        "survey:export_codebook",
    ],
)
def test_staff_pages_of_another_survey_are_not_found(limited_client, surveys, name):
    QuestionFactory(section__survey=surveys[0])
    QuestionFactory(section__survey=surveys[1])
    assert limited_client.get(reverse(name, args=["fremde"])).status_code == 404
    assert limited_client.get(reverse(name, args=["eigene"])).status_code == 200


def test_results_preview_and_draft_preview_only_for_own(limited_client, surveys):
    own, other = surveys
    own.status = other.status = SurveyStatus.DRAFT
    own.save()
    other.save()
    assert limited_client.get(reverse("survey:detail", args=["eigene"])).status_code == 200
    assert limited_client.get(reverse("survey:detail", args=["fremde"])).status_code == 404
    own.status = other.status = SurveyStatus.CLOSED
    own.save()
    other.save()
    assert limited_client.get(reverse("survey:results", args=["fremde"])).status_code == 404
    assert limited_client.get(reverse("survey:results", args=["eigene"])).status_code == 200


def test_limited_analyst_cannot_assign_themselves(limited_client, limited, surveys):
    limited.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_surveyassignment", "view_surveyassignment"])
    )
    url = reverse("admin:survey_surveyassignment_add")
    response = limited_client.post(url, {"survey": surveys[1].pk, "user": limited.pk})
    assert response.status_code == 403
    assert not SurveyAssignment.objects.filter(survey=surveys[1]).exists()


def test_superuser_assigns_surveys(client, surveys, limited):
    client.force_login(UserFactory(username="chefin", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:survey_surveyassignment_add"), {"survey": surveys[1].pk, "user": limited.pk}
    )
    assert response.status_code == 302
    assert set(surveys_for_staff(limited)) == set(surveys)


def test_generate_codes_action_ignores_foreign_ids(limited_client, surveys):
    response = limited_client.post(
        reverse("admin:survey_survey_changelist"),
        {
            "action": "generate_access_codes",
            "_selected_action": [surveys[0].pk, surveys[1].pk],
            "apply": "1",
            "count": "2",
        },
        follow=True,
    )
    assert AccessCode.objects.filter(survey=surveys[0]).count() == 2
    assert not AccessCode.objects.filter(survey=surveys[1]).exists()
    # The message offers the letters for the codes just generated.
    page = response.content.decode()
    assert reverse("survey:access_code_letters", args=["eigene"]) in page
    assert "Fremde Befragung" not in page


def test_question_form_offers_only_own_surveys_pages(limited_client, surveys):
    from tests.factories import SectionFactory

    SectionFactory(survey=surveys[0], title="Eigene Seite")
    SectionFactory(survey=surveys[1], title="Fremde Seite")
    response = limited_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "survey", "model_name": "question", "field_name": "section", "term": "Seite"},
    )
    assert response.status_code == 200
    texts = [item["text"] for item in response.json()["results"]]
    assert any("Eigene Seite" in text for text in texts)
    assert not any("Fremde Seite" in text for text in texts)


def test_coding_offers_and_accepts_only_own_themes(client, surveys):
    from survey.models import Answer, AnswerTheme, Theme

    user = UserFactory(
        username="codiererin",
        is_staff=True,
        permissions=[
            "survey.view_freetextanswer",
            "survey.change_freetextanswer",
            "survey.only_assigned_surveys",
        ],
    )
    SurveyAssignment.objects.create(survey=surveys[0], user=user)
    own_question = QuestionFactory(section__survey=surveys[0], kind="long_text")
    other_question = QuestionFactory(section__survey=surveys[1], kind="long_text")
    Theme.objects.create(question=own_question, label="Eigenes Thema")
    foreign_theme = Theme.objects.create(question=other_question, label="Fremdes Thema")
    answer = Answer.objects.create(
        response=ResponseFactory(survey=surveys[0]), question=own_question, text="Radweg"
    )
    client.force_login(user)
    url = reverse("admin:survey_freetextanswer_changelist")
    page = client.get(url).content.decode()
    assert "Eigenes Thema" in page
    assert "Fremdes Thema" not in page
    client.post(
        url, {"action": "add_theme", "_selected_action": [answer.pk], "theme": foreign_theme.pk}
    )
    assert not AnswerTheme.objects.exists()


def test_condition_choices_offer_only_own_questions_and_options(limited_client, limited, surveys):
    from tests.factories import OptionFactory, SectionFactory

    limited.user_permissions.add(Permission.objects.get(codename="change_section"))

    own = OptionFactory(question__section__survey=surveys[0], label="Eigene Option")
    OptionFactory(question__section__survey=surveys[1], label="Fremde Option")
    # A page's condition may name the options of earlier pages: the page after the option's.
    later = SectionFactory(survey=surveys[0], position=own.question.section.position + 1)
    response = limited_client.get(reverse("admin:survey_section_change", args=[later.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["condition_options"].queryset) == [own]


def test_survey_for_staff_or_404(surveys, limited):
    from django.http import Http404

    from survey.permissions import survey_for_staff_or_404

    assert survey_for_staff_or_404(limited, pk=surveys[0].pk) == surveys[0]
    for lookup in [{"pk": surveys[1].pk}, {"pk": "abc"}, {"slug": "gibt-es-nicht"}]:
        with pytest.raises(Http404):
            survey_for_staff_or_404(limited, **lookup)


def test_copying_questions_stays_within_the_assigned_surveys(limited_client, limited, surveys):
    """“Aus anderer Befragung kopieren” must neither show nor take another survey's questions,
    and must not open for a survey that is not assigned."""
    own, other = surveys
    limited.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_question", "add_section"])
    )
    third = SurveyFactory(title="Dritte Befragung", slug="dritte")
    SurveyAssignment.objects.create(survey=third, user=limited)
    QuestionFactory(section__survey=third, code="D1", text="Erlaubte Frage")
    secret = QuestionFactory(section__survey=other, code="G1", text="Geheime Frage")
    target = QuestionFactory(section__survey=own).section

    url = reverse("admin:survey_survey_copy_into", args=[own.pk])
    page = limited_client.get(url).content.decode()
    assert "Erlaubte Frage" in page
    assert "Geheime Frage" not in page
    response = limited_client.post(url, {"source": f"q{secret.pk}", "section": target.pk})
    assert response.status_code == 200  # the form again, with an error
    assert not own.questions.filter(text="Geheime Frage").exists()

    into_other = reverse("admin:survey_survey_copy_into", args=[other.pk])
    assert limited_client.get(into_other).status_code == 404


def test_the_staff_start_page_keeps_to_the_assigned_surveys(limited_client, surveys, admin_user):
    """The start page's panels must not name another survey, neither as open survey nor in
    "recent changes" (where another analyst's edit of its question would show its text)."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    other_question = QuestionFactory(section__survey=surveys[1], text="Geheime Fragestellung")
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(other_question),
        object_id=str(other_question.pk),
        object_repr=str(other_question),
        action_flag=CHANGE,
    )
    page = limited_client.get(reverse("admin:index")).content.decode()
    assert "Eigene Befragung" in page
    assert "Fremde Befragung" not in page
    assert "Geheime Fragestellung" not in page
