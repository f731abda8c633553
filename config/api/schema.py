"""OpenAPI descriptions of StageCraft's authentication classes and error envelopes (drf-spectacular).

Imported once at start-up (``AccountsConfig.ready``) so the extensions register.
"""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication

from config.api import envelopes, pagination


class JWTScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.JWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.APIKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-API-Key",
                "description": "Also accepted as `Authorization: Bearer <key>`."}


class APIKeyAndJWTScheme(OpenApiAuthenticationExtension):
    """The designs' pair: both headers at once (their own names, so they do not clash with either alone)."""

    target_class = "config.api.authentication.APIKeyAndJWTAuthentication"
    name = ["designsApiKey", "designsJwt"]

    def get_security_requirement(self, auto_schema):
        return {"designsApiKey": [], "designsJwt": []}

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "header", "name": "X-API-Key",
             "description": "Required together with the access token of the same user."},
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
             "description": "Required together with the API key of the same user."},
        ]


# --- Error responses and the success envelope ------------------------------
#
# Every API view renders errors through config/api/exceptions.py in its
# ``error_envelope``, so the statuses the platform itself can answer (bad
# input, credentials, unknown ids, body limits, rate limits) follow from the
# view: the schema class below documents them for every operation, in that
# envelope, so an app only declares the statuses of its own domain errors.
# A declared error with no body (``OpenApiResponse(description=...)``) gets
# the envelope's error body; ``documented_errors = {status: description}`` on a
# view class documents a domain error every operation of the view can answer.

_ANY = {"description": "Free-form details (field errors, limits), or null."}
_MESSAGE = {"type": "string"}
_TIMESTAMP = {"type": "string", "format": "date-time"}


def _obj(properties: dict, required: list[str]) -> dict:
    return {"type": "object", "properties": properties, "required": required}


_INNER = _obj({"code": {"type": "string"}, "message": _MESSAGE, "details": _ANY}, ["code", "message"])
ERROR_SCHEMAS: dict[str, tuple[str, dict]] = {
    "detail": ("DetailError", _obj({"detail": _MESSAGE}, ["detail"])),
    "staging": ("StagingError", _obj({"error": _obj({**_INNER["properties"], "request_id": {"type": "string"}},
                                                     ["code", "message", "request_id"])}, ["error"])),
    "designs": ("DesignsError", _obj({"detail": _MESSAGE, "error_code": {"type": "string"}, "timestamp": _TIMESTAMP},
                                     ["detail", "error_code", "timestamp"])),
    "personas": ("PersonasError", _obj({"success": {"type": "boolean", "description": "Always false."}, "error": _INNER,
                                        "timestamp": _TIMESTAMP}, ["success", "error", "timestamp"])),
    "floorplans": ("FloorplansError", _obj({"error": _INNER}, ["error"])),
}
_WITH_BODY = {"POST", "PUT", "PATCH"}
_UNSAFE = {*_WITH_BODY, "DELETE"}
_ID_SUFFIXES = ("_id", "_ids", "Id", "Ids")


