"""Staging's domain errors, one code each (seed 000 "Error Codes")."""

from config.errors import ApplicationError, ServiceUnavailable


class InvalidStyle(ApplicationError):
    code = "INVALID_STYLE"
    status = 400
    default_message = "Unknown or inactive style."


class NotInteriorImage(ApplicationError):
    code = "NOT_INTERIOR_IMAGE"
    status = 422
    default_message = "The photo does not look like the interior of a room."


class ArchitecturalIntegrityFailed(ApplicationError):
    code = "ARCHITECTURAL_INTEGRITY_FAILED"
    status = 422
    default_message = "The staged image did not preserve the room's walls, windows and doors."


class DeclutterFailed(ApplicationError):
    code = "DECLUTTER_FAILED"
    status = 422
    default_message = "The emptied image did not remove the furniture and clutter from the room."


class MaintenanceMode(ApplicationError):
    code = "MAINTENANCE_MODE"
    status = 503
    default_message = "Staging is paused for maintenance. Please try again later."


class QualityCheckFailed(ApplicationError):
    code = "QUALITY_CHECK_FAILED"
    status = 422
    default_message = "The staged image did not pass the quality check."


class QueueFull(ServiceUnavailable):
    """503 with Retry-After: the stagings waiting for the GPU reached ``STAGING_MAX_QUEUED``."""

    default_message = "Too many stagings are waiting for the GPU right now. Please try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, **kwargs)


class InvalidRoomSet(ApplicationError):
    code = "INVALID_ROOM_SET"
    status = 400
    default_message = "A room set takes 2 to 8 photos of one room."


class ReferenceNotSupported(ApplicationError):
    code = "REFERENCE_NOT_SUPPORTED"
    status = 400
    default_message = ("The configured image engine cannot stage from a reference image, so it cannot "
                       "stage a room set.")


class RoomSetReferenceFailed(ApplicationError):
    code = "ROOM_SET_REFERENCE_FAILED"
    status = 422
    default_message = "The set's first photo could not be staged, so the others have no reference."
