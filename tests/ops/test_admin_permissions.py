"""Who can do what in the admin: every role × every registered admin model × view, add,
change, delete and export, plus the preview pages. The README ("Redaktion → Gruppen") shows
the same table; test_readme_shows_the_matrix keeps it true.

Every cell is observed through the real admin with the test client:

- v  the list and the object's change page open (200),
- a  the add page opens (for the whole model, not the object),
- c  the change page offers a form that can be saved,
- d  the delete page offers to delete the object (nothing protected, no permission lacking),
- x  an export of the object's personal data contains it (registrations, survey answers).

Models whose objects belong to a municipality have one row per kind of object (only
Oschatz, shared with all seven, only Dahlen, none), because the editor limited to Oschatz
must see the difference. When an app registers a new admin model,
test_every_admin_model_is_in_the_matrix fails until the model has a row.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from portal.models import EditorProfile, Municipality, Page

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "Redaktion", "Redaktion Oschatz", "Auswertung", "staff without group"]
ROLE_LABELS = {
    "superuser": "Superuser",
    "Redaktion": "Redaktion",
    "Redaktion Oschatz": "Redaktion, auf Oschatz beschränkt",
    "Auswertung": "Auswertung",
    "staff without group": "Mitarbeitende ohne Gruppe",
}


def make_user(django_user_model, role: str):
    user = django_user_model.objects.create_user(
        "rolle", is_staff=True, is_superuser=role == "superuser"
    )
    if role in ("Redaktion", "Redaktion Oschatz", "Auswertung"):
        user.groups.add(Group.objects.get(name=role.split()[0]))
    if role == "Redaktion Oschatz":
        EditorProfile.objects.create(user=user, municipality=_place("oschatz"))
    return user


# --- samples ------------------------------------------------------------------------------


def _labelset():
    from survey.models import LabelSet

    return LabelSet.objects.get(name="Altersgruppen")


def _place(slug):
    return Municipality.objects.get(slug=slug)


def _factory(factory_name, /, **kwargs):
    from tests import factories

    return getattr(factories, factory_name)(**kwargs)


def _article(*slugs):
    article = _factory("NewsArticleFactory")
    article.municipalities.set([_place(slug) for slug in slugs])
    return article


ALL_SEVEN = [
    "cavertitz",
    "dahlen",
    "liebschuetzberg",
    "muegeln",
    "naundorf",
    "oschatz",
    "wermsdorf",
]


def _event(slug):
    event = _factory(
        "EventFactory",
        municipality=_place(slug) if slug else None,
        takes_registrations=True,
        capacity=10,
    )
    _factory("RegistrationFactory", event=event, name="Gerda Geheim")
    return event


def _registration(slug):
    return _event(slug).registrations.get()


def _scan_batch():
    from survey.models import ScanBatch

    return ScanBatch.objects.create(survey=_factory("SurveyFactory"), file="scans/0/stapel.pdf")


def _survey_sample(channel="online"):
    """One small survey with everything the survey admin pages show."""
    from survey.models import AccessCode, Answer, Quote, ResultsPublication, TextQuestion
    from tests import factories

    question = factories.QuestionFactory()
    text_question = factories.QuestionFactory(section=question.section, kind="long_text", code="T1")
    response = factories.ResponseFactory(
        survey=question.survey, channel=channel, sheet_number=1 if channel == "paper" else None
    )
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


def _redirect():
    from django.contrib.redirects.models import Redirect

    return Redirect.objects.create(site_id=1, old_path="/alt/", new_path="/neu/")


def _axes(name, **fields):
    from django.apps import apps

    return apps.get_model("axes", name).objects.create(
        username="jemand", ip_address="192.0.2.1", user_agent="-", path_info="/", **fields
    )


def _log_entry():
    from auditlog.models import LogEntry

    return LogEntry.objects.get_for_object(_factory("PageFactory")).get()


def _first(label):
    from django.apps import apps

    return lambda: apps.get_model(label).objects.first()


# --- exports: does the export contain the object's personal data? -------------------------


def _csv_text(response) -> str:
    if response.status_code != 200 or "csv" not in response.get("Content-Type", ""):
        return ""
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def _export_event(client, event):
    response = client.post(
        "/admin/events/event/", {"action": "export_registrations", "_selected_action": [event.pk]}
    )
    return "Gerda Geheim" in _csv_text(response)


def _export_registration(client, registration):
    response = client.post(
        "/admin/events/registration/",
        {"action": "export_csv", "_selected_action": [registration.pk]},
    )
    return "Gerda Geheim" in _csv_text(response)


def _export_survey(client, survey):
    response = client.get(reverse("survey:export_csv", args=[survey.slug]))
    rows = list(csv.reader(io.StringIO(_csv_text(response))))
    return len(rows) > 1


def _export_access_codes(client, code):
    response = client.get(reverse("survey:access_codes_csv", args=[code.survey.slug]))
    from survey.services import format_access_code

    return format_access_code(code.code) in _csv_text(response)


def _survey_assignment():
    from survey.models import SurveyAssignment
    from tests import factories

    return SurveyAssignment.objects.create(
        survey=factories.SurveyFactory(), user=factories.UserFactory(is_staff=True)
    )


@dataclass(frozen=True)
class Row:
    model: str
    scope: str  # which object, in German for the README ("" for global models)
    sample: object  # () -> object
    expected: tuple[str, ...]  # one cell per role in ROLES order
    export: object = None  # (client, object) -> bool


NONE = ""
ROWS = [
    # Content of a municipality: the limited editor only within Oschatz; shared articles
    # stay shared (no delete, no status change: see tests/ops/test_limited_editor.py).
    Row(
        "portal.newsarticle",
        "nur Oschatz",
        lambda: _article("oschatz"),
        ("vacd", "vacd", "vacd", NONE, NONE),
    ),
    Row(
        "portal.newsarticle",
        "alle sieben Kommunen",
        lambda: _article(*ALL_SEVEN),
        ("vacd", "vacd", "vac", NONE, NONE),
    ),
    Row(
        "portal.newsarticle",
        "nur Dahlen",
        lambda: _article("dahlen"),
        ("vacd", "vacd", "a", NONE, NONE),
    ),
    Row(
        "portal.idea",
        "Oschatz",
        lambda: _factory("IdeaFactory", municipality=_place("oschatz")),
        ("vcd", "vcd", "vcd", NONE, NONE),
    ),
    Row(
        "portal.idea",
        "Dahlen",
        lambda: _factory("IdeaFactory", municipality=_place("dahlen")),
        ("vcd", "vcd", NONE, NONE, NONE),
    ),
    Row(
        "portal.idea",
        "ohne Kommune",
        lambda: _factory("IdeaFactory", municipality=None),
        ("vcd", "vcd", NONE, NONE, NONE),
    ),
    Row(
        "events.event",
        "Oschatz",
        lambda: _event("oschatz"),
        ("vacdx", "vacdx", "vacdx", NONE, NONE),
        _export_event,
    ),
    Row(
        "events.event",
        "Dahlen",
        lambda: _event("dahlen"),
        ("vacdx", "vacdx", "a", NONE, NONE),
        _export_event,
    ),
    Row(
        "events.event",
        "ohne Kommune, z. B. online",
        lambda: _event(None),
        ("vacdx", "vacdx", "a", NONE, NONE),
        _export_event,
    ),
    Row(
        "events.registration",
        "Termin in Oschatz",
        lambda: _registration("oschatz"),
        ("vcdx", "vcdx", "vcdx", NONE, NONE),
        _export_registration,
    ),
    Row(
        "events.registration",
        "Termin in Dahlen",
        lambda: _registration("dahlen"),
        ("vcdx", "vcdx", NONE, NONE, NONE),
        _export_registration,
    ),
    Row(
        "events.registration",
        "Termin ohne Kommune",
        lambda: _registration(None),
        ("vcdx", "vcdx", NONE, NONE, NONE),
        _export_registration,
    ),
    # The seven members are fixed; a limited editor keeps their own profile up to date.
    Row(
        "portal.municipality",
        "Oschatz",
        lambda: _place("oschatz"),
        ("vacd", "vc", "vc", NONE, NONE),
    ),
    Row(
        "portal.municipality",
        "Dahlen",
        lambda: _place("dahlen"),
        ("vacd", "vc", NONE, NONE, NONE),
    ),
    # Global content: the limited editor only reads.
    Row("portal.topic", "", _first("portal.topic"), ("vacd", "vacd", "v", NONE, NONE)),
    Row("portal.menuitem", "", _first("portal.menuitem"), ("vacd", "vacd", "v", NONE, NONE)),
    Row(
        "portal.page",
        "Impressum, Datenschutz, Barrierefreiheit",
        lambda: Page.objects.get(slug="impressum"),
        ("vacd", "vac", "v", NONE, NONE),
    ),
    Row(
        "portal.page",
        "andere Seiten",
        lambda: Page.objects.get(slug="kooperation"),
        ("vacd", "vacd", "v", NONE, NONE),
    ),
    # The media library is shared by all; a file that is used somewhere is never deleted.
    Row(
        "media.mediafile",
        "nicht verwendet",
        lambda: _factory("MediaFileFactory"),
        ("vacd", "vacd", "vacd", NONE, NONE),
    ),
    Row(
        "media.mediafile",
        "verwendet",
        lambda: _factory("NewsArticleFactory", image=_factory("MediaFileFactory")).image,
        ("vac", "vac", "vac", NONE, NONE),
    ),
    Row(
        "redirects.redirect",
        "Ziele auf anderen Websites nur Superuser",
        _redirect,
        ("vacd", "vacd", "v", NONE, NONE),
    ),
    Row("sites.site", "", _first("sites.site"), ("vacd", NONE, NONE, NONE, NONE)),
    Row(
        "auth.user",
        "mit Beschränkung auf eine Kommune",
        lambda: _factory("UserFactory"),
        ("vacd", NONE, NONE, NONE, NONE),
    ),
    Row(
        "auth.group",
        "",
        lambda: Group.objects.create(name="Testgruppe"),
        ("vacd", NONE, NONE, NONE, NONE),
    ),
    Row(
        "axes.accessattempt",
        "",
        lambda: _axes("AccessAttempt", failures_since_start=1),
        ("vcd", NONE, NONE, NONE, NONE),
    ),
    # Login logs are append-only: read, never tidied away in the admin (only by the cron job).
    Row("axes.accesslog", "", lambda: _axes("AccessLog"), ("v", NONE, NONE, NONE, NONE)),
    Row(
        "axes.accessfailurelog",
        "",
        lambda: _axes("AccessFailureLog"),
        ("v", NONE, NONE, NONE, NONE),
    ),
    # Surveys: the Auswertung. The sample survey has a response, so neither it (its
    # responses are protected) nor its questionnaire can be deleted or restructured; the
    # wording of its pages and questions can still be corrected (change).
    Row(
        "survey.survey",
        "mit Antworten",
        lambda: _survey_sample().survey,
        ("vacx", NONE, NONE, "vacx", NONE),
        _export_survey,
    ),
    Row(
        "survey.section",
        "Fragebogen mit Antworten",
        lambda: _survey_sample().section,
        ("vac", NONE, NONE, "vac", NONE),
    ),
    Row(
        "survey.question",
        "Fragebogen mit Antworten",
        lambda: _survey_sample().question,
        ("vac", NONE, NONE, "vac", NONE),
    ),
    # Answer lists new questions start from (agreement scale, municipalities …).
    Row(
        "survey.labelset",
        "",
        lambda: _labelset(),
        ("vacd", NONE, NONE, "vacd", NONE),
    ),
    # Analysts correct paper entries (delete, enter the sheet again); online responses are
    # anonymous and have no sheet: only superusers delete them (tests/survey/
    # test_response_deletion.py).
    Row(
        "survey.response",
        "online",
        lambda: _survey_sample().response,
        ("vd", NONE, NONE, "v", NONE),
    ),
    Row(
        "survey.response",
        "Papier",
        lambda: _survey_sample(channel="paper").response,
        ("vd", NONE, NONE, "vd", NONE),
    ),
    # Scanned stacks: who enters paper sheets uploads them; deleting a stack (and its scans)
    # is for who may delete responses. Nothing to change: a stack is only read.
    Row(
        "survey.scanbatch",
        "",
        lambda: _scan_batch(),
        ("vad", NONE, NONE, "vad", NONE),
    ),
    Row(
        "survey.accesscode",
        "",
        lambda: _survey_sample().code,
        ("vdx", NONE, NONE, "vx", NONE),
        _export_access_codes,
    ),
    # Per-survey permissions of limited analysts: administrators assign the surveys.
    Row(
        "survey.surveyassignment",
        "",
        _survey_assignment,
        ("vacd", NONE, NONE, NONE, NONE),
    ),
    Row(
        "survey.resultspublication",
        "",
        lambda: _survey_sample().publication,
        ("vacd", NONE, NONE, "vacd", NONE),
    ),
    Row(
        "survey.textquestion",
        "",
        lambda: _survey_sample().text_question,
        ("vc", NONE, NONE, "vc", NONE),
    ),
    Row(
        "survey.freetextanswer",
        "",
        lambda: _survey_sample().text_answer,
        ("vc", NONE, NONE, "vc", NONE),
    ),
    Row(
        "survey.quote",
        "",
        lambda: _survey_sample().quote,
        ("vcd", NONE, NONE, "vcd", NONE),
    ),
    # The log of all staff actions: read-only, for administrators only.
    Row("auditlog.logentry", "", _log_entry, ("v", NONE, NONE, NONE, NONE)),
]


def _row_id(row: Row) -> str:
    return f"{row.model}[{row.scope}]" if row.scope else row.model


def admin_url(model: str, action: str, obj=None) -> str:
    app_label, model_name = model.split(".")
    name = f"admin:{app_label}_{model_name}_{action}"
    return reverse(name, args=[obj.pk]) if action in ("change", "delete") else reverse(name)


def observe(client, row: Row) -> str:
    """The cell for the logged-in user, from what the admin actually offers."""
    obj = row.sample()
    assert obj is not None, f"{row.model}: the sample is missing"
    changelist = client.get(admin_url(row.model, "changelist"))
    change = client.get(admin_url(row.model, "change", obj))
    cell = ""
    if changelist.status_code == 200 and change.status_code == 200:
        cell += "v"
    if client.get(admin_url(row.model, "add")).status_code == 200:
        cell += "a"
    if change.status_code == 200 and change.context["has_change_permission"]:
        cell += "c"
    delete = client.get(admin_url(row.model, "delete", obj))
    if (
        delete.status_code == 200
        and not delete.context["perms_lacking"]
        and not delete.context["protected"]
    ):
        cell += "d"
    if row.export and row.export(client, obj):
        cell += "x"
    return cell


def test_every_admin_model_is_in_the_matrix():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == {row.model for row in ROWS}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_admin_permission_matrix(client, django_user_model, role, row):
    client.force_login(make_user(django_user_model, role))
    expected = row.expected[ROLES.index(role)]
    assert observe(client, row) == expected, f"{role}: {_row_id(row)}"


# --- preview pages ------------------------------------------------------------------------


def _draft_article(slug):
    article = _factory("NewsArticleFactory", slug=f"entwurf-{slug}", draft=True)
    article.municipalities.add(_place(slug))
    return article.get_absolute_url() + "?vorschau"


def _draft_survey():
    from survey.models import SurveyStatus

    survey = _factory("SurveyFactory", status=SurveyStatus.DRAFT)
    return reverse("survey:detail", args=[survey.slug])


def _results_preview():
    survey = _factory("SurveyFactory")  # open: results are not public yet
    return reverse("survey:results", args=[survey.slug])


@dataclass(frozen=True)
class Preview:
    label: str
    url: object  # () -> str
    expected: tuple[bool, ...]  # shown (200) per role in ROLES order; otherwise 404


PREVIEWS = [
    Preview(
        "Beitragsvorschau ?vorschau (Entwurf, Oschatz)",
        lambda: _draft_article("oschatz"),
        (True, True, True, False, False),
    ),
    Preview(
        "Beitragsvorschau ?vorschau (Entwurf, Dahlen)",
        lambda: _draft_article("dahlen"),
        (True, True, False, False, False),
    ),
    Preview("Befragung im Entwurf", _draft_survey, (True, False, False, True, False)),
    Preview(
        "Ergebnisvorschau (nicht veröffentlicht)",
        _results_preview,
        (True, False, False, True, False),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("preview", PREVIEWS, ids=lambda p: p.label)
def test_preview_matrix(client, django_user_model, role, preview):
    client.force_login(make_user(django_user_model, role))
    response = client.get(preview.url())
    shown = preview.expected[ROLES.index(role)]
    assert response.status_code == (200 if shown else 404), f"{role}: {preview.label}"


def test_anonymous_previews_are_not_found(client):
    for preview in PREVIEWS:
        assert client.get(preview.url()).status_code == 404, preview.label


# --- README ---------------------------------------------------------------------------------


def matrix_markdown() -> str:
    """The table in README.md, built from ROWS and PREVIEWS."""
    header = "| Admin-Modell (Objekt) | " + " | ".join(ROLE_LABELS[r] for r in ROLES) + " |"
    lines = [header, "|" + "---|" * (len(ROLES) + 1)]
    with translation.override("de"):
        for row in ROWS:
            from django.apps import apps

            name = str(apps.get_model(row.model)._meta.verbose_name_plural)
            label = f"{name} ({row.scope})" if row.scope else name
            cells = [" ".join(cell) or "–" for cell in row.expected]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for preview in PREVIEWS:
        cells = ["ja" if shown else "nein" for shown in preview.expected]
        lines.append(f"| {preview.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_readme_shows_the_matrix():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    # The table sits in a list item (indented); compare the lines without indentation.
    readme = "\n".join(line.strip() for line in readme.splitlines())
    assert matrix_markdown() in readme, "README: paste tests.ops.test_admin_permissions." + (
        "matrix_markdown()"
    )


# --- anonymous, non-staff -------------------------------------------------------------------


@pytest.mark.parametrize("logged_in", [False, True])
def test_every_admin_page_sends_strangers_to_the_login(client, django_user_model, logged_in):
    if logged_in:  # logged in, but not staff (e.g. with a permission given by mistake)
        client.force_login(django_user_model.objects.create_user("buerger"))
    for model in admin.site._registry:
        url = admin_url(model._meta.label_lower, "changelist")
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize(
    ("role", "status"),
    [("superuser", 200), ("staff without group", 200), ("Redaktion Oschatz", 200)],
)
def test_admin_index_by_role(client, django_user_model, role, status):
    client.force_login(make_user(django_user_model, role))
    assert client.get("/admin/").status_code == status


def test_staff_without_permissions_sees_a_german_403_page(client, django_user_model):
    client.force_login(make_user(django_user_model, "staff without group"))
    response = client.get("/admin/portal/page/")
    assert response.status_code == 403
    assert "<title>Zugriff verweigert – Oschatzer Land – Collmregion</title>" in (
        response.content.decode()
    )
