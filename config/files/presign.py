"""Direct-to-storage uploads: the same client steps on S3 and local storage.

1. The server picks the key and calls ``presigned_upload`` for a URL.
2. The client ``PUT``s the bytes to that URL with the given headers.
3. The server confirms with ``stat_object`` and reads the bytes back to check them.

On S3 the URL is a presigned ``put_object``. On local storage it is a signed,
expiring URL of ``files:upload``, which accepts one PUT of at most
``max_bytes`` to exactly that key.
"""

import time

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse

from config.files.signing import is_remote_storage

SALT = "stagecraft.upload"


def presigned_upload(key: str, *, content_type: str, max_bytes: int, expires_in: int = 3600) -> dict:
    """Return ``{"upload_url", "method", "headers", "expires_in"}`` for one PUT to ``key``."""
    headers = {"Content-Type": content_type}
    if is_remote_storage():
        client = default_storage.connection.meta.client
        url = client.generate_presigned_url(
            "put_object",
            Params={"Bucket": settings.AWS_STORAGE_BUCKET_NAME, "Key": default_storage._normalize_name(key),
                    "ContentType": content_type},
            ExpiresIn=expires_in,
        )
    else:
        token = signing.dumps({"k": key, "t": content_type, "m": max_bytes, "e": int(time.time()) + expires_in},
                              salt=SALT, compress=True)
        url = settings.SITE_URL + reverse("files:upload", kwargs={"token": token})
    return {"upload_url": url, "method": "PUT", "headers": headers, "expires_in": expires_in}


def read_upload_token(token: str) -> dict:
    """Return the upload grant of a valid token, else raise ``signing.BadSignature``."""
    grant = signing.loads(token, salt=SALT)
    if grant["e"] < time.time():
        raise signing.BadSignature("expired")
    return grant


def stat_object(key: str) -> int | None:
    """Size in bytes of the stored object, or ``None`` if there is none."""
    if not default_storage.exists(key):
        return None
    return default_storage.size(key)
