"""The designs API's JSON Schemas (designs/schemas/*.schema.json), loaded once, and validation against them.

Schemas refer to each other by file name ("spec.schema.json"); a referencing
Registry holding every schema in the folder resolves those references without
any network access.
"""

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parent / "schemas"


class ContractViolation(ValueError):
    """Data does not match a schema; ``errors`` lists each problem as "path: message"."""

    def __init__(self, name: str, errors: list[str]) -> None:
        self.name = name
        self.errors = errors
        super().__init__(f"Does not match {name}: " + "; ".join(errors))


@functools.cache
def load_schema(name: str) -> dict:
    """The schema ``name`` ("spec", "generate_v2.response", "error"...) as a dict. Callers must not modify it."""
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def errors(name: str, data: object) -> list[str]:
    """Every way ``data`` breaks schema ``name``, as "path: message" lines; empty when it is valid."""
    found = sorted(_validator(name).iter_errors(data), key=lambda error: list(error.absolute_path))
    return [f"{'.'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}" for error in found]


def validate(name: str, data: object) -> None:
    """Raise ``ContractViolation`` unless ``data`` matches schema ``name``."""
    problems = errors(name, data)
    if problems:
        raise ContractViolation(name, problems)


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), registry=_registry(), format_checker=FormatChecker())


@functools.cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = load_schema(path.name.removesuffix(".schema.json"))
        if "$id" in schema:  # schemas without one (the language model's draft) are not referred to
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)
