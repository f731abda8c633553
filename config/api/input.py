"""Validate request input with a DRF serializer in one call."""

from rest_framework import serializers


def parse(serializer_class: type[serializers.Serializer], data, **context) -> dict:
    """Return the validated data or raise DRF's ``ValidationError``."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
