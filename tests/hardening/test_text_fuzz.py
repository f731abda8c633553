"""Bad text and numbers in every app's request bodies: a clean 400/422 in the app's envelope, never a 500.

Each JSON endpoint gets each kind of bad value in one of its fields: an
over-long string, control characters (top level and nested), ``NaN`` and
``1e999`` (not JSON, or not a finite number), nesting thousands and a hundred
levels deep, invalid UTF-8, and numbers sent as junk strings or too big. The
multipart endpoints get invalid UTF-8, control characters and over-long text
in their form fields.

Parse failures (the body is not acceptable JSON or text) are 400 everywhere;
validation failures use each app's validation status (422 for catalog and
auth, 400 for the others), as its document says.
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from catalog import services as catalog
from catalog.models import Product
from config.accounts.services import create_api_key
from floorplans import services as floorplans
from personas.models import Character
from personas.services import characters as personas
from staging.models import Staging
from tests.hardening import corpus

pytestmark = pytest.mark.django_db

RAW = "__RAW__"
OVERLONG = "x" * 1_000_000  # under the 10 MB body limit: the field's own limit must refuse it
CONTROL = "Ada\x00Love\x1b[31mlace\x07"
JUNK_NUMBER = "12abc"
HUGE_NUMBER = 10**400  # an int no float holds


@pytest.fixture
def clients(owner, jwt_for, queued) -> dict[str, APIClient]:
    jwt = APIClient()
    jwt.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    designs = APIClient()
    _, key = create_api_key(owner, name="fuzz")
    designs.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}", HTTP_X_API_KEY=key)
    return {"anon": APIClient(), "jwt": jwt, "designs": designs}


@pytest.fixture
def things(owner) -> dict:
    session = floorplans.create_session(owner, address="1 Test Way, Oakland, CA")
    return {"product": catalog.create_product(owner, title="Lamp"), "session": session,
            "room": floorplans.create_room(session, type="bedroom"),
            "character": personas.create_character(owner, name="Ada", disclosure_line="AI.")}


# -- Envelopes: each returns the code the body carries (None where the envelope has none) -------------------------


def detail(response) -> None:
    assert set(response.json()) == {"detail"} and response.json()["detail"]


def designs(response) -> str:
    body = response.json()
    assert set(body) == {"detail", "error_code", "timestamp"}
    return body["error_code"]


def personas_envelope(response) -> str:
    body = response.json()
    assert set(body) == {"success", "error", "timestamp"} and body["success"] is False
    return body["error"]["code"]


def floorplans_envelope(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]["code"]


def staging_envelope(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details", "request_id"}
    return body["error"]["code"]


@dataclass(frozen=True)
class Target:
    """A JSON endpoint, a sound body for it, and where to put the bad values."""

    name: str
    client: str
    method: str
    path: Callable[[dict], str]
    body: Callable[[dict], dict]
    text: tuple  # a string field with a limit
    envelope: Callable
    invalid: int  # the app's validation status
    number: tuple | None = None  # a numeric field
    nested: tuple | None = None  # a string inside a free-form object

    def code(self, response) -> str | None:
        return self.envelope(response)


def fixed(path: str) -> Callable[[dict], str]:
    return lambda things: path


def room_path(things) -> str:
    return f"/api/floorplan/sessions/{things['session'].pk}/rooms/{things['room'].pk}"


ANALYSIS = {"dimensions": {"width": 12.0, "height": 14.0, "confidence": 0.9}, "ceilingHeight": 8.0,
            "walls": {"north": [], "east": [], "south": [], "west": []}, "shape": "rectangle"}

TARGETS = [
    Target("auth-register", "anon", "POST", fixed("/api/v1/auth/register"),
           lambda t: {"email": "new@example.com", "password": "correct horse battery", "full_name": "New"},
           ("full_name",), detail, 422),
    Target("auth-login", "anon", "POST", fixed("/api/v1/auth/login"),
           lambda t: {"email": "alice@example.com", "password": "correct horse battery"}, ("email",), detail, 422),
    Target("catalog-products", "jwt", "POST", fixed("/api/v1/products"),
           lambda t: {"title": "Lamp", "description": "Brass.", "metadata_": {"sku": "L-1"}}, ("title",), detail,
           422, nested=("metadata_", "sku")),
    Target("catalog-presign", "jwt", "POST", fixed("/api/v1/uploads/presigned-url"),
           lambda t: {"product_id": str(t["product"].pk), "filename": "a.jpg", "content_type": "image/jpeg",
                      "file_size_bytes": 1000}, ("filename",), detail, 422, number=("file_size_bytes",)),
    Target("designs-generate-v2", "designs", "POST", fixed("/api/v1/generate"),
           lambda t: {"prompt": "A small kitchen", "context": {"room": "kitchen"}}, ("prompt",), designs, 400,
           nested=("context", "room")),
    Target("designs-generate-v1", "designs", "POST", fixed("/generate"), lambda t: {"prompt": "A small kitchen"},
           ("prompt",), designs, 400),
    Target("personas-characters", "jwt", "POST", fixed("/api/v1/characters"), lambda t: {"name": "Bea", "age": 30},
           ("name",), personas_envelope, 400, number=("age",)),
    Target("personas-content-generate", "jwt", "POST", fixed("/api/v1/content/generate"),
           lambda t: {"character_id": str(t["character"].pk), "content_type": "text", "prompt": "Morning run",
                      "settings": {"steps": 20}}, ("prompt",), personas_envelope, 400, number=("settings", "steps")),
    Target("personas-posts", "jwt", "POST", fixed("/api/v1/posts"),
           lambda t: {"character_id": str(t["character"].pk), "platform_account_id": "none", "content_id": "none",
                      "caption": "Hello"}, ("caption",), personas_envelope, 400),
    Target("floorplans-sessions", "jwt", "POST", fixed("/api/floorplan/sessions"),
           lambda t: {"address": "2 Main St, Oakland, CA"}, ("address",), floorplans_envelope, 400),
    Target("floorplans-rooms", "jwt", "POST", lambda t: f"/api/floorplan/sessions/{t['session'].pk}/rooms",
           lambda t: {"type": "other", "label": "Sunroom"}, ("label",), floorplans_envelope, 400),
    Target("floorplans-analysis", "jwt", "PUT", lambda t: f"{room_path(t)}/analysis",
           lambda t: {"analysis": copy.deepcopy(ANALYSIS)}, ("analysis", "shape"), floorplans_envelope, 400,
           number=("analysis", "dimensions", "width"), nested=("analysis", "shape")),
]


def with_value(body: dict, path: tuple, value) -> dict:
    body = copy.deepcopy(body)
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


def raw_body(body: dict, path: tuple, raw: str) -> bytes:
    """The body as JSON text with ``raw`` (not valid JSON, or not valid UTF-8) spliced in at ``path``."""
    return json.dumps(with_value(body, path, RAW)).replace(json.dumps(RAW), raw).encode("utf-8", "surrogateescape")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# Each kind: (name, applies to target?, build body bytes, parse error?)
KINDS = {
    "over-long-string": (lambda t: True, lambda t, b: json.dumps(with_value(b, t.text, OVERLONG)).encode(), False),
    "control-characters": (lambda t: True, lambda t, b: json.dumps(with_value(b, t.text, CONTROL)).encode(), True),
    "control-characters-nested": (lambda t: t.nested is not None,
                                  lambda t, b: json.dumps(with_value(b, t.nested, CONTROL)).encode(), True),
    "lone-surrogate": (lambda t: True, lambda t, b: raw_body(b, t.text, '"Ada\\ud800"'), True),
    "nan": (lambda t: True, lambda t, b: raw_body(b, t.number or t.text, "NaN"), True),
    "infinity": (lambda t: True, lambda t, b: raw_body(b, t.number or t.text, "1e999"), True),
    "nested-5000-deep": (lambda t: True, lambda t, b: raw_body(b, t.text, nested(5000)), True),
    "nested-100-deep": (lambda t: True, lambda t, b: raw_body(b, t.text, nested(100)), True),
    "invalid-utf8": (lambda t: True, lambda t, b: raw_body(b, t.text, '"Ada \udcff\udcfe"'), True),
    "number-as-junk-string": (lambda t: t.number is not None,
                              lambda t, b: json.dumps(with_value(b, t.number, JUNK_NUMBER)).encode(), False),
    "number-too-big": (lambda t: t.number is not None,
                       lambda t, b: json.dumps(with_value(b, t.number, HUGE_NUMBER)).encode(), False),
}
CASES = [pytest.param(target, kind, id=f"{target.name}-{kind}") for target in TARGETS
         for kind, (applies, _, _) in KINDS.items() if applies(target)]

ROW_MODELS = (Product, Character, Staging)


@pytest.mark.parametrize(("target", "kind"), CASES)
def test_bad_values_get_a_clean_400_or_422_in_the_apps_envelope(clients, things, target, kind):
    _, build, parse_error = KINDS[kind]
    rows = [model.objects.count() for model in ROW_MODELS]
    body = build(target, target.body(things))
    response = clients[target.client].generic(target.method, target.path(things), body,
                                              content_type="application/json")
    expected = 400 if parse_error else target.invalid
    assert response.status_code == expected, response.content[:300]
    code = target.code(response)
    assert code in (None, "VALIDATION_ERROR")
    assert [model.objects.count() for model in ROW_MODELS] == rows


def test_a_sound_body_passes_the_parser(clients, things):
    """The other side of the parser's rules: tabs, newlines, emoji and modest nesting are fine."""
    body = {"title": "Lamp\twith\nnotes 💡", "metadata_": {"a": {"b": {"c": [[1.5, -2e10, "\r\n"]]}}}}
    response = clients["jwt"].post("/api/v1/products", body, format="json")
    assert response.status_code == 201, response.content[:300]
    assert Product.objects.get(title=body["title"]).metadata == body["metadata_"]


