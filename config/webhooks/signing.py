"""Standard Webhooks signing (https://www.standardwebhooks.com/, "Signature scheme").

The secret is ``whsec_`` + base64 of 24 to 64 random key bytes; we make 32. A
message is signed as ``v1,`` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))
and sent with the ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature`` headers.

Signing is written here rather than taken from the ``standardwebhooks`` package:
it is an HMAC and a base64 call, and a runtime dependency for four lines would
pin the delivery path to a small package's releases. The tests verify what we
send with that package, an implementation written independently of this one.
"""

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
KEY_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret in its ``whsec_`` form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def key_of(secret: str) -> bytes:
    """The key bytes of a ``whsec_`` secret."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value of ``body`` sent as message ``msg_id`` at ``timestamp``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }
