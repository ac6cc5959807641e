"""Sealed boxes for answers that wait in the database: the questionnaire state in the
session and the responses in the mixing pool (``survey.models.PooledResponse``).

Whoever holds the database, a backup or its raw pages (dead row versions included) sees only
ciphertext: the key is derived from the secret key, which lives in the app servers'
environment, never in the database. AES-GCM with a random nonce; no timestamp inside (unlike
Fernet tokens, which carry the time of encryption in clear). The plaintext is padded to ``size``
(at least 4 KiB; beyond it to powers of two); callers pass the most a box of theirs can hold
(``survey.selectors.sealed_box_size``), so every box of one survey has the same length, long
free texts or not: a length that stood out would pair a pool row (written just after its
code was spent) or a session with the response whose texts are long.
"""

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MIN_PADDED = 4096
NONCE_BYTES = 12


class Unsealable(Exception):
    """Wrong key (e.g. the secret key was changed without keeping the old one) or tampered."""


def _keys(purpose: str) -> list[bytes]:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=f"survey.{purpose}".encode()
        ).derive(secret.encode())
        for secret in secrets
    ]


def _pad(data: bytes, floor: int) -> bytes:
    size = max(MIN_PADDED, floor)
    while size < len(data) + 1:
        size *= 2  # more than the caller thought possible: still only a size class
    # 0x80 then zeros (ISO/IEC 7816-4), so the end is found unambiguously.
    return data + b"\x80" + b"\x00" * (size - len(data) - 1)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise Unsealable("bad padding")
    return end[:-1]


def seal(value, *, purpose: str, size: int = MIN_PADDED) -> bytes:
    """JSON-serialisable ``value`` → nonce + ciphertext (bytes), padded to at least ``size``."""
    nonce = os.urandom(NONCE_BYTES)
    # UTF-8 rather than \u escapes: at most six bytes per character (an escaped control
    # character), which ``sealed_box_size`` relies on.
    plain = _pad(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(), size)
    return nonce + AESGCM(_keys(purpose)[0]).encrypt(nonce, plain, purpose.encode())


def unseal(box: bytes, *, purpose: str):
    box = bytes(box)
    nonce, ciphertext = box[:NONCE_BYTES], box[NONCE_BYTES:]
    for key in _keys(purpose):
        try:
            plain = AESGCM(key).decrypt(nonce, ciphertext, purpose.encode())
        except InvalidTag:
            continue
        return json.loads(_unpad(plain))
    raise Unsealable("no key opens this box")
