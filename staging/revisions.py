"""Edits on a staged result: a short instruction becomes prompt terms.

"no rug", "without the coffee table", "remove plants" take things out (they go
into the negative prompt); "add plants" and anything else ("lighter sofa") ask
for more (appended to the prompt). Clauses are separated by commas, semicolons
or "and". The revision keeps the staging's seed, so the room is staged the same
way but for what the instruction changes.
"""

import re
from dataclasses import dataclass

from config.errors import ValidationFailed

MAX_INSTRUCTION = 200
REMOVING = ("get rid of ", "take out ", "without ", "remove ", "drop ", "no ")
ADDING = ("add ", "with ", "more ")
CLAUSES = re.compile(r"\s*(?:[,;]|\band\b)\s*", re.IGNORECASE)
ARTICLES = re.compile(r"^(?:the|a|an|any|some)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Revision:
    """What an instruction asks for: terms to add to the prompt and terms to keep out of the image."""

    add: tuple[str, ...]
    remove: tuple[str, ...]

    def prompt(self, base: str) -> str:
        return ", ".join([base, *self.add]) if self.add else base

    def negative_prompt(self, base: str) -> str:
        return ", ".join(part for part in [base, *self.remove] if part)


def parse_instruction(text: str) -> Revision:
    """The terms of ``text``; ``ValidationFailed`` when it is empty or too long."""
    text = " ".join((text or "").split()).strip(" .!")
    if not text:
        raise ValidationFailed("Write what to change, e.g. \"no rug\" or \"add plants\".",
                               details={"instruction": "empty"})
    if len(text) > MAX_INSTRUCTION:
        raise ValidationFailed(f"instruction: at most {MAX_INSTRUCTION} characters.",
                               details={"instruction": len(text)})
    add, remove = [], []
    for clause in filter(None, CLAUSES.split(text)):
        lowered = clause.lower()
        removing = next((word for word in REMOVING if lowered.startswith(word)), None)
        adding = next((word for word in ADDING if lowered.startswith(word)), None)
        if removing:
            remove.append(ARTICLES.sub("", clause[len(removing):]).strip())
        else:
            add.append(ARTICLES.sub("", clause[len(adding or ""):]).strip())
    add, remove = [term for term in add if term], [term for term in remove if term]
    if not add and not remove:
        raise ValidationFailed("The instruction names nothing to change.", details={"instruction": text})
    return Revision(tuple(add), tuple(remove))
