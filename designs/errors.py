"""The designs app's errors, as its document names them."""

from config.errors import ApplicationError, ValidationFailed


class NoDesignTypeRecognised(ValidationFailed):
    default_message = "No design type recognised in the prompt."


class NoChangeRecognised(ValidationFailed):
    default_message = "The follow-up prompt asks for no change that could be made."


class GenerationFailed(ApplicationError):
    """The language model failed and falling back to the rules is switched off (500 INTERNAL_ERROR)."""

    code = "INTERNAL_ERROR"
    status = 500
    default_message = "LM inference failed."
