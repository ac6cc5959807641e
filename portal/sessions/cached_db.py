"""``django.contrib.sessions.backends.cached_db`` writing rows uncompressed (see the
package). The cache keys are Django's, so sessions in the cache stay valid."""

from django.contrib.sessions.backends import cached_db

from portal.sessions import UncompressedEncoding


class SessionStore(UncompressedEncoding, cached_db.SessionStore):
    pass
