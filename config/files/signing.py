"""Time-limited URLs for private media, on S3 and on local storage alike.

On S3, django-storages presigns the URL. On local storage the URL points at
``files:media`` with a signed token naming the file and its expiry; the
view refuses tampered or expired tokens. Either way, a URL handed to a user
stops working after ``settings.MEDIA_URL_EXPIRES`` seconds.
"""

import time

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse

SALT = "stagecraft.media"


def is_remote_storage() -> bool:
    """True when media lives on S3 (django-storages) rather than local disk."""
    # default_storage is a lazy proxy: its __class__ is the wrapped storage's, type() is not.
    return "S3" in default_storage.__class__.__name__


def media_url(name: str, *, expires_in: int | None = None, download_name: str | None = None) -> str:
    """A URL for ``name`` in the default storage that expires."""
    expires_in = expires_in or settings.MEDIA_URL_EXPIRES
    if is_remote_storage():
        params = {"ResponseContentDisposition": f'attachment; filename="{download_name}"'} if download_name else None
        return default_storage.url(name, parameters=params, expire=expires_in)
    token = signing.dumps({"n": name, "e": int(time.time()) + expires_in, "d": download_name or ""},
                          salt=SALT, compress=True)
    return reverse("files:media", kwargs={"token": token})


def read_media_token(token: str) -> tuple[str, str]:
    """Return ``(name, download_name)`` of a valid token, else raise ``signing.BadSignature``."""
    payload = signing.loads(token, salt=SALT)
    if payload["e"] < time.time():
        raise signing.BadSignature("expired")
    return payload["n"], payload["d"]
