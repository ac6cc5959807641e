"""The session engines of ``portal.sessions``: Django's database engines writing the row
uncompressed. Sessions written by Django's engines (before the switch) are still read,
signatures are still checked, and the row of a questionnaire in progress has the same
length whatever was answered."""

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore as DjangoCachedDbStore
from django.contrib.sessions.backends.db import SessionStore as DjangoDbStore
from django.contrib.sessions.models import Session
from django.test import Client

from portal.sessions.cached_db import SessionStore as CachedDbStore
from portal.sessions.db import SessionStore as DbStore

pytestmark = pytest.mark.django_db


def test_the_settings_use_the_uncompressed_engines(settings):
    assert settings.SESSION_ENGINE in {"portal.sessions.db", "portal.sessions.cached_db"}


@pytest.mark.parametrize(
    ("old", "new"), [(DjangoDbStore, DbStore), (DjangoCachedDbStore, CachedDbStore)]
)
def test_a_session_written_before_the_switch_is_read(old, new):
    before = old()
    before["survey_1"] = "x" * 5000  # compressible: Django wrote it compressed
    before.create()
    assert Session.objects.get(pk=before.session_key).session_data.startswith(".")

    after = new(before.session_key)

    assert after["survey_1"] == "x" * 5000


@pytest.mark.parametrize("store", [DbStore, CachedDbStore])
def test_a_session_is_written_uncompressed_and_read_back(store):
    session = store()
    session["survey_1"] = "x" * 5000
    session.create()
    row = Session.objects.get(pk=session.session_key).session_data

    assert not row.startswith(".")  # no zlib
    assert DbStore(session.session_key)["survey_1"] == "x" * 5000
    assert DjangoDbStore(session.session_key)["survey_1"] == "x" * 5000  # a rollback reads it


@pytest.mark.parametrize("store", [DbStore, CachedDbStore])
def test_a_tampered_row_gives_an_empty_session(store):
    session = store()
    session["survey_1"] = "answers"
    session.create()
    row = Session.objects.get(pk=session.session_key)
    _body, signature = row.session_data.split(":", 1)
    forged = DbStore().encode({"survey_1": "other answers"}).split(":", 1)[0]
    row.session_data = f"{forged}:{signature}"
    row.save()

    assert DbStore(session.session_key).load() == {}


def test_a_questionnaire_in_progress_has_the_same_row_length_whatever_the_answers(filler):
    """Someone reading the session table learns nothing from its length: a long free text
    and none give rows of one length (with compression they differed by a few bytes at
    random)."""
    lengths = set()
    for text in ["", "Ein sehr langer Freitext über den Bus. " * 20, "x", "ü" * 300]:
        visitor = Client()
        visitor.get(filler.url)
        visitor.post(filler.url, filler.page1())
        visitor.post(filler.url, filler.page2(**{filler.name("M6"): text}))
        key = visitor.cookies["sessionid"].value
        lengths.add(len(Session.objects.get(pk=key).session_data))

    assert len(lengths) == 1
