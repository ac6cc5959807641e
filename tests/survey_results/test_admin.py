"""The analysts' admin: publishing, coding free texts, quotes."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from survey.models import (
    Answer,
    AnswerTheme,
    QuestionKind,
    Quote,
    ResultsPublication,
    SurveyStatus,
)
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("chef", password="x")
    client.force_login(user)
    return client


def test_publish_action_publishes_and_logs(admin, counted):
    publication = ResultsPublication.objects.create(survey=counted.survey)

    response = admin.post(
        reverse("admin:survey_resultspublication_changelist"),
        {"action": "publish", "_selected_action": [publication.pk]},
        follow=True,
    )

    assert "sind jetzt öffentlich" in response.content.decode()
    counted.survey.refresh_from_db()
    assert counted.survey.status == SurveyStatus.PUBLISHED
    assert LogEntry.objects.filter(object_id=str(publication.pk)).exists()


def test_publication_form_offers_only_the_surveys_questions(admin, counted):
    publication = ResultsPublication.objects.create(survey=counted.survey)
    other = ResultsPublication.objects.create(
        survey=type(counted.survey).objects.create(
            title="Andere",
            slug="andere",
            opens_at=counted.survey.opens_at,
            closes_at=counted.survey.closes_at,
        )
    )

    response = admin.get(reverse("admin:survey_resultspublication_change", args=[publication.pk]))
    field = response.context["adminform"].form.fields["hidden_questions"]

    assert set(field.queryset) == set(counted.survey.questions.all())
    assert other.pk != publication.pk
    assert "Ergebnisse (Vorschau)" in response.content.decode()


def test_uncoded_filter_and_bulk_coding_action(admin, counted):
    url = reverse("admin:survey_freetextanswer_changelist")
    _t1, t2 = counted.themes
    uncoded = counted.texts[2]

    listing = admin.get(url, {"coded": "no"})
    assert list(listing.context["cl"].result_list) == [uncoded]
    assert "GEHEIM-FREITEXT-GAMMA" in listing.content.decode()

    response = admin.post(
        url,
        {"action": "add_theme", "theme": t2.pk, "_selected_action": [uncoded.pk]},
        follow=True,
    )

    assert "1 Antwort als „Kultur“ codiert." in response.content.decode()
    assert AnswerTheme.objects.filter(answer=uncoded, theme=t2).exists()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_coding_the_uncoded_list_tells_no_tale_of_other_questions(admin, counted):
    """The usual way: filter "not coded yet", select all on the page, give a theme. The
    coded answers then drop out of the filtered list, which must not be taken for answers
    that were left alone."""
    _t1, t2 = counted.themes
    uncoded = counted.texts[2]
    url = reverse("admin:survey_freetextanswer_changelist") + "?coded=no"

    response = admin.post(
        url, {"action": "add_theme", "theme": t2.pk, "_selected_action": [uncoded.pk]}, follow=True
    )

    assert messages_of(response) == ["1 Antwort als „Kultur“ codiert."]
    assert AnswerTheme.objects.filter(answer=uncoded, theme=t2).exists()


def test_coding_action_counts_what_it_did_and_what_it_left(admin, counted):
    t1, _t2 = counted.themes
    other_question = QuestionFactory(
        section=counted.f6.section, code="F9", kind=QuestionKind.SHORT_TEXT
    )
    foreign = Answer.objects.create(
        response=counted.texts[0].response, question=other_question, text="Anderes"
    )
    selected = [*(answer.pk for answer in counted.texts), foreign.pk]  # T1 on two already

    response = admin.post(
        reverse("admin:survey_freetextanswer_changelist"),
        {"action": "add_theme", "theme": t1.pk, "_selected_action": selected},
        follow=True,
    )

    assert messages_of(response) == [
        "1 Antwort als „Verkehr“ codiert.",
        "2 Antworten hatten dieses Thema schon.",
        "1 ausgewählte Antwort gehört zu einer anderen Frage und blieb unverändert "
        "(das Thema „Verkehr“ gehört zu F6).",
    ]
    assert not AnswerTheme.objects.filter(answer=foreign).exists()


def test_removing_a_theme_says_from_how_many_answers(admin, counted):
    t1, _t2 = counted.themes
    selected = [answer.pk for answer in counted.texts]  # T1 on two of the three

    response = admin.post(
        reverse("admin:survey_freetextanswer_changelist") + "?coded=yes",
        {"action": "remove_theme", "theme": t1.pk, "_selected_action": selected},
        follow=True,
    )

    assert messages_of(response) == ["Thema „Verkehr“ bei 2 Antworten entfernt."]
    assert not AnswerTheme.objects.filter(theme=t1).exists()


def test_removing_a_theme_counts_only_the_answers_that_had_it(admin, counted):
    """A careless selection: all three texts (one never had the theme) and an answer to
    another question. The message counts what was removed, not what was selected."""
    t1, _t2 = counted.themes
    other_question = QuestionFactory(
        section=counted.f6.section, code="F9", kind=QuestionKind.SHORT_TEXT
    )
    foreign = Answer.objects.create(
        response=counted.texts[0].response, question=other_question, text="Anderes"
    )
    selected = [*(answer.pk for answer in counted.texts), foreign.pk]

    response = admin.post(
        reverse("admin:survey_freetextanswer_changelist"),
        {"action": "remove_theme", "theme": t1.pk, "_selected_action": selected},
        follow=True,
    )

    assert messages_of(response) == [
        "Thema „Verkehr“ bei 2 Antworten entfernt.",
        "1 ausgewählte Antwort gehört zu einer anderen Frage und blieb unverändert "
        "(das Thema „Verkehr“ gehört zu F6).",
    ]
    assert not AnswerTheme.objects.filter(theme=t1).exists()


def test_bulk_action_without_theme_warns(admin, counted):
    response = admin.post(
        reverse("admin:survey_freetextanswer_changelist"),
        {"action": "add_theme", "theme": "", "_selected_action": [counted.texts[0].pk]},
        follow=True,
    )
    assert "Bitte zuerst ein Thema wählen." in response.content.decode()


def test_coding_one_answer_with_checkboxes(admin, counted):
    t1, t2 = counted.themes
    answer = counted.texts[2]
    url = reverse("admin:survey_freetextanswer_change", args=[answer.pk])

    page = admin.get(url)
    assert set(page.context["adminform"].form.fields["themes"].queryset) == {t1, t2}

    admin.post(url, {"themes": [t1.pk, t2.pk]})

    assert set(answer.codings.values_list("theme", flat=True)) == {t1.pk, t2.pk}
    answer.refresh_from_db()
    assert answer.text == "GEHEIM-FREITEXT-GAMMA"


def test_quotes_are_drafted_from_answers_and_released(admin, counted):
    admin.post(
        reverse("admin:survey_freetextanswer_changelist"),
        {"action": "make_quotes", "_selected_action": [counted.texts[1].pk]},
    )
    quote = Quote.objects.get()
    assert not quote.is_released

    admin.post(
        reverse("admin:survey_quote_changelist"),
        {"action": "release", "_selected_action": [quote.pk]},
    )

    quote.refresh_from_db()
    assert quote.is_released


def test_text_question_page_lists_themes_and_uncoded_count(admin, counted):
    listing = admin.get(reverse("admin:survey_textquestion_changelist"))
    row = next(q for q in listing.context["cl"].result_list if q.pk == counted.f6.pk)
    assert (row.answer_total, row.uncoded) == (3, 1)

    page = admin.get(reverse("admin:survey_textquestion_change", args=[counted.f6.pk]))
    assert "Verkehr" in page.content.decode()


def test_admin_pages_of_the_analysts_render(admin, counted):
    quote = Quote.objects.create(question=counted.f6, answer=counted.texts[0], text="Gekürzt")
    for url in [
        reverse("admin:survey_resultspublication_add"),
        reverse("admin:survey_resultspublication_changelist"),
        reverse("admin:survey_quote_changelist"),
        reverse("admin:survey_quote_change", args=[quote.pk]),
        reverse("admin:survey_freetextanswer_changelist") + "?coded=yes",
        reverse("admin:survey_textquestion_changelist"),
    ]:
        assert admin.get(url).status_code == 200, url


def test_results_publication_and_coding_leave_a_trace_but_no_answer_history(admin, counted):
    """Publishing results is logged with old and new status; coding answers is logged as an
    action with its count only: no entry names, numbers or quotes a single answer."""
    from auditlog.models import LogEntry as AuditEntry
    from django.contrib.contenttypes.models import ContentType

    publication = ResultsPublication.objects.create(survey=counted.survey)
    admin.post(
        reverse("admin:survey_resultspublication_changelist"),
        {"action": "publish", "_selected_action": [publication.pk]},
    )
    answers = counted.texts[:2]
    admin.post(
        reverse("admin:survey_freetextanswer_changelist"),
        {
            "action": "add_theme",
            "theme": counted.themes[0].pk,
            "_selected_action": [answer.pk for answer in answers],
        },
    )

    status = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(counted.survey)),
        object_id=counted.survey.pk,
        changes__has_key="status",
    ).latest("pk")
    assert status.changes["status"][1] == SurveyStatus.PUBLISHED
    assert status.actor.username == "chef"
    coding = AuditEntry.objects.get(additional_data__action="add_theme")
    assert coding.additional_data["count"] == 2
    assert coding.additional_data["objects"] == []
    assert coding.object_pk == ""
    raw = ContentType.objects.filter(
        app_label="survey", model__in=["response", "answer", "freetextanswer", "answertheme"]
    )
    assert not AuditEntry.objects.filter(content_type__in=raw).exclude(pk=coding.pk).exists()
    for answer in answers:
        assert answer.text not in str(list(AuditEntry.objects.values_list()))
