"""Sealed boxes for answers that wait in the database: the questionnaire state in the
session and the responses in the mixing pool (``survey.models.PooledResponse``).

Whoever holds the database, a backup or its raw pages (dead row versions included) sees only
ciphertext: the key is derived from the secret key, which lives in the app servers'
environment, never in the database. AES-GCM with a random nonce; no timestamp inside (unlike
Fernet tokens, which carry the time of encryption in clear). The plaintext is padded to a
power of two of at least 4 KiB, so the length tells no more than the rough size class of the
free texts.
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


def _pad(data: bytes) -> bytes:
    size = MIN_PADDED
    while size < len(data) + 1:
        size *= 2
    # 0x80 then zeros (ISO/IEC 7816-4), so the end is found unambiguously.
    return data + b"\x80" + b"\x00" * (size - len(data) - 1)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise Unsealable("bad padding")
    return end[:-1]


def seal(value, *, purpose: str) -> bytes:
    """JSON-serialisable ``value`` → nonce + ciphertext (bytes)."""
    nonce = os.urandom(NONCE_BYTES)
    plain = _pad(json.dumps(value, separators=(",", ":")).encode())
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
