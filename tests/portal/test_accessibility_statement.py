"""The accessibility statement: what is tested, how to report barriers, and its update."""

import hashlib
from importlib import import_module

import pytest
from django.apps import apps

from portal.models import Page

pytestmark = pytest.mark.django_db

update = import_module("portal.migrations.0005_update_accessibility_statement")


def test_statement_says_what_is_tested_and_how_to_report_barriers(client):
    page = client.get("/barrierefreiheit/").content.decode()
    for text in [
        "axe-core",
        "WCAG 2.1",
        "jede Seite der Sitemap",
        "390 Pixeln",
        "1280 Pixeln",
        "werden leer abgeschickt",
        "ausschließlich mit der Tastatur",
        "keine Anfragen an fremde Server",
        'href="/kontakt/"',
        "Kontaktformular",
        "mailto:kooperation@oschatzerland.de",
        "innerhalb von sechs Wochen",
        "Durchsetzungsstelle",
    ]:
        assert text in page, text


def test_migration_updates_the_statement_while_it_is_the_seeded_text(monkeypatch):
    page = Page.objects.get(slug="barrierefreiheit")
    page.body = "<p>Alter Text</p>\n"
    page.save()
    monkeypatch.setattr(update, "SEEDED_SHA256", hashlib.sha256(b"<p>Alter Text</p>").hexdigest())

    update.update_statement(apps, None)

    page.refresh_from_db()
    assert page.body == update.STATEMENT.read_text(encoding="utf-8")


def test_migration_keeps_a_statement_edited_by_staff():
    page = Page.objects.get(slug="barrierefreiheit")
    page.body = "<p>Von der Redaktion überarbeitet.</p>"
    page.save()

    update.update_statement(apps, None)

    page.refresh_from_db()
    assert page.body == "<p>Von der Redaktion überarbeitet.</p>"


def test_migration_does_nothing_without_the_page():
    Page.objects.filter(slug="barrierefreiheit").delete()
    update.update_statement(apps, None)
    assert not Page.objects.filter(slug="barrierefreiheit").exists()
