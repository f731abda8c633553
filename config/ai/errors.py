"""The two ways an AI engine fails a caller."""

from config.errors import ApplicationError, ServiceUnavailable


class EngineUnavailable(ServiceUnavailable):
    """The engine is not configured, not installed, has no weights or did not answer.

    Raised at once with the reason in ``message``; never replaced by a made-up result.
    """

    default_message = "The AI engine is not available."


class EngineOutputInvalid(ApplicationError):
    """The model answered, but not in the requested shape, even after one repair attempt."""

    code = "AI_OUTPUT_INVALID"
    status = 502
    default_message = "The AI model returned output that does not match the expected format."


class EngineThrottled(EngineUnavailable):
    """The provider itself said "too many requests" (HTTP 429) and kept saying it through the retries.

    ``retry_after`` is the wait it asked for, in seconds, so an app can pass the
    throttle on to its client (floor plans answer ``RATE_LIMITED`` 429 with it).
    """

    code = "AI_RATE_LIMITED"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kwargs) -> None:
        self.retry_after = max(1, round(retry_after)) if retry_after else 60
        kwargs["details"] = {**(kwargs.get("details") or {}), "retry_after": self.retry_after}
        super().__init__(message, **kwargs)
