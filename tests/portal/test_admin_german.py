"""The admin speaks German: every admin page a staff member can open, crawled per group,
shows no English user-interface words (Django's, axes', auditlog's or ours)."""

import contextlib
import re
from html import unescape

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

# Visible words and phrases of Django, axes, auditlog and the prose editor that would mean a
# missing translation. Whole words, case-sensitive (German nouns are capitalised, too, so
# only words that are not German).
ENGLISH = [
    "Save",
    "Delete",
    "Add",
    "Change",
    "History",
    "Filter",
    "Choose all",
    "Remove all",
    "Search",
    "Select",
    "Heading",
    "Bold",
    "Italic",
    "Insert link",
    "Yes",
    "No",
    "Unknown",
    "None",
    "Show all",
    "Actions",
    "Go",
    "Home",
    "Log out",
    "View site",
    "Welcome",
    "Documentation",
    "Password",
    "Today",
    "Now",
    "Date",
    "Time",
    "Clear",
    "Available",
    "Chosen",
    "Currently",
    "results",
    "selected",
    "Action",
    "Object",
    "User",
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
    "Access attempt",
    "Access failure",
    "Access log",
    "log entry",
    "Log entries",
    "Changes",
    "Timestamp",
    "Actor",
    "Resource",
    "created",
    "updated",
    "deleted",
    "the",
    "and",
    "of",
    "to",
    "is",
    "for",
    "this",
    "with",
]
PATTERN = re.compile(r"(?<![\w-])(" + "|".join(re.escape(word) for word in ENGLISH) + r")(?![\w-])")
SCRIPT = re.compile(r"<(script|style|svg|template)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
ATTRS = re.compile(r'\s(?:title|aria-label|placeholder|value|alt)="([^"]*)"')
TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    html = SCRIPT.sub(" ", html)
    attributes = " ".join(ATTRS.findall(html))
    # Values of <option>s and hidden inputs are data, not text: keep what is shown.
    html = re.sub(r'<input[^>]*type="hidden"[^>]*>', " ", html)
    text = TAG.sub(" ", html) + " " + attributes
    return unescape(text)


def findings(html: str) -> set[str]:
    return set(PATTERN.findall(visible_text(html)))


def admin_urls(user) -> list[str]:
    urls = ["/admin/", "/admin/password_change/"]
    for model, model_admin in list(admin.site._registry.items()):
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        request = type("R", (), {"user": user})()
        if not model_admin.has_view_or_change_permission(request):
            continue
        urls.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"{name}_add"))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"{name}_change", args=[obj.pk]))
            urls.append(reverse(f"{name}_history", args=[obj.pk]))
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
    return sorted(set(urls))


@pytest.fixture
def demo(demo_content_for_module, settings):
    """The demo content (seeded once for the module, tests/conftest.py; DEMO_MODE is off in
    the tests, so without the demo logins)."""
    assert not settings.DEMO_MODE


@pytest.mark.parametrize("group", ["Redaktion", "Auswertung", None])
def test_every_admin_page_speaks_german(client, make_staff, django_user_model, demo, group):
    if group is None:
        user = django_user_model.objects.create_superuser("chef")
    else:
        user = make_staff("mitarbeiterin", group=group)
    client.force_login(user)
    found = {}
    for url in admin_urls(user):
        response = client.get(url)
        assert response.status_code == 200, url
        words = findings(response.content.decode())
        if words:
            found[url] = sorted(words)
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in found.items())


def test_the_scan_finds_english():
    assert findings('<p>Choose all</p><a title="Save">x</a>') == {"Choose all", "Save"}
    assert findings("<script>var Save = 1;</script><p>Sichern</p>") == set()
