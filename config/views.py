"""Error pages: JSON under /api/, HTML elsewhere, never internals."""

import re
import uuid

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from config.api import envelopes
from config.errors import ApplicationError, NotFound


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


# Routes take UUIDs, so an id that does not parse matches no route at all; these documents
# name their own code for a missing object, which such an id must get too (seeds 003, 004).
UNPARSED_IDS: tuple[tuple[re.Pattern, str, str], ...] = (
    (re.compile(r"^/api/floorplan/sessions/(?P<id>[^/]+)"), "SESSION_NOT_FOUND", "Session not found."),
    (re.compile(r"^/api/floorplan/sessions/[^/]+/rooms/(?P<id>[^/]+)"), "ROOM_NOT_FOUND", "Room not found."),
    (re.compile(r"^/api/v1/characters/(?P<id>[^/]+)"), "CHARACTER_NOT_FOUND", "Character not found."),
)


def _not_found_code(path: str) -> tuple[str, str]:
    """The document's code for the first id in ``path`` that is not a UUID, else the generic one."""
    for pattern, code, message in UNPARSED_IDS:
        match = pattern.match(path)
        if match and not _is_uuid(match["id"]):
            return code, message
    return "NOT_FOUND", "Not found."


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def not_found(request, exception=None):
    if _wants_json(request):
        code, message = _not_found_code(request.path)
        info = envelopes.ErrorInfo(code, message, 404, None, getattr(request, "request_id", ""))
        status, body = envelopes.for_path(request.path).render(info)
        return JsonResponse(body, status=status)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse({"detail": "An internal error occurred.",
                             "request_id": getattr(request, "request_id", "")}, status=500)
    return render(request, "errors/500.html", {"request_id": getattr(request, "request_id", "")}, status=500)


class ApplicationErrorMiddleware:
    """Render domain errors raised by page views: 404 page or the message with its status.

    API views never get here: DRF's exception handler answers them first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            return not_found(request, exception)
        if isinstance(exception, ApplicationError):
            return render(request, "errors/error.html", {"message": exception.message}, status=exception.status)
        return None


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG.

    Resolved per request, not at import: in production the static file's hashed
    name exists only after collectstatic.
    """
    return redirect(static("img/favicon.svg"), permanent=True)
