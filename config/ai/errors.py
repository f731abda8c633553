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