def limit_page(name: str, key: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """Schema of a ``limit``/``offset`` list body: ``{key: [item, ...], "total", "limit", "offset"}``."""
    return inline_serializer(name, {key: item(many=True), "total": serializers.IntegerField(),
                                    "limit": serializers.IntegerField(), "offset": serializers.IntegerField()})


def numbered_page(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """Schema of a ``page``/``page_size`` list body: ``{"items", "total", "page", "page_size", "pages"}``."""
    return inline_serializer(name, {"items": item(many=True), "total": serializers.IntegerField(),
                                    "page": serializers.IntegerField(), "page_size": serializers.IntegerField(),
                                    "pages": serializers.IntegerField()})


# --- Operation ids -----------------------------------------------------------
#
# Every operation id is ``<app>_<resource>_<action>``: the app that owns the view
# (``platform`` for config/), the path's words without its mount prefix and
# parameters, and drf-spectacular's action (list, retrieve, create, update,
# partial_update, destroy). Generated clients name their functions after it.

OPERATION_ID = re.compile(r"^(staging|catalog|designs|personas|floorplans|platform)(_[a-z0-9]+)+"
                          r"_(list|retrieve|create|update|partial_update|destroy)$")
_MOUNTS = re.compile(r"^/(api/v1|api/floorplan|api)(?=/|$)")


class StageCraftAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus each operation's platform errors and the personas success envelope."""

    def get_operation_id(self) -> str:
        app = self.view.__module__.split(".")[0]
        words = [word.replace("-", "_").replace(".", "_") for word in _MOUNTS.sub("", self.path).split("/")
                 if word and not word.startswith("{")]
        action = "list" if self.method == "GET" and self._is_list_view() else self.method_mapping[self.method.lower()]
        return "_".join(["platform" if app == "config" else app, *words, action]).lower()

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # DRF trims text and refuses it blank: the schema says "at least one character not a space".
        if direction == "request" and isinstance(field, serializers.CharField) and not field.allow_blank \
                and field.trim_whitespace and not ({"enum", "format", "pattern", "$ref"} & set(schema)):
            schema["pattern"] = FILLED_TEXT_PATTERN
        return schema

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        envelope = getattr(self.view, "error_envelope", envelopes.DETAIL)
        error = {"application/json": {"schema": self._error_component(envelope)}}
        view_errors = getattr(self.view, "documented_errors", {})
        for code, description in {**self._platform_errors(envelope), **view_errors}.items():
            responses.setdefault(str(code), {"description": description})
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                response["content"] = error
        if getattr(self.view, "success_envelope", False):
            for code, response in responses.items():
                if code < "300":
                    self._wrap_success(response)
        return responses

    def _error_component(self, envelope: envelopes.Envelope) -> dict:
        name, schema = ERROR_SCHEMAS[envelope.name]
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref

    def _platform_errors(self, envelope: envelopes.Envelope) -> dict[int, str]:
        """Statuses ``config/api`` answers for this operation, whatever the app does."""
        def code(name: str) -> str:
            return envelope.codes.get(name, name)

        found: dict[int, str] = {}
        takes_body = self.method in _WITH_BODY and self.get_request_serializer() is not None
        if takes_body or self.get_override_parameters():
            found[envelope.statuses.get("VALIDATION_ERROR", 400)] = f"{code('VALIDATION_ERROR')}: invalid input"
        if takes_body:
            found.setdefault(envelope.statuses.get("MALFORMED_REQUEST", 400),
                             f"{code('MALFORMED_REQUEST')}: a body that cannot be parsed")
            found[413] = f"{code('REQUEST_TOO_LARGE')}: the body is over the upload limit"
            found[415] = "UNSUPPORTED_MEDIA_TYPE: a content type the operation does not take"
        authenticators = self.view.get_authenticators()
        if authenticators:
            found[401] = f"{code('UNAUTHORIZED')}: missing or invalid credentials"
        if self.method in _UNSAFE and any(isinstance(a, SessionAuthentication) for a in authenticators):
            usage = " or the plan's usage is spent" if envelope.statuses.get("USAGE_LIMIT_EXCEEDED") == 403 else ""
            found[403] = f"{code('FORBIDDEN')}: not allowed (a staff-only action, a failed CSRF check on a " \
                         f"session-authenticated request){usage}"
        if "{" in self.path or self._refers_to_objects(takes_body):
            found[404] = f"{code('NOT_FOUND')}: no such object among yours"
        method = getattr(self.view, self.method.lower(), None)
        if getattr(self.view, "rate_scope", None) or getattr(self.view, "rate_limited", False) \
                or getattr(method, "rate_scope", None):
            found[429] = f"{code('RATE_LIMITED')}: rate limit exceeded (see Retry-After), or the plan's usage is spent"
        return found

    def _refers_to_objects(self, takes_body: bool) -> bool:
        """Whether the body or a query filter names other objects by id (a 404 when one is not yours)."""
        names: list[str] = []
        body = self.get_request_serializer() if takes_body else None
        # A body declared per media type ({"multipart/form-data": Serializer}) names its fields in each.
        bodies = list(body.values()) if isinstance(body, dict) else [body] if body is not None else []
        sources = [*self.get_override_parameters(), *bodies]
        for source in sources:
            if isinstance(source, OpenApiParameter):
                names.append(source.name)
            else:
                names.extend(getattr(force_instance(source), "fields", None) or {})
        return any(name.endswith(_ID_SUFFIXES) for name in names)

    def _wrap_success(self, response: dict) -> None:
        """Put a 2xx body in ``{"success": true, "data", "message", "timestamp"}``."""
        contents = response.setdefault("content", {"application/json": {}})
        for content in contents.values():
            data = content.get("schema") or {}
            content["schema"] = _obj({"success": {"type": "boolean", "description": "Always true."}, "data": data,
                                      "message": _MESSAGE, "timestamp": _TIMESTAMP}, ["success", "data", "timestamp"])


# --- Links -------------------------------------------------------------------
#
# An operation that makes an object links to the operations on that object
# (``POST /sessions`` → ``GET /sessions/{session_id}``, ``.../rooms``, ...): the
# OpenAPI way of saying where the new id goes, read by generated clients and by
# Schemathesis's stateful tests, which otherwise call object routes only with
# ids that do not exist.

_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")


# --- Text ---------------------------------------------------------------------
#
# config/api/parsers.py and query_text.py refuse C0 control characters (but tab,
# line feed and carriage return) in every text a request carries: strings, object
# keys, query values. The schema says so, so a client (or a fuzzer) knows before
# sending that "\u0000" is not a valid name.

TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]*$"
FILLED_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]*" \
                      "[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]*$"
