"""Schemathesis against the OpenAPI schema the project serves at ``/api/schema/``.

Every operation of the schema is called in-process (Django's WSGI handler) as a
normal user on the enterprise plan who owns one object of each kind, with a
bounded number of generated requests per operation: the schema's examples,
then valid and invalid (negative) inputs, derandomized so CI sees the same
requests every run, with the user's API key and access token on each. Each
answer goes through every Schemathesis check (see ``CHECKS``): no 5xx, a
documented status code, content type, headers and body, the refusals of missing
headers, unsupported methods and requests without the credentials, and the two
data checks: a request the schema calls valid is accepted, one it calls invalid
is refused. The schema states what the server checks (enums, formats, text
rules, "one of these fields"); ``UNSTATABLE_REFUSALS`` lists, with reasons, the
refusals of valid requests that no schema can state.

Generated ids rarely name a real object, so a hook puts the user's own ids into
most path parameters and id fields of bodies (``schemathesis_support.Seeded``).
Rate limits are off (a 429 would hide the answer behind it); usage limits are
the enterprise plan's.

Nothing is excluded. What it cannot reach well, and why:

- Binary uploads (``image``, ``images[]``, ``file``, ``photo``) get the bytes
  Schemathesis generates, which are never a real image: these operations are
  fuzzed for their refusals (400/413/415/422, or the 503 below), not their
  success path. The upload corpus tests (H2) cover real and hostile files.
- The image engine is a scripted stand-in that answers at once, so staging
  gets past its engine check. Operations that start other AI work answer
  their documented 503 (``AI_SERVICE_UNAVAILABLE``,
  ``CONTENT_GENERATION_FAILED``) at once; that 503 is the one 5xx accepted,
  and only where the operation documents it.
- WebSockets (``/ws/...``, ``/api/v1/ws/updates``) are not in the OpenAPI
  schema; tests/jobs and tests/personas cover them.
"""

import hypothesis
import hypothesis.stateful
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection, positive_data_acceptance

from config.ai import registry
from tests.hardening.schemathesis_support import Seeded
from tests.staging.conftest import ScriptedGenerator

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
# The coverage phase adds an unbounded number of boundary cases per operation; CI's budget needs a bound.
schema.config.phases.update(phases=["examples", "fuzzing", "stateful"])
# Credentials are the user's real ones, sent on every request.
schema.config.generation.update(with_security_parameters=False)

# The running test's ids; hooks read them when Hypothesis draws a case.
SEEDED_IDS: dict[str, str] = {}


def _with_seeded(values: dict | None, seeded: dict) -> st.SearchStrategy:
    """Mostly the user's own ids (two in three), sometimes the generated values."""
    if not values:
        return st.just(values)
    known = {name: seeded[name] for name in values if name in seeded}
    if not known:
        return st.just(values)
    return st.sampled_from([{**values, **known}, {**values, **known}, values])


@schema.hook
def flatmap_case(context, case):
    """Put the user's ids into the path and body, except where a negative case broke them on purpose
    (an id swapped back in would make the broken request a valid one)."""
    components = case.meta.components if case.meta else {}
    negative = {location.value for location, info in components.items() if info.mode.is_negative}
    path = st.just(case.path_parameters) if "path" in negative else _with_seeded(case.path_parameters, SEEDED_IDS)
    body = st.just(case.body)
    if "body" not in negative and isinstance(case.body, dict):
        ids = {name: [value] if name.endswith("_ids") else value for name, value in SEEDED_IDS.items()}
        body = _with_seeded(case.body, ids)

    def seeded(parts):
        # A copy: Hypothesis may hand the same drawn case to several examples. Only what changed is
        # set, since Schemathesis re-checks a set component against the schema.
        drawn = case.derive(keep_auth=True)
        path_parameters, body = parts
        if path_parameters != case.path_parameters:
            drawn.path_parameters = path_parameters
        if body is not case.body:
            drawn.body = body
        return drawn

    return st.tuples(path, body).map(seeded)


