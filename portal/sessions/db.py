"""``django.contrib.sessions.backends.db`` writing rows uncompressed (see the package)."""

from django.contrib.sessions.backends import db

from portal.sessions import UncompressedEncoding


class SessionStore(UncompressedEncoding, db.SessionStore):
    pass
