"""The staff admin: groups, editors limited to one municipality, actions, logging."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group

from portal.models import EditorProfile, Idea, IdeaStatus, NewsArticle, NewsStatus
from tests.factories import IdeaFactory, MunicipalityFactory, NewsArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return MunicipalityFactory(name="Ort A", slug="ort-a"), MunicipalityFactory(
        name="Ort B", slug="ort-b"
    )


@pytest.fixture
def editor(django_user_model, places):
    user = django_user_model.objects.create_user("redakteurin", is_staff=True)
    user.groups.add(Group.objects.get(name="Redaktion"))
    EditorProfile.objects.create(user=user, municipality=places[0])
    return user


def test_groups_exist_with_permissions():
    editors = Group.objects.get(name="Redaktion")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_newsarticle", "change_page", "change_idea", "change_redirect"} <= codenames
    assert Group.objects.filter(name="Auswertung").exists()


def test_editor_sees_only_articles_of_their_municipality(client, editor, places):
    own = NewsArticleFactory(title="Aus Ort A")
    own.municipalities.add(places[0])
    other = NewsArticleFactory(title="Aus Ort B")
    other.municipalities.add(places[1])
    client.force_login(editor)
    body = client.get("/admin/portal/newsarticle/").content.decode()
    assert "Aus Ort A" in body
    assert "Aus Ort B" not in body
    assert client.get(f"/admin/portal/newsarticle/{other.pk}/change/").status_code == 302


def test_editor_can_only_choose_and_save_their_municipality(client, editor, places):
    client.force_login(editor)
    form = client.get("/admin/portal/newsarticle/add/").content.decode()
    assert "Ort A" in form
    assert "Ort B" not in form
    response = client.post(
        "/admin/portal/newsarticle/add/",
        {
            "title": "Fremd",
            "slug": "fremd",
            "teaser": "Kurz.",
            "body": "<p>x</p>",
            "status": "draft",
            "published_at_0": "01.01.2025",
            "published_at_1": "10:00",
            "municipalities": [places[1].pk],
        },
    )
    assert response.status_code == 200  # refused: Ort B is no valid choice
    assert not NewsArticle.objects.filter(slug="fremd").exists()
    response = client.post(
        "/admin/portal/newsarticle/add/",
        {
            "title": "Eigen",
            "slug": "eigen",
            "teaser": "Kurz.",
            "body": "<p>x</p>",
            "status": "draft",
            "published_at_0": "01.01.2025",
            "published_at_1": "10:00",
            "municipalities": [places[0].pk],
        },
    )
    assert response.status_code == 302
    article = NewsArticle.objects.get(slug="eigen")
    assert list(article.municipalities.all()) == [places[0]]
    assert article.author == editor
    assert LogEntry.objects.filter(object_id=str(article.pk)).exists()


def test_unlimited_editor_sees_everything(client, django_user_model, places):
    user = django_user_model.objects.create_user("chef", is_staff=True)
    user.groups.add(Group.objects.get(name="Redaktion"))
    NewsArticleFactory(title="Irgendwo").municipalities.add(places[1])
    client.force_login(user)
    assert "Irgendwo" in client.get("/admin/portal/newsarticle/").content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("staff_without_group", 403), ("editor", 200), ("superuser", 200)],
)
def test_news_admin_permission_matrix(client, django_user_model, editor, who, status):
    users = {
        "staff_without_group": django_user_model.objects.create_user("s", is_staff=True),
        "editor": editor,
        "superuser": django_user_model.objects.create_superuser("root", password="x"),
    }
    if who in users:
        client.force_login(users[who])
    assert client.get("/admin/portal/newsarticle/").status_code == status


def test_bulk_publish_action_uses_services_and_logs(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="x")
    first, second = NewsArticleFactory(draft=True), NewsArticleFactory(draft=True)
    client.force_login(admin_user)
    client.post(
        "/admin/portal/newsarticle/",
        {"action": "publish", "_selected_action": [first.pk, second.pk]},
    )
    assert NewsArticle.objects.filter(status=NewsStatus.PUBLISHED).count() == 2
    assert LogEntry.objects.filter(object_id__in=[str(first.pk), str(second.pk)]).count() == 2
    client.post(
        "/admin/portal/newsarticle/",
        {"action": "unpublish", "_selected_action": [first.pk]},
    )
    assert NewsArticle.objects.get(pk=first.pk).status == NewsStatus.DRAFT


def test_idea_moderation_in_admin(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="x")
    idea = IdeaFactory()
    client.force_login(admin_user)
    client.post("/admin/portal/idea/", {"action": "approve", "_selected_action": [idea.pk]})
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.APPROVED
    assert idea.moderated_by == admin_user
    assert LogEntry.objects.filter(object_id=str(idea.pk)).exists()


def test_idea_reply_in_admin_mails_the_sender(client, django_user_model, mailoutbox):
    admin_user = django_user_model.objects.create_superuser("root", password="x")
    idea = IdeaFactory()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/portal/idea/{idea.pk}/change/",
        {
            "title": idea.title,
            "text": idea.text,
            "municipality": "",
            "topic": "",
            "status": "approved",
            "reply": "Wir kümmern uns.",
        },
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.reply == "Wir kümmern uns."
    assert idea.status == IdeaStatus.APPROVED
    assert mailoutbox[-1].to == ["anna@example.org"]


def test_article_change_form_allows_the_editor_import_map_by_hash(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    response = client.get("/admin/portal/newsarticle/add/")
    body = response.content.decode()
    assert '<script type="importmap"' in body
    assert "'sha256-" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_preview_link_and_view_on_site(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    draft = NewsArticleFactory(slug="entwurf", draft=True)
    body = client.get(f"/admin/portal/newsarticle/{draft.pk}/change/").content.decode()
    assert "/aktuelles/entwurf/?vorschau" in body


def test_ideas_cannot_be_added_in_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    assert client.get("/admin/portal/idea/add/").status_code == 403
    assert Idea.objects.count() == 0


def test_editor_sees_only_ideas_of_their_municipality(client, editor, places):
    IdeaFactory(title="Idee aus A", municipality=places[0])
    IdeaFactory(title="Idee aus B", municipality=places[1])
    client.force_login(editor)
    body = client.get("/admin/portal/idea/").content.decode()
    assert "Idee aus A" in body
    assert "Idee aus B" not in body
