"""Error pages: JSON under /api/, HTML elsewhere, never internals."""

from django.http import JsonResponse
from django.shortcuts import render

from config.api import envelopes
from config.errors import ApplicationError, NotFound


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def not_found(request, exception=None):
    if _wants_json(request):
        info = envelopes.ErrorInfo("NOT_FOUND", "Not found.", 404, None, getattr(request, "request_id", ""))
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
