"""The one base for domain errors, and the platform's shared ones.

Services raise these and know nothing about HTTP; ``config/api/exceptions.py``
renders them in each app's envelope. ``status`` is the HTTP status the error
maps to unless an app's envelope says otherwise.
"""

from typing import Any


class ApplicationError(Exception):
    """A failure the caller can act on: a stable code, a message, details."""

    code = "INTERNAL_ERROR"
    status = 500
    default_message = "An internal error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        if code:
            self.code = code
        if status:
            self.status = status
        super().__init__(self.message)


class ValidationFailed(ApplicationError):
    code = "VALIDATION_ERROR"
    status = 400
    default_message = "The request is not valid."


class Unauthenticated(ApplicationError):
    code = "UNAUTHORIZED"
    status = 401
    default_message = "Authentication credentials were missing or invalid."


class Forbidden(ApplicationError):
    code = "FORBIDDEN"
    status = 403
    default_message = "You do not have permission to perform this action."


class NotFound(ApplicationError):
    code = "NOT_FOUND"
    status = 404
    default_message = "Not found."


class Conflict(ApplicationError):
    code = "CONFLICT"
    status = 409
    default_message = "The request conflicts with the current state."


class RateLimited(ApplicationError):
    code = "RATE_LIMITED"
    status = 429
    default_message = "Rate limit exceeded."

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **kwargs: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, **kwargs)


class UsageLimitExceeded(ApplicationError):
    code = "USAGE_LIMIT_EXCEEDED"
    status = 429
    default_message = "Your plan's monthly usage limit has been reached."


class ServiceUnavailable(ApplicationError):
    code = "AI_SERVICE_UNAVAILABLE"
    status = 503
    default_message = "The AI service is not available."


class StorageFailed(ApplicationError):
    code = "STORAGE_ERROR"
    status = 502
    default_message = "The file could not be stored."


class InvalidUpload(ApplicationError):
    """An uploaded file failed a content, size or pixel check."""

    code = "INVALID_IMAGE_FORMAT"
    status = 400
    default_message = "The file is not a supported image."


class UploadTooLarge(InvalidUpload):
    code = "IMAGE_TOO_LARGE"
    status = 413
    default_message = "The file is too large."
