"""The catalog's domain errors, one code each. Rendered as ``{"detail": ...}`` (seed 001)."""

from config.errors import ApplicationError


class ImageRejected(ApplicationError):
    """A declared or uploaded image the catalog does not accept (type, size or content)."""

    code = "INVALID_IMAGE"
    status = 422
    default_message = "The file is not an accepted image."


class UploadMissing(ApplicationError):
    code = "UPLOAD_NOT_FOUND"
    status = 422
    default_message = "No uploaded file was found for this image. PUT the file to the upload URL first."


class UploadAlreadyConfirmed(ApplicationError):
    code = "UPLOAD_ALREADY_CONFIRMED"
    status = 409
    default_message = "This upload has already been confirmed."


class ImageNotUploaded(ApplicationError):
    code = "IMAGE_NOT_UPLOADED"
    status = 422
    default_message = "The image has not been uploaded yet."


class InvalidImageIds(ApplicationError):
    code = "INVALID_IMAGE_IDS"
    status = 422
    default_message = "Some image IDs are invalid."


class AnalysisInProgress(ApplicationError):
    code = "ANALYSIS_IN_PROGRESS"
    status = 409
    default_message = "An analysis of this image is already queued or running."


class AnalysisFailed(ApplicationError):
    """Every image of a job failed; the job ends ``failed`` with this code."""

    code = "ANALYSIS_FAILED"
    status = 502
    default_message = "No image of the job could be analysed."


class NothingToCutOut(ApplicationError):
    """A main-image fix found no product to tell from the background; the fix job fails with this code."""

    code = "NO_PRODUCT_TO_CUT_OUT"
    status = 422
    default_message = "No product could be told apart from the background of this photo."


class NothingToFix(ApplicationError):
    code = "NO_FAILING_MAIN_IMAGES"
    status = 422
    default_message = "No analysed main image fails this marketplace's rules."


class NothingSelected(ApplicationError):
    """A fix of chosen products was asked with an empty list of products."""

    code = "EMPTY_SELECTION"
    status = 422
    default_message = "Choose at least one product."


class InvalidProductIds(ApplicationError):
    code = "INVALID_PRODUCT_IDS"
    status = 422
    default_message = "Some product IDs are invalid."
