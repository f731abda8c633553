"""Seed 003's error codes."""

from config.errors import ApplicationError, NotFound, ServiceUnavailable, ValidationFailed


class CharacterNotFound(NotFound):
    code = "CHARACTER_NOT_FOUND"
    default_message = "Character not found."


class ContentGenerationFailed(ServiceUnavailable):
    code = "CONTENT_GENERATION_FAILED"
    default_message = "Content generation is unavailable."


class InvalidContentType(ValidationFailed):
    code = "INVALID_CONTENT_TYPE"
    default_message = "content_type must be image, video or text."


class ContentNotApproved(ValidationFailed):
    code = "CONTENT_NOT_APPROVED"
    default_message = "Only approved content can be posted or scheduled."


class PlatformConnectionFailed(ApplicationError):
    """400 when the credentials or the request are wrong, 503 when the platform cannot be reached."""

    code = "PLATFORM_CONNECTION_FAILED"
    status = 400
    default_message = "The platform account could not be connected."

