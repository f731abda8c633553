"""Whether an AI action can run, said in words for the people about to click it.

Pages ask before offering an action (stage, analyse, generate) so that nobody
does the work of uploading or filling in a form only to fail at the end. The
reason never names a setting: operators have the Engines page for that.
"""

from dataclasses import dataclass

from config.ai import registry
from config.ai.status import Status


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str = ""  # empty when ready; otherwise one sentence for a non-technical reader


READY = Readiness(True)

_LANGUAGE_MODEL_MISSING = "Writing with AI is not switched on yet: an administrator needs to connect a language model."
_IMAGE_GENERATOR_MISSING = ("Creating images with AI is not switched on yet: "
                            "an administrator needs to connect an image engine.")
_UNREACHABLE = "The AI service is not answering right now. Please try again in a few minutes."


def language_model() -> Readiness:
    """Can text be written by a language model now (configured and answering)?"""
    return _readiness(registry.status_report_for("language_model"), _LANGUAGE_MODEL_MISSING)


def image_generation() -> Readiness:
    """Can images be generated now (configured, weights present or server answering)?"""
    return _readiness(registry.status_report_for("image_generation"), _IMAGE_GENERATOR_MISSING)


def _readiness(entry: dict, missing: str) -> Readiness:
    if entry["status"] == Status.READY:
        return READY
    if entry["status"] in (Status.UNREACHABLE, Status.ERROR):
        return Readiness(False, _UNREACHABLE)
    return Readiness(False, missing)
