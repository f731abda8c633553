"""Whether an AI action can be offered, said in words for the people about to click it.

Pages ask before offering an action (analyse, generate, stage) so that nobody
uploads photos or fills in a form only to fail at the end. The reason never
names a setting: staff have the AI engines page for that.

This is the configuration only (an engine chosen, with its model, URL or key),
read without a network call, so rendering a page never waits on a model
server. A configured server that is down still fails the action itself, with
its own error.
"""

from dataclasses import dataclass

from config.ai import registry


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str = ""  # empty when ready; otherwise one sentence for a non-technical reader


READY = Readiness(True)

_LANGUAGE_MODEL_MISSING = "Writing with AI is not switched on yet: an administrator needs to connect a language model."
_IMAGE_GENERATOR_MISSING = ("Creating images with AI is not switched on yet: "
                            "an administrator needs to connect an image engine.")


def language_model() -> Readiness:
    """Is a language model configured?"""
    return Readiness(False, _LANGUAGE_MODEL_MISSING) if registry.llm_problem() else READY


def image_generation() -> Readiness:
    """Is an image generator configured?"""
    return Readiness(False, _IMAGE_GENERATOR_MISSING) if registry.image_problem() else READY
