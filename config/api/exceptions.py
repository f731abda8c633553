"""One exception handler for every API view.

Domain errors (``config.errors.ApplicationError``) and DRF's own exceptions
become an ``ErrorInfo`` and are rendered in the view's envelope. Anything else
is logged with the request id and answered with a 500 that reveals nothing.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response

from config import errors
from config.api import envelopes
from config.api.request_id import new_request_id

logger = logging.getLogger("stagecraft.api")


def _flatten(detail) -> str:
    """First human message of a DRF error detail, with its field name."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            text = _flatten(value)
            return text if key == "non_field_errors" else f"{key}: {text}"
    if isinstance(detail, list) and detail:
        return _flatten(detail[0])
    return str(detail)


def as_application_error(exc: Exception) -> errors.ApplicationError | None:
    """Translate DRF and Django exceptions into the platform's domain errors."""
    if isinstance(exc, errors.ApplicationError):
        return exc
    if isinstance(exc, drf.ParseError):
        return errors.ValidationFailed(str(exc.detail), code="MALFORMED_REQUEST")
    # Django's request limits (DATA_UPLOAD_MAX_MEMORY_SIZE, ..._NUMBER_FIELDS, ..._NUMBER_FILES) raise
    # these while the body is parsed; they are the client's fault, not a 500.
    if isinstance(exc, RequestDataTooBig):
        return errors.ApplicationError(str(exc), code="REQUEST_TOO_LARGE", status=413)
    if isinstance(exc, SuspiciousOperation):
        return errors.ValidationFailed("The request could not be parsed.", code="MALFORMED_REQUEST")
    if isinstance(exc, drf.ValidationError):
        return errors.ValidationFailed(_flatten(exc.detail), details=exc.detail)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        return errors.Unauthenticated(str(exc.detail))
    if isinstance(exc, (drf.PermissionDenied, DjangoPermissionDenied)):
        return errors.Forbidden()
    if isinstance(exc, (drf.NotFound, Http404)):
        return errors.NotFound()
    if isinstance(exc, drf.Throttled):
        return errors.RateLimited(retry_after=exc.wait or 60)
    if isinstance(exc, drf.APIException):
        return errors.ApplicationError(str(exc.detail), code=str(exc.default_code).upper(), status=exc.status_code)
    return None


def render_error(request, exc: errors.ApplicationError, envelope: envelopes.Envelope) -> Response:
    """Build the DRF response for a domain error in ``envelope``."""
    request_id = getattr(request, "request_id", "") or new_request_id()
    info = envelopes.ErrorInfo(exc.code, exc.message, exc.status, exc.details, request_id)
    status, body = envelope.render(info)
    response = Response(body, status=status)
    if getattr(exc, "retry_after", None):  # a rate limit, or a full queue: when to try again
        response["Retry-After"] = str(exc.retry_after)
    return response


def exception_handler(exc: Exception, context: dict) -> Response:
    view = context.get("view")
    request = context.get("request")
    envelope = getattr(view, "error_envelope", envelopes.DETAIL)
    app_error = as_application_error(exc)
    if app_error is None:
        logger.exception("Unhandled error (request %s)", getattr(request, "request_id", "-"))
        app_error = errors.ApplicationError()
    response = render_error(request, app_error, envelope)
    if isinstance(exc, drf.AuthenticationFailed | drf.NotAuthenticated):
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
