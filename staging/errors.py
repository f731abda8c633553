"""Staging's domain errors, one code each (seed 000 "Error Codes")."""

from config.errors import ApplicationError


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


class MaintenanceMode(ApplicationError):
    code = "MAINTENANCE_MODE"
    status = 503
    default_message = "Staging is paused for maintenance. Please try again later."


class QualityCheckFailed(ApplicationError):
    code = "QUALITY_CHECK_FAILED"
    status = 422
    default_message = "The staged image did not pass the quality check."
