"""Who can do what in the admin: every registered model × every role × every admin view.

Data-driven. When an app registers a new admin model, test_every_admin_model_is_in_the_matrix
fails until the model is added to ADMIN_MODELS (and, if the migrations do not create one, a
sample object to SAMPLES). A new role is one entry in ROLES; an exception to the rule
"status follows the role's permissions" is one entry in EXCEPTIONS.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    "portal.municipality",
    "portal.topic",
    "portal.page",
    "auth.group",
    "auth.user",
    "sites.site",
    "redirects.redirect",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "portal.newsarticle",
    "portal.idea",
    "events.event",
    "events.registration",
    "survey.survey",
    "survey.section",
    "survey.question",
    "survey.response",
    "survey.accesscode",
    "survey.resultspublication",
    "survey.textquestion",
    "survey.freetextanswer",
    "survey.quote",
    "auditlog.logentry",
]

# One object per model for the change and delete views; models the data migrations fill
# (municipalities, topics, pages, the site) need no entry.
SAMPLES = {
    "auth.group": lambda: Group.objects.create(name="Testgruppe"),
    "auth.user": lambda: _user_model().objects.create_user("jemand"),
    "redirects.redirect": lambda: _redirect(),
    "axes.accessattempt": lambda: _axes("AccessAttempt", failures_since_start=1),
    "axes.accesslog": lambda: _axes("AccessLog"),
    "axes.accessfailurelog": lambda: _axes("AccessFailureLog"),
    "portal.newsarticle": lambda: _factory("NewsArticleFactory"),
    "portal.idea": lambda: _factory("IdeaFactory"),
    "events.event": lambda: _factory("EventFactory"),
    "events.registration": lambda: _factory("RegistrationFactory"),
    "survey.survey": lambda: _survey_sample().survey,
    "survey.section": lambda: _survey_sample().section,
    "survey.question": lambda: _survey_sample().question,
    "survey.response": lambda: _survey_sample().response,
    "survey.accesscode": lambda: _survey_sample().code,
    "survey.resultspublication": lambda: _survey_sample().publication,
    "survey.textquestion": lambda: _survey_sample().text_question,
    "survey.freetextanswer": lambda: _survey_sample().text_answer,
    "survey.quote": lambda: _survey_sample().quote,
    "auditlog.logentry": lambda: _log_entry(),
}


@dataclass(frozen=True)
class Role:
    """Who makes the request: anonymous, or a user with these permissions or groups."""

    anonymous: bool = False
    staff: bool = True
    superuser: bool = False
    permissions: tuple = ()  # "app_label.codename"
    groups: tuple = ()  # names of groups the migrations create, e.g. "Redaktion"
    extra: dict = field(default_factory=dict)


ROLES = {
    "anonymous": Role(anonymous=True),
    "citizen (logged in, not staff)": Role(staff=False, permissions=("portal.change_page",)),
    "staff without permissions": Role(),
    "page editor": Role(
        permissions=("portal.view_page", "portal.add_page", "portal.change_page"),
    ),
    "viewer of municipalities": Role(permissions=("portal.view_municipality",)),
    "superuser": Role(superuser=True),
    "Redaktion": Role(groups=("Redaktion",)),
    "Auswertung": Role(groups=("Auswertung",)),
    # The editor limited to one municipality is object-level: tests/portal/test_admin.py.
}

ACTIONS = ["changelist", "add", "change", "delete"]

# (role, model, action) -> status where the admin deliberately differs from the permissions.
EXCEPTIONS = {
    # axes records are written by axes only; nobody adds or changes them by hand.
    **{("superuser", f"axes.{m}", "add"): 403 for m in ("accesslog", "accessfailurelog")},
    ("superuser", "axes.accessattempt", "add"): 403,
    # Written only through their own paths, never added by hand in the admin: ideas and
    # registrations come from the public forms, responses from the questionnaire or paper
    # entry, access codes from the "generate" action, quotes are drafted from an answer,
    # free-text answers and text questions are views of the questionnaire's rows.
    **{
        (role, model, "add"): 403
        for role, models in {
            "superuser": [
                "portal.idea",
                "events.registration",
                "survey.response",
                "survey.accesscode",
                "survey.quote",
                "survey.freetextanswer",
                "survey.textquestion",
            ],
            "Redaktion": ["portal.idea", "events.registration"],
            "Auswertung": ["survey.quote", "survey.freetextanswer", "survey.textquestion"],
        }.items()
        for model in models
    },
    # The log of all staff actions: read-only, for administrators only (the rule already
    # gives 403 to everyone else, who has no permission on it).
    ("superuser", "auditlog.logentry", "add"): 403,
    ("superuser", "auditlog.logentry", "delete"): 403,
    # The sample survey has a response, so its questionnaire is frozen (no deletions), and
    # coding never deletes answers or questions.
    **{
        (role, f"survey.{model}", "delete"): 403
        for role in ("superuser", "Auswertung")
        for model in ("section", "question", "textquestion", "freetextanswer")
    },
}


def _factory(name):
    from tests import factories

    return getattr(factories, name)()


def _survey_sample():
    """One small survey with everything the survey admin pages show."""
    from types import SimpleNamespace

    from survey.models import (
        AccessCode,
        Answer,
        Quote,
        ResultsPublication,
        TextQuestion,
    )
    from tests import factories

    question = factories.QuestionFactory()
    text_question = factories.QuestionFactory(section=question.section, kind="long_text", code="T1")
    response = factories.ResponseFactory(survey=question.survey)
    answer = Answer.objects.create(response=response, question=text_question, text="Mehr Radwege")
    return SimpleNamespace(
        survey=question.survey,
        section=question.section,
        question=question,
        response=response,
        code=AccessCode.objects.create(survey=question.survey, code="ABCD2345"),
        publication=ResultsPublication.objects.get_or_create(survey=question.survey)[0],
        text_question=TextQuestion.objects.get(pk=text_question.pk),
        text_answer=answer,
        quote=Quote.objects.create(answer=answer, question=text_question, text="Mehr Radwege"),
    )


def _log_entry():
    from auditlog.models import LogEntry

    from tests import factories

    return LogEntry.objects.get_for_object(factories.PageFactory()).get()


def _user_model():
    from django.contrib.auth import get_user_model

    return get_user_model()


def _redirect():
    from django.contrib.redirects.models import Redirect

    return Redirect.objects.create(site_id=1, old_path="/alt/", new_path="/neu/")


def _axes(name, **fields):
    from django.apps import apps

    model = apps.get_model("axes", name)
    return model.objects.create(
        username="jemand", ip_address="192.0.2.1", user_agent="-", path_info="/", **fields
    )


def expected_status(role_name: str, model: str, action: str) -> int:
    if (role_name, model, action) in EXCEPTIONS:
        return EXCEPTIONS[(role_name, model, action)]
    role = ROLES[role_name]
    if role.anonymous or not role.staff:
        return 302  # to the login page
    if role.superuser:
        return 200
    app_label, model_name = model.split(".")
    perms = set(role.permissions)
    for group in role.groups:
        perms |= {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=group).permissions.select_related("content_type")
        }

    def has(codename):
        return f"{app_label}.{codename}_{model_name}" in perms

    allowed = {
        "changelist": has("view") or has("change"),
        "add": has("add"),
        "change": has("view") or has("change"),
        "delete": has("delete"),
    }[action]
    return 200 if allowed else 403


def make_user(django_user_model, role: Role):
    user = django_user_model.objects.create_user(
        "rolle", is_staff=role.staff, is_superuser=role.superuser
    )
    for perm in role.permissions:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for group in role.groups:
        user.groups.add(Group.objects.get(name=group))
    return user


def admin_url(model: str, action: str, obj) -> str:
    app_label, model_name = model.split(".")
    name = f"admin:{app_label}_{model_name}_{action}"
    return reverse(name, args=[obj.pk]) if action in ("change", "delete") else reverse(name)


def test_every_admin_model_is_in_the_matrix():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


@pytest.mark.parametrize("role_name", list(ROLES))
@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_permission_matrix(client, django_user_model, role_name, model):
    from django.apps import apps

    role = ROLES[role_name]
    if not role.anonymous:
        client.force_login(make_user(django_user_model, role))
    obj = (SAMPLES[model] if model in SAMPLES else apps.get_model(model).objects.first)()
    assert obj is not None, f"add a sample object for {model} to SAMPLES"

    for action in ACTIONS:
        url = admin_url(model, action, obj)
        response = client.get(url)
        expected = expected_status(role_name, model, action)
        assert response.status_code == expected, f"{role_name}: {action} {model} {url}"
        if expected == 302:
            assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize(
    ("role_name", "status"),
    [
        ("anonymous", 302),
        ("citizen (logged in, not staff)", 302),
        ("staff without permissions", 200),
        ("superuser", 200),
    ],
)
def test_admin_index_by_role(client, django_user_model, role_name, status):
    role = ROLES[role_name]
    if not role.anonymous:
        client.force_login(make_user(django_user_model, role))
    assert client.get("/admin/").status_code == status


def test_staff_without_permissions_sees_a_german_403_page(client, django_user_model):
    client.force_login(make_user(django_user_model, ROLES["staff without permissions"]))
    response = client.get("/admin/portal/page/")
    assert response.status_code == 403
    assert "<title>Zugriff verweigert – Oschatzer Land – Collmregion</title>" in (
        response.content.decode()
    )
