"""Django's database session engines (``SESSION_ENGINE``), writing the session row without
compressing it.

Django compresses every session it writes (zlib, before signing). What a session here holds
is mostly the sealed questionnaire state (``survey.participation``): ciphertext, padded to
the survey's largest questionnaire (about 50 KB for the mobility survey), which no
compression shrinks by more than its base64 overhead; compressing it took 1.6 ms of the
3 ms a page sent costs for the session (issue 18). Sessions are signed as before; rows
written compressed by Django's own engines are read as before (``signing.loads`` knows both
forms), so switching engines loses no session in progress.
"""

from django.core import signing


class UncompressedEncoding:
    """``SessionBase.encode`` without ``compress``; ``decode`` is Django's."""

    def encode(self, session_dict):
        return signing.dumps(
            session_dict, salt=self.key_salt, serializer=self.serializer, compress=False
        )
