"""Serializer fields whose schema states a rule the domain enforces itself.

Some values are checked by the services, not the serializer, because the seed
documents give their refusal its own code (``INVALID_STYLE``,
``INVALID_CONTENT_TYPE``) or message. The schema still lists what is allowed,
so a client (or a schema fuzzer) knows before sending.
"""

from collections.abc import Callable, Iterable

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from rest_framework import serializers

from config.net import HTTP_URL_HINT, HTTP_URL_PATTERN

# Values, or (value, label) pairs as Django's ``TextChoices.choices``; or a callable giving either.
Choices = Iterable | Callable[[], Iterable]


class CheckedChoiceField(serializers.ChoiceField):
    """A choice the domain checks (answering its own error); here any text passes.

    drf-spectacular documents it as the ``ChoiceField`` it is, so equal choice
    sets share one enum component. ``choices`` may be a callable.
    """

    def __init__(self, *, choices: Choices, **kwargs) -> None:
        super().__init__(choices=choices() if callable(choices) else choices, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid_choice", input=data)
        return str(data)


class CheckedURLField(serializers.CharField):
    """An http(s) URL of the shape ``config.net.HTTP_URL_PATTERN`` says, checked here unless the
    service checks it (``checked_by_service=True``, to answer its own error); the service then
    applies the outbound URL policy (private addresses), which no schema can state."""

    def __init__(self, *, checked_by_service: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        if not checked_by_service:
            self.validators.append(RegexValidator(HTTP_URL_PATTERN, message=HTTP_URL_HINT))


class CheckedURLFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "config.api.fields.CheckedURLField"

    def map_serializer_field(self, auto_schema, direction):
        pattern = HTTP_URL_PATTERN
        if self.target.allow_blank:
            pattern = f"^({pattern[1:-1]})?$"
        return {"type": "string", "format": "uri", "pattern": pattern, "maxLength": self.target.max_length}


class StatedIntegerField(serializers.IntegerField):
    """An integer documented with ``schema`` keywords drf-spectacular cannot read from the field:
    ``multipleOf``, or a limit the service checks to answer its own error."""

    def __init__(self, *, schema: dict, **kwargs) -> None:
        self.schema = schema
        super().__init__(**kwargs)


class StatedIntegerFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "config.api.fields.StatedIntegerField"

    def map_serializer_field(self, auto_schema, direction):
        field = serializers.IntegerField(min_value=self.target.min_value, max_value=self.target.max_value)
        return {**auto_schema._map_serializer_field(field, direction), **self.target.schema}


class RequiresOneOf:
    """Mixin for a serializer that needs at least one field of each ``required_one_of`` group.

    The serializer's ``validate`` (or the service) still refuses the request;
    this only states the rule in the schema, as ``anyOf`` of ``required`` lists.
    A field counts only when it holds something: text that is not all spaces (DRF trims it),
    a list with an item.
    """

    required_one_of: tuple[str, ...] = ()
    # True when the fields also exclude each other (sending both is refused): the schema states ``oneOf``.
    one_only: bool = False


class RequiresOneOfSchema(OpenApiSerializerExtension):
    target_class = "config.api.fields.RequiresOneOf"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction != "request":
            return schema
        fields, names = self.target.fields, self.target.required_one_of
        if len(names) == 1:  # plainly required: generated clients then keep one model
            schema.setdefault("required", []).append(names[0])
            schema["properties"][names[0]].update(_holds_something(fields[names[0]]))
        elif self.target.one_only:
            # Presence alone picks the branch, so a field sent empty beside the other is two, not one.
            schema["oneOf"] = [{"required": [name]} for name in names]
            for name in names:
                schema["properties"][name].update(_holds_something(fields[name]))
        else:
            schema["anyOf"] = [{"required": [name], "properties": {name: _holds_something(fields[name])}}
                               for name in names]
        return schema


def _holds_something(field: serializers.Field) -> dict:
    if isinstance(field, serializers.FileField):
        return {}
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return {"minItems": 1}
    return {"pattern": "\\S"}
