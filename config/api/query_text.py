"""Refuse control characters in an API request's query string.

Bodies are checked by ``config.api.parsers``; this middleware does the same for
the query, which a body parser never sees. NUL in a filter value reaches
PostgreSQL, which refuses it with an error that would be a 500; the other
control characters are never part of an id, a search or a page number.

The answer is the view's own validation error, in the view's envelope, so a
caller sees the same shape as for any other bad parameter. Path arguments are
left to the views: an id that does not parse is the app's documented
not-found answer, and the views check ids before any query.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from rest_framework.exceptions import ParseError

from config import errors
from config.api import envelopes
from config.api.parsers import check_text


class QueryTextMiddleware:
    """Answer the view's validation error when the query string holds a control character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        try:
            for key, values in request.GET.lists():
                for value in (key, *values):
                    check_text(value, f"query parameter {key}")
        except ParseError as exc:
            return _refusal(request, view_func, str(exc.detail))
        return None


def _refusal(request: HttpRequest, view_func, message: str) -> HttpResponse:
    view_class = getattr(view_func, "cls", None)
    if view_class is None:  # a page, not an API view
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    envelope = getattr(view_class, "error_envelope", envelopes.DETAIL)
    error = errors.ValidationFailed(message)
    info = envelopes.ErrorInfo(error.code, error.message, error.status, error.details,
                               getattr(request, "request_id", ""))
    status, body = envelope.render(info)
    return JsonResponse(body, status=status)