def test_a_json_body_over_the_memory_limit_is_413_unread(clients, settings):
    stream = corpus.BodyStream([b'{"name": "', corpus.LazyBytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE), b'"}'])
    response = clients["jwt"].generic("POST", "/api/v1/characters", content_type="application/json",
                                      CONTENT_LENGTH=str(stream.length), **{"wsgi.input": stream})
    assert response.status_code == 413 and personas_envelope(response) == "VALIDATION_ERROR"
    assert stream.read_bytes == 0


# -- Multipart text fields -------------------------------------------------------------------------------------


def multipart(fields: dict[str, bytes], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart body written by hand, so a field can carry bytes that are not UTF-8."""
    boundary = "fuzzBoundary0123456789"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
             for name, value in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="a.jpg"\r\n'
              f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n" for name, data in files]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


MULTIPART_VALUES = {
    "invalid-utf8": (b"12 Elm St \xff\xfe\xc3", 400),
    "control-characters": (CONTROL.encode(), 400),
    "over-long-string": (b"x" * 5000, 400),
}


@pytest.fixture
def image_engine(monkeypatch):
    from config.ai import registry

    monkeypatch.setattr(registry, "image_generator", lambda: object())
    monkeypatch.setattr(registry, "ready_image_generator", lambda: object())


@pytest.mark.parametrize("kind", MULTIPART_VALUES)
def test_staging_form_fields_refuse_bad_text(clients, image_engine, queued, kind):
    value, status = MULTIPART_VALUES[kind]
    body, content_type = multipart({"style": b"modern_luxury", "property_name": value}, [("image", corpus.jpeg())])
    response = clients["jwt"].generic("POST", "/api/stage", body, content_type=content_type)
    assert response.status_code == status, response.content[:300]
    assert staging_envelope(response) == "VALIDATION_ERROR"
    assert not Staging.objects.exists() and not queued


@pytest.mark.parametrize("kind", MULTIPART_VALUES)
def test_floorplans_photo_form_fields_refuse_bad_text(clients, things, kind):
    value, status = MULTIPART_VALUES[kind]
    body, content_type = multipart({"compassHeading": value}, [("image", corpus.jpeg())])
    response = clients["jwt"].generic("PUT", f"{room_path(things)}/photos/north", body, content_type=content_type)
    assert response.status_code == status, response.content[:300]
    assert floorplans_envelope(response) == "VALIDATION_ERROR"
    assert not things["room"].photos.exists()


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"1e999", b"12abc", b"-5", b"361"])
def test_a_compass_heading_that_is_not_a_bearing_is_refused(clients, things, value):
    body, content_type = multipart({"compassHeading": value}, [("image", corpus.jpeg())])
    response = clients["jwt"].generic("PUT", f"{room_path(things)}/photos/north", body, content_type=content_type)
    assert response.status_code == 400 and floorplans_envelope(response) == "VALIDATION_ERROR"


def test_a_catalog_direct_upload_with_a_product_id_that_is_not_utf8_is_400(clients, things, queued):
    body, content_type = multipart({"product_id": b"\xff\xfe"}, [("file", corpus.jpeg())])
    response = clients["jwt"].generic("POST", "/api/v1/uploads/direct", body, content_type=content_type)
    assert response.status_code == 400
    detail(response)


def test_a_sound_multipart_text_field_passes(clients, image_engine, queued):
    body, content_type = multipart({"style": b"modern_luxury", "property_name": "12 Rue de l'Église\t#3".encode()},
                                   [("image", corpus.jpeg())])
    response = clients["jwt"].generic("POST", "/api/stage", body, content_type=content_type)
    assert response.status_code == 202, response.content[:300]
    assert Staging.objects.get().property_name == "12 Rue de l'Église\t#3"


def test_an_oversized_text_field_in_a_multipart_body_is_413(clients, image_engine, queued, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body, content_type = multipart({"style": b"modern_luxury", "property_name": b"x" * 2000},
                                   [("image", corpus.jpeg())])
    response = clients["jwt"].generic("POST", "/api/stage", body, content_type=content_type)
    assert response.status_code == 413 and staging_envelope(response) == "VALIDATION_ERROR"


def test_too_many_form_fields_is_400_not_500(clients, image_engine, queued, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"extra{i}": b"1" for i in range(10)} | {"style": b"modern_luxury"}
    body, content_type = multipart(fields, [("image", corpus.jpeg())])
    response = clients["jwt"].generic("POST", "/api/stage", body, content_type=content_type)
    assert response.status_code == 400 and staging_envelope(response) == "VALIDATION_ERROR"
