"""Webhook domain errors. Each answers 400 in the platform's ``{"detail": ...}`` envelope."""

from config.errors import ApplicationError, Conflict


class UnknownEvent(ApplicationError):
    code = "UNKNOWN_EVENT"
    status = 400
    default_message = "Unknown event."


class URLNotAllowed(ApplicationError):
    """Not an http(s) URL, or one the outbound URL policy (config/net.py) refuses."""

    code = "URL_NOT_ALLOWED"
    status = 400
    default_message = "This URL cannot receive webhooks."


class TooManyEndpoints(ApplicationError):
    code = "TOO_MANY_ENDPOINTS"
    status = 400
    default_message = "You have reached the number of webhook endpoints an account may have."


class EndpointDisabled(Conflict):
    code = "ENDPOINT_DISABLED"
    default_message = "The endpoint is disabled: enable it before sending to it."
