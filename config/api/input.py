"""Validate request input with a DRF serializer in one call."""

from collections.abc import Mapping, Sequence

from rest_framework import serializers

from config.errors import ValidationFailed


def parse(serializer_class: type[serializers.Serializer], data, **context) -> dict:
    """Return the validated data or raise DRF's ``ValidationError``."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def choice_param(params: Mapping, name: str, choices: Sequence[str]) -> str:
    """Query parameter ``name``: one of ``choices``, or "" when absent or blank (no filter)."""
    value = params.get(name, "")
    if value and value not in choices:
        raise ValidationFailed(f"{name} must be one of {', '.join(choices)}.", details={name: value})
    return value
