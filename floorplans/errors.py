"""Floor plans' domain errors (seed 004 "Error Responses")."""

from config.errors import ApplicationError, NotFound


class SessionNotFound(NotFound):
    code = "SESSION_NOT_FOUND"
    status = 404
    default_message = "Session not found."


class RoomNotFound(NotFound):
    code = "ROOM_NOT_FOUND"
    status = 404
    default_message = "Room not found."


class PhotosIncomplete(ApplicationError):
    code = "PHOTOS_INCOMPLETE"
    status = 400
    default_message = "Not all four direction photos have been uploaded."


class AnalysisFailed(ApplicationError):
    code = "ANALYSIS_FAILED"
    status = 500
    default_message = "The room could not be analysed."


class SatelliteUnavailable(ApplicationError):
    code = "SATELLITE_UNAVAILABLE"
    status = 503
    default_message = "Satellite imagery is not available; enter the house footprint instead."


class ExportFailed(ApplicationError):
    code = "EXPORT_FAILED"
    status = 500
    default_message = "The export could not be generated."


class SessionExpired(ApplicationError):
    code = "SESSION_EXPIRED"
    status = 410
    default_message = "This session has expired."


class UnsupportedScanShape(ApplicationError):
    code = "UNSUPPORTED_SCAN_SHAPE"
    status = 400
    default_message = "The scanned room's walls cross each other, so they enclose no one room."


class ScanTooLarge(ApplicationError):
    code = "SCAN_TOO_LARGE"
    status = 413
    default_message = "The scan is larger than FLOORPLANS_SCAN_MAX_BYTES."
