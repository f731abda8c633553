"""Request body parsers that refuse bad input with a 400/413 instead of a 500 or a silent repair.

DRF's own parsers, set in ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``, with
the limits the platform needs:

- A JSON or urlencoded body longer than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is
  refused from its ``Content-Length`` before a byte is read (DRF reads these
  bodies whole and Django's limit only guards ``request.body``). The error is
  Django's own ``RequestDataTooBig``; ``config.api.exceptions`` answers 413.
- JSON nested deeper than ``MAX_JSON_DEPTH`` is refused. Python's parser would
  accept a few hundred levels and raise ``RecursionError`` (a 500) past about a
  thousand; no document of ours nests more than a handful, and every level
  costs recursion later (serializers, ``json.dumps`` into a JSONField).
- ``NaN``, ``Infinity`` and numbers that overflow to infinity (``1e999``) are
  refused: they are not JSON, and PostgreSQL's ``jsonb`` rejects them at save.
- Text may not carry C0 control characters other than tab, line feed and
  carriage return, nor lone surrogates: NUL breaks PostgreSQL text and jsonb,
  and the others are never part of a name, prompt or caption.
- Form fields (multipart or urlencoded) must be valid UTF-8. Django decodes
  them with ``errors="replace"``, so invalid bytes arrive as U+FFFD; a field
  that holds one is refused rather than stored with the damage.

Every refusal is a ``ParseError``, rendered in the view's envelope as
``MALFORMED_REQUEST`` (``VALIDATION_ERROR`` where the app's document says so).
"""

import codecs
import json
import math
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 64
# C0 controls except TAB, LF and CR, and UTF-16 surrogates (only ever unpaired in a Python str).
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


def refuse_oversized(parser_context: dict | None) -> None:
    """Raise ``RequestDataTooBig`` when the declared body is over Django's in-memory limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = (parser_context or {}).get("request")
    if limit is None or request is None:
        return
    meta = request.META
    try:
        length = int(meta.get("CONTENT_LENGTH") or meta.get("HTTP_CONTENT_LENGTH") or 0)
    except ValueError:
        raise ParseError("Content-Length is not a number.") from None
    if length > limit:
        raise RequestDataTooBig(f"The request body is {length} bytes; the limit is {limit}.")


def check_text(value: str, where: str) -> None:
    """Refuse control characters and lone surrogates in ``value``."""
    found = FORBIDDEN_CHARACTERS.search(value)
    if found:
        raise ParseError(f"{where}: character U+{ord(found.group()):04X} is not allowed in text.")


def check_json(data) -> None:
    """Walk parsed JSON without recursion: depth, and every key and string."""
    stack = [(data, 1, "body")]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(f"JSON is nested deeper than {MAX_JSON_DEPTH} levels.")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    check_text(key, f"{where}: a key")
                stack.append((item, depth + 1, key if isinstance(key, str) else where))
        elif isinstance(value, str):
            check_text(value, where)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        refuse_oversized(parser_context)
        encoding = parsers.get_encoding(parser_context or {})
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=_refuse_constant,
                             parse_float=_finite_float)
        except ValueError as exc:  # includes UnicodeDecodeError: the body is not valid UTF-8
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise ParseError(f"JSON is nested deeper than {MAX_JSON_DEPTH} levels.") from None
        check_json(data)
        return data


def check_form(data) -> None:
    """Refuse form fields whose text was not valid UTF-8, or carries control characters."""
    for key, values in data.lists():
        for value in [key, *values]:
            if isinstance(value, str) and REPLACEMENT_CHARACTER in value:
                raise ParseError(f"{key}: the field is not valid UTF-8.")
            if isinstance(value, str):
                check_text(value, key)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        refuse_oversized(parser_context)
        data = super().parse(stream, media_type, parser_context)
        check_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    # Files are streamed to disk by Django's upload handlers; only the text fields
    # count against DATA_UPLOAD_MAX_MEMORY_SIZE, which Django enforces itself.
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        check_form(result.data)
        return result
