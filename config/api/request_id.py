"""Give every request an id and echo it in ``X-Request-ID``."""

import re
import uuid

from django.http import HttpRequest, HttpResponse

# Accept a caller's id only if it is short and plain, so it is safe in logs.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id() -> str:
    return f"req_{uuid.uuid4().hex}"


class RequestIdMiddleware:
    """Reuse a valid incoming ``X-Request-ID`` or make one; answer with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _VALID_ID.match(incoming) else new_request_id()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