def _error(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return body["error"] if isinstance(body.get("error"), dict) else body


def error_code(response) -> str:
    """The app's error code in any of the five envelopes ("" for catalog's ``{"detail"}``)."""
    error = _error(response)
    return str(error.get("code", error.get("error_code", "")))


def error_message(response) -> str:
    error = _error(response)
    return str(error.get("message", error.get("detail", "")))


def no_server_error(ctx, response, case) -> None:
    """``not_a_server_error``, except a 5xx the operation documents with one of its domain codes.

    That is an engine the suite does not configure (``AI_SERVICE_UNAVAILABLE`` 503, answered at
    once) or a status a seed document fixes (floor plans' ``ANALYSIS_FAILED`` 500). An unhandled
    error (``INTERNAL_ERROR``, or catalog's bare ``{"detail"}``) always fails.
    """
    documented = str(response.status_code) in case.operation.definition.raw.get("responses", {})
    if documented and error_code(response) not in ("", "INTERNAL_ERROR"):
        return None
    return not_a_server_error(ctx, response, case)


# Refusals of schema-valid requests that no schema can state, each with its reason: the object's
# state (content not approved yet, a room without its photos), the world outside (a platform, an
# uploaded file's bytes), rules over several fields or in words. Matched by operation, error code
# and the start of the message, so any other refusal of valid data still fails.
UNSTATABLE_REFUSALS = {
    # A RoomPlan export's inner structure (walls with 4x4 transforms that meet and do not cross).
    ("POST /api/floorplan/sessions/{session_id}/scans", "VALIDATION_ERROR", ""),
    ("POST /api/floorplan/sessions/{session_id}/scans", "UNSUPPORTED_SCAN_SHAPE", ""),
    # The PNG's pixels depend on the plan's size as well as on dpi.
    ("GET /api/floorplan/sessions/{session_id}/export/{export_format}", "VALIDATION_ERROR", "At "),
    # State: what the object must have been through first.
    ("POST /api/floorplan/sessions/{session_id}/finalize", "VALIDATION_ERROR", "Merge at least one room"),
    ("POST /api/floorplan/sessions/{session_id}/merge/revise", "VALIDATION_ERROR", "Merge at least one room"),
    ("POST /api/floorplan/sessions/{session_id}/finalize/revise", "VALIDATION_ERROR", "The plan is not finalized"),
    # A revision number the room has reached (a stateful run can draw a link's number before it exists).
    ("POST /api/floorplan/sessions/{session_id}/rooms/{room_id}/revisions/{number}/restore", "VALIDATION_ERROR",
     "Room "),
    ("POST /api/floorplan/sessions/{session_id}/rooms/{room_id}/analyze", "PHOTOS_INCOMPLETE", ""),
    ("POST /api/floorplan/sessions/{session_id}/rooms/{room_id}/revise", "PHOTOS_INCOMPLETE", ""),
    ("POST /api/v1/posts", "CONTENT_NOT_APPROVED", ""),
    ("POST /api/v1/scheduled-posts", "CONTENT_NOT_APPROVED", ""),
    ("PUT /api/v1/scheduled-posts/{scheduled_post_id}", "CONTENT_NOT_APPROVED", ""),
    ("POST /api/v1/posts/{post_id}/sync", "VALIDATION_ERROR", "Only published posts"),
    ("POST /api/v1/batch", "", "Some image IDs are invalid"),  # images uploaded to that product
    ("POST /api/v1/products/fix", "", "Some product IDs are invalid"),  # the user's products
    ("POST /api/v1/products/fix", "", "No analysed main image fails"),  # analyses that failed a rule
    # The clock: a schedule must lie ahead of it.
    ("POST /api/v1/scheduled-posts", "VALIDATION_ERROR", "scheduled_at must be in the future"),
    ("PUT /api/v1/scheduled-posts/{scheduled_post_id}", "VALIDATION_ERROR", "scheduled_at must be in the future"),
    ("POST /api/v1/posts", "VALIDATION_ERROR", "scheduled_at must be in the future"),
    # The world outside: the platform (the seeded account's server is not a real one).
    ("POST /api/v1/platforms/accounts/{account_id}/sync", "PLATFORM_CONNECTION_FAILED", ""),
    # ... and this deployment's configuration: a platform with no app here, a site that is not https.
    ("POST /api/v1/platforms/{platform}/connect", "PLATFORM_CONNECTION_FAILED", ""),
    # Bytes: generated binary or base64 is never a real image or video.
    ("PUT /api/floorplan/sessions/{session_id}/rooms/{room_id}/photos/{direction}", "INVALID_IMAGE_FORMAT", ""),
    ("POST /api/v1/uploads/direct", "", "The file is not a recognised image"),
    ("POST /api/v1/characters", "VALIDATION_ERROR", "appearance.face_reference_image: "),
    ("PUT /api/v1/characters/{character_id}", "VALIDATION_ERROR", "appearance.face_reference_image: "),
    ("POST /api/v1/content", "VALIDATION_ERROR", "media["),
    ("POST /api/v1/characters", "VALIDATION_ERROR", "profile_image: "),
    ("PUT /api/v1/characters/{character_id}", "VALIDATION_ERROR", "profile_image: "),
    ("POST /api/floorplan/sessions/{session_id}/merge/revise", "INVALID_IMAGE_FORMAT", ""),
    ("POST /api/floorplan/sessions/{session_id}/finalize/revise", "INVALID_IMAGE_FORMAT", ""),
    ("POST /api/floorplan/sessions/{session_id}/rooms/{room_id}/revise", "INVALID_IMAGE_FORMAT", ""),
    # Rows staff edit: styles (GET /api/styles lists them).
    ("POST /api/stage", "INVALID_STYLE", ""),
    ("POST /api/stage/batch", "INVALID_STYLE", ""),
    ("POST /api/stage/room-set", "INVALID_STYLE", ""),
    # Rules over several fields, or in a language: a trigger's config by its type, a platform's
    # own needs (Mastodon's instance), template and recurrence syntax, a room's geometry.
    ("POST /api/v1/automation-rules", "VALIDATION_ERROR", "A schedule trigger needs"),
    ("PUT /api/v1/automation-rules/{rule_id}", "VALIDATION_ERROR", "A schedule trigger needs"),
    ("POST /api/v1/automation-rules", "VALIDATION_ERROR", "trigger_config."),
    ("PUT /api/v1/automation-rules/{rule_id}", "VALIDATION_ERROR", "trigger_config."),
    ("POST /api/v1/automation-rules", "VALIDATION_ERROR", "prompt_template: "),
    ("PUT /api/v1/automation-rules/{rule_id}", "VALIDATION_ERROR", "prompt_template: "),
    ("POST /api/v1/automation-rules", "VALIDATION_ERROR", "caption_template: "),
    ("PUT /api/v1/automation-rules/{rule_id}", "VALIDATION_ERROR", "caption_template: "),
    ("POST /api/v1/platforms/{platform}/connect", "VALIDATION_ERROR", "server_url is required"),
    ("POST /api/v1/platforms/{platform}/connect", "VALIDATION_ERROR", "auth_type must be"),
    ("POST /api/v1/posts", "VALIDATION_ERROR", "additional_content_ids and mentions need publish_immediately"),
    ("PUT /api/floorplan/sessions/{session_id}/rooms/{room_id}/analysis", "VALIDATION_ERROR", "analysis."),
    ("POST /api/floorplan/sessions/{session_id}/rooms", "VALIDATION_ERROR", "A room of type 'other' needs a label"),
    ("PATCH /api/floorplan/sessions/{session_id}/rooms/{room_id}", "VALIDATION_ERROR",
     "A room of type 'other' needs a label"),
    # Arithmetic: a GTIN's check digit (the schema states its digits and length).
    ("POST /api/v1/products", "", "gtin "),
    ("PATCH /api/v1/products/{product_id}", "", "gtin "),
    # Django's password validators: not a common password, not like the email, not all digits.
    ("POST /api/v1/auth/register", "", "This password is"),
    ("POST /api/v1/auth/register", "", "The password is too similar"),
    # Meaning in words: a design prompt must name something the rules know, a revision something to change.
    ("POST /api/v1/generate", "VALIDATION_ERROR", "No design type was recognised"),
    ("POST /api/stage/{staging_id}/revise", "VALIDATION_ERROR", "The instruction names nothing"),
    ("POST /api/stage/{staging_id}/revise", "VALIDATION_ERROR", "Write what to change"),
    ("POST /generate", "VALIDATION_ERROR", "No design type was recognised"),
}


def unstatable_refusal(response, case) -> bool:
    code, message = error_code(response), error_message(response)
    return any(label == case.operation.label and code == want and message.startswith(start)
               for label, want, start in UNSTATABLE_REFUSALS)


def valid_data_accepted(ctx, response, case) -> None:
    """``positive_data_acceptance``, but for the refusals listed in ``UNSTATABLE_REFUSALS``."""
    if unstatable_refusal(response, case):
        return None
    return positive_data_acceptance(ctx, response, case)


# Every check Schemathesis has runs: status codes, content types, response headers and bodies,
# missing required headers, unsupported methods, ignored credentials, and the two data checks
# (valid data accepted, invalid data refused). ``no_server_error`` replaces
# ``not_a_server_error``, ``valid_data_accepted`` replaces ``positive_data_acceptance``.
def invalid_data_refused(ctx, response, case) -> None:
    """``negative_data_rejection``, for cases generated negative.

    Putting the user's ids into a generated valid case makes Schemathesis check the changed
    parts against the schema again, and it takes a multipart body holding a file for invalid
    (it cannot match bytes to ``format: binary``); the case was valid as generated.
    """
    if case.meta and case.meta.phase.data.description == "Positive test case":
        return None
    return negative_data_rejection(ctx, response, case)


EXCLUDED = [not_a_server_error, positive_data_acceptance, negative_data_rejection]
CHECKS = [no_server_error, valid_data_accepted, invalid_data_refused]


@pytest.fixture
def image_engine(monkeypatch):
    """An image engine that answers at once (the room as sent), so staging is fuzzed past its 503."""
    engine = ScriptedGenerator(lambda request: request.sized_init())
    monkeypatch.setattr(registry, "image_generator", lambda: engine)
    return engine


@pytest.fixture
def seeded(owner, settings, queued, image_engine):
    """The owner's credentials and objects; rate limits off; jobs captured instead of queued."""
    settings.RATELIMIT_ENABLE = False
    # Django's WSGI handler closes the connection when a request ends, which would end the
    # test's transaction; Django's test client unhooks the same signal handler.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    seeded = Seeded.create(owner)
    SEEDED_IDS.update(seeded.ids)
    yield seeded
    SEEDED_IDS.clear()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(max_examples=8, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, seeded):
    case.call_and_validate(headers=seeded.headers, excluded_checks=EXCLUDED, additional_checks=CHECKS)


class LinkedCalls(schema.as_state_machine()):
    """Schemathesis's stateful run: a create, then the operations its OpenAPI links name, with the new id.

    Each step's answer goes through the same checks as above but two, which the
    per-operation test runs: ``ignored_auth`` (here Schemathesis counts headers a
    step adds as generated credentials, so it would flag the user's real ones) and
    ``invalid_data_refused`` (here Schemathesis fills ids from earlier answers after
    a negative case is drawn, so a broken id can arrive as a real one).
    ``headers`` is set by the test from the seeded user before the machine runs.
    """

    headers: dict[str, str] = {}

    def setup(self):
        # Each run of steps starts from the seeded objects: what one run made is rolled back.
        self._run = transaction.atomic()
        self._run.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._run.__exit__(None, None, None)

    def before_call(self, case):
        case.headers = {**(case.headers or {}), **self.headers}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(response, excluded_checks=[*EXCLUDED, ignored_auth],
                               additional_checks=[no_server_error, valid_data_accepted], transport_kwargs=kwargs)


@pytest.mark.django_db
def test_linked_operations_answer_as_documented(seeded, monkeypatch):
    monkeypatch.setattr(LinkedCalls, "headers", seeded.headers)
    hypothesis.stateful.run_state_machine_as_test(
        LinkedCalls, settings=hypothesis.settings(max_examples=100, stateful_step_count=5, deadline=None,
                                                  derandomize=True, database=None, phases=[Phase.generate],
                                                  suppress_health_check=list(HealthCheck)))
