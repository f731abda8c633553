"""The five error envelopes the seed documents use.

A view names its envelope (``error_envelope = envelopes.STAGING``); the shared
exception handler builds an ``ErrorInfo`` and the envelope turns it into the
body its document specifies, translating the platform's generic codes into
the app's own (for example ``RATE_LIMITED`` becomes ``RATE_LIMIT_ERROR`` for
designs).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from config.timestamps import now_iso8601


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    message: str
    status: int
    details: Any = None
    request_id: str = ""


@dataclass(frozen=True)
class Envelope:
    name: str
    body: Callable[[ErrorInfo], dict]
    codes: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)

    def render(self, info: ErrorInfo) -> tuple[int, dict]:
        """Return the HTTP status and body for ``info`` in this envelope."""
        status = self.statuses.get(info.code, info.status)
        code = self.codes.get(info.code, info.code)
        translated = ErrorInfo(code, info.message, status, info.details, info.request_id)
        return status, self.body(translated)


# catalog and platform auth: {"detail": "..."}; validation is 422 (FastAPI style).
DETAIL = Envelope(
    "detail",
    lambda e: {"detail": e.message},
    statuses={"VALIDATION_ERROR": 422, "MALFORMED_REQUEST": 400, "USAGE_LIMIT_EXCEEDED": 403},
)

STAGING = Envelope(
    "staging",
    lambda e: {"error": {"code": e.code, "message": e.message, "details": e.details, "request_id": e.request_id}},
    codes={"UNAUTHORIZED": "INVALID_API_KEY", "RATE_LIMITED": "RATE_LIMIT_EXCEEDED",
           "MALFORMED_REQUEST": "VALIDATION_ERROR", "REQUEST_TOO_LARGE": "VALIDATION_ERROR"},
)

DESIGNS = Envelope(
    "designs",
    lambda e: {"detail": e.message, "error_code": e.code, "timestamp": now_iso8601()},
    codes={"UNAUTHORIZED": "AUTHENTICATION_ERROR", "RATE_LIMITED": "RATE_LIMIT_ERROR",
           "USAGE_LIMIT_EXCEEDED": "RATE_LIMIT_ERROR", "MALFORMED_REQUEST": "VALIDATION_ERROR",
           "REQUEST_TOO_LARGE": "VALIDATION_ERROR"},
)

PERSONAS = Envelope(
    "personas",
    lambda e: {"success": False, "error": {"code": e.code, "message": e.message, "details": e.details},
               "timestamp": now_iso8601()},
    codes={"RATE_LIMITED": "RATE_LIMIT_EXCEEDED", "MALFORMED_REQUEST": "VALIDATION_ERROR",
           "REQUEST_TOO_LARGE": "VALIDATION_ERROR"},
    # Seed 003 lists no 502: a storage failure is its STORAGE_ERROR with the 500 it documents.
    statuses={"STORAGE_ERROR": 500},
)

FLOORPLANS = Envelope(
    "floorplans",
    lambda e: {"error": {"code": e.code, "message": e.message, "details": e.details}},
    codes={"MALFORMED_REQUEST": "VALIDATION_ERROR", "REQUEST_TOO_LARGE": "VALIDATION_ERROR"},
)

# The envelope of an /api/ URL no view matched (an id that fails its path converter, say), so
# Django's 404 handler answers in the app's own shape: the path prefixes of the seed documents.
PATH_PREFIXES: tuple[tuple[str, Envelope], ...] = (
    ("/api/floorplan/", FLOORPLANS),
    ("/api/stage", STAGING), ("/api/styles", STAGING), ("/api/account", STAGING), ("/api/health", STAGING),
    ("/api/v1/generate", DESIGNS),
    *((f"/api/v1/{section}", PERSONAS) for section in (
        "characters", "content", "platforms", "posts", "scheduled-posts", "automation-rules", "engagement",
        "analytics", "system", "settings", "ws/")),
)


def for_path(path: str) -> Envelope:
    """The envelope of the API ``path`` belongs to; ``DETAIL`` (catalog and platform) by default."""
    return next((envelope for prefix, envelope in PATH_PREFIXES if path.startswith(prefix)), DETAIL)