# A form's text also may not hold U+FFFD: Django decodes a field that is not UTF-8 with it, so the
# parser (config.api.parsers.check_form) cannot tell one typed from one made by a bad byte.
FORM_PATTERNS = {pattern: pattern.replace("\\u001f]", "\\u001f\\ufffd]")
                 for pattern in (TEXT_PATTERN, FILLED_TEXT_PATTERN)}


# Any JSON a free-form field or an extra key may hold, under the same text rule:
# three levels deep, written out (a recursive ``$ref`` is beyond most generators).
FREE_FORM = "FreeFormValue"


def _free_form_components() -> dict:
    scalars = [{"type": "string", "pattern": TEXT_PATTERN}, {"type": "number"}, {"type": "boolean"},
               {"type": "null"}]
    components, inner = {}, None
    for depth in (2, 1, 0):
        name = f"{FREE_FORM}{depth}" if depth else FREE_FORM
        nested = [] if inner is None else [
            {"type": "array", "items": {"$ref": f"#/components/schemas/{inner}"}},
            {"type": "object", "propertyNames": {"pattern": TEXT_PATTERN},
             "additionalProperties": {"$ref": f"#/components/schemas/{inner}"}}]
        components[name] = {"description": "Any JSON value; its text follows the request text rule.",
                            "anyOf": [*scalars, *nested]}
        inner = name
    return components


