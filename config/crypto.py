"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) from the ``cryptography`` package.

``FIELD_ENCRYPTION_KEYS`` lists Fernet keys, newest first: new values are
encrypted with the first, and any of them decrypts, so keys can be rotated by
prepending a new one (and re-saving rows). Without it, one key is derived from
``SECRET_KEY``; changing ``SECRET_KEY`` then makes stored secrets unreadable.
"""

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret no configured key can decrypt (keys changed or data corrupted)."""


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hashlib.sha256(b"stagecraft field encryption:" + secret_key.encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """Encrypt a string for storage."""
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt what ``encrypt`` stored; raises ``SecretUnreadable``."""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("A stored secret cannot be decrypted with the configured keys.") from None


def encrypt_json(value: dict) -> str:
    return encrypt(json.dumps(value, separators=(",", ":")))


def decrypt_json(token: str) -> dict:
    return json.loads(decrypt(token)) if token else {}
