"""The theme picker of the coding list offers only the themes of the question shown."""

import pytest
from django.urls import reverse

from survey.models import AnswerTheme, QuestionKind, Theme
from tests.factories import QuestionFactory
from tests.survey_results.conftest import counted  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chef", password="x"))
    return client


def test_theme_picker_lists_the_themes_of_the_filtered_question(admin, counted):  # noqa: F811
    t1, _t2 = counted.themes
    other = QuestionFactory(kind=QuestionKind.LONG_TEXT, code="X9")
    foreign = Theme.objects.create(question=other, label="Fremdthema", position=1)
    url = reverse("admin:survey_freetextanswer_changelist")

    filtered = admin.get(url, {"question__id__exact": t1.question_id})
    field = filtered.context["action_form"].fields["theme"]
    assert set(field.queryset) == set(counted.themes)
    assert "Fremdthema" not in filtered.content.decode()
    assert f"{t1.question.code} · Verkehr" in filtered.content.decode()
    # Unfiltered, every theme is named with its question.
    page = admin.get(url).content.decode()
    assert "X9 · Fremdthema" in page
    # A tampered filter value is no 500.
    assert admin.get(url, {"question__id__exact": "1\x00"}).status_code in {200, 302, 400}

    # Posting another question's theme leaves the answers alone, with a German warning.
    answer = counted.texts[2]
    response = admin.post(
        url + f"?question__id__exact={t1.question_id}",
        {"action": "add_theme", "theme": foreign.pk, "_selected_action": [answer.pk]},
        follow=True,
    )
    assert not AnswerTheme.objects.filter(theme=foreign).exists()
    assert "gehört zu X9" in response.content.decode()