def state_text_rules(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the request text rule on strings, keys and free-form
    values, and the paging parameters' bounds."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    forms = _form_components(result)
    for name, schema in schemas.items():
        if name.endswith("Request"):  # COMPONENT_SPLIT_REQUEST: the request halves
            _text_rules(schema, form=name in forms)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _text_rules(parameter.get("schema", {}))
                if parameter.get("in") == "query" and parameter["name"] in pagination.BOUNDS:
                    low, high = pagination.BOUNDS[parameter["name"]]
                    parameter.setdefault("schema", {}).update(type="integer", minimum=low, maximum=high)
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                _text_rules(content.get("schema", {}), form=media_type in FORM_MEDIA_TYPES)
    schemas.update(_free_form_components())
    return result


FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _form_components(result: dict) -> set[str]:
    """The request components sent as forms, whose extra fields can only be text."""
    names = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            for media_type in FORM_MEDIA_TYPES:
                ref = content.get(media_type, {}).get("schema", {}).get("$ref", "")
                names.add(ref.rsplit("/", 1)[-1])
    return names


def _types(node: dict) -> set[str]:
    """A node's types: OpenAPI 3.1 writes a nullable string ``["string", "null"]``."""
    declared = node.get("type", [])
    return {declared} if isinstance(declared, str) else set(declared)


def _is_any(node) -> bool:
    return node is True or node == {} or (isinstance(node, dict) and set(node) <= {"description", "title"})


def _text_rules(schema: dict, *, form: bool = False) -> None:
    """State the text rule on ``schema``'s strings, keys and free-form values (text only in a form)."""
    text = FORM_PATTERNS[TEXT_PATTERN] if form else TEXT_PATTERN
    free_form = {"type": "string", "pattern": text} if form else {"$ref": f"#/components/schemas/{FREE_FORM}"}
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or "$ref" in node:
            continue
        if form and node.get("pattern") in FORM_PATTERNS:
            node["pattern"] = FORM_PATTERNS[node["pattern"]]
        if "string" in _types(node) and not ({"enum", "format", "pattern"} & set(node)):
            node["pattern"] = text
        if "object" in _types(node) and node.get("additionalProperties", True) is not False:
            node.setdefault("propertyNames", {"pattern": text})
            if _is_any(node.get("additionalProperties", True)):
                node["additionalProperties"] = free_form
        properties = node.get("properties", {})
        for name, value in properties.items():
            if _is_any(value):
                properties[name] = {**value, **free_form} if isinstance(value, dict) else free_form
        stack.extend(properties.values())
        if isinstance(node.get("items"), dict):
            stack.append(node["items"])
        if isinstance(node.get("additionalProperties"), dict):
            stack.append(node["additionalProperties"])
        for key in ("allOf", "anyOf", "oneOf"):
            stack.extend(node.get(key, []))


def add_links(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: OpenAPI links from each create to its object's routes."""
    paths = result.get("paths", {})
    for collection, operations in paths.items():
        create = operations.get("post")
        if not create:
            continue
        for status, response in create.get("responses", {}).items():
            if status in ("200", "201", "202"):
                links = _links_from(collection, response, paths, result.get("components", {}))
                if links:
                    response["links"] = links
    return result


def _links_from(collection: str, response: dict, paths: dict, components: dict) -> dict:
    """Links to every operation whose path parameters the response's fields (or the request's path) fill.

    A response field named like the parameter fills it (``session_id``, or
    ``sessionId`` in the camelCase documents); a plain ``id`` fills the
    parameter right below the creating path (``POST /products`` →
    ``/products/{product_id}``). Parameters that are not ids (an export format,
    a direction) are left to the client.
    """
    schema = _resolve(response.get("content", {}).get("application/json", {}).get("schema", {}), components)
    pointer = "#"
    if "data" in schema.get("properties", {}) and "success" in schema["properties"]:  # the personas envelope
        schema, pointer = _resolve(schema["properties"]["data"], components), "#/data"
    fields = schema.get("properties", {})
    own = _PATH_PARAMETER.findall(collection)
    links = {}
    for path, operations in paths.items():
        names = _PATH_PARAMETER.findall(path)
        below = path.startswith(collection + "/{")
        parameters = {}
        for name in names:
            field = next((key for key in (name, _camel(name)) if key in fields), None)
            if name in own:
                parameters[name] = f"$request.path.{name}"
            elif field and _is_scalar(fields[field], components):
                parameters[name] = f"$response.body{pointer}/{field}"
            elif below and name == names[len(own)] and "id" in fields:
                parameters[name] = f"$response.body{pointer}/id"
        ids = [name for name in names if name.endswith("id")]
        if not ids or any(name not in parameters for name in ids) or all(name in own for name in ids):
            continue
        for method, operation in operations.items():
            if method in ("get", "put", "patch", "post", "delete") and operation.get("operationId"):
                links[operation["operationId"]] = {"operationId": operation["operationId"], "parameters": parameters}
    return links


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _is_scalar(schema: dict, components: dict) -> bool:
    return bool(_types(_resolve(schema, components)) & {"string", "integer"})


def _resolve(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return components.get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    return schema
