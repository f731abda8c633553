"""Every write the designs app performs; the API, the pages and the admin call these.

The rules answer within the request (milliseconds). The language model runs as a
job on the default cluster while the request waits for it (up to
``DESIGNS_WAIT_SECONDS``): under ASGI each request runs in its own thread, so a
wait holds one thread, not the site (an async view would not help while
WhiteNoise's middleware is sync-only).
"""

import dataclasses
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from config.accounts import services as accounts
from config.errors import ValidationFailed
from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from designs import diff, pipeline, preview
from designs.choices import Endpoint
from designs.errors import GenerationFailed
from designs.models import DesignRequest, DesignSpec, DesignVersion
from designs.pipeline import DesignInput, Outcome
from designs.selectors import continued_spec

JOB_KIND = "designs.generate"
TASK = "designs.tasks.run_generation"
MAX_STYLE_CHARS = 200
MAX_CONSTRAINTS, MAX_CONSTRAINT_CHARS = 50, 500


@dataclasses.dataclass(frozen=True)
class RequestAudit:
    """Who sent an API request and when it started: ``generate`` writes its audit row on success."""

    key_prefix: str
    ip: str | None
    endpoint: str
    started: float  # time.monotonic() when the request arrived

    def record(self, user, version: DesignVersion) -> DesignRequest:
        """The answered request's row (200), its time measured up to now."""
        return record_request(user=user, key_prefix=self.key_prefix, ip=self.ip, endpoint=self.endpoint,
                              status_code=200, version=version,
                              processing_ms=int((time.monotonic() - self.started) * 1000))


def generate(owner, *, prompt: str, context: dict | None = None, style: str = "",
             constraints: list[str] | tuple[str, ...] = (), source: str = Endpoint.PAGE,
             audit: RequestAudit | None = None) -> DesignVersion:
    """Make a new design, or the next version of ``context["spec_id"]``, and return the stored version.

    With ``audit`` (API requests) the answered request's audit row is written too: by the rules in
    the same transaction as the spec, the version and the usage (one commit per request); after
    the job with the language model. A refused request writes no row here: its caller records it.

    Raises ``NotFound`` (unknown or foreign spec id), ``NoDesignTypeRecognised``
    or ``NoChangeRecognised`` (400), ``UsageLimitExceeded`` (plan spent) and
    ``GenerationFailed`` (the model failed and fallback is off, or it did not
    answer in time). One unit of plan usage per version; refunded on failure.
    """
    request = DesignInput(prompt=prompt.strip(), context=dict(context or {}), style=style.strip(),
                          constraints=[item.strip() for item in constraints if item.strip()])
    check_limits(request)
    spec, previous = continued_spec(owner, request.context.get("spec_id"))
    classification = None if spec else pipeline.classify(request.prompt)
    if pipeline.uses_language_model():
        version = _generate_with_job(owner, spec, request, classification)
        if audit is not None:
            audit.record(owner, version)
        return version
    started = time.monotonic()
    outcome = pipeline.rule_based(request, previous)
    with transaction.atomic():
        version = save_version(owner, spec, request, outcome, processing_ms=int((time.monotonic() - started) * 1000))
        if audit is not None:
            audit.record(owner, version)
        # Counted last: the conditional UPDATE locks the user's row until the commit, and every
        # concurrent request of that user waits on it, so the lock is held for one statement only.
        # A refusal rolls the version and the audit row back (the view then records the refusal).
        accounts.consume_usage(owner)
    return version


def check_limits(request: DesignInput) -> None:
    """The request limits the API and the pages share; ``ValidationFailed`` (400) names the field."""
    limit = settings.DESIGNS_MAX_PROMPT_CHARS
    if not request.prompt:
        raise ValidationFailed("prompt: This field may not be blank.")
    if len(request.prompt) > limit:
        raise ValidationFailed(f"prompt: Ensure this field has no more than {limit} characters.")
    if len(request.style) > MAX_STYLE_CHARS:
        raise ValidationFailed(f"style: Ensure this field has no more than {MAX_STYLE_CHARS} characters.")
    if len(request.constraints) > MAX_CONSTRAINTS:
        raise ValidationFailed(f"constraints: At most {MAX_CONSTRAINTS} constraints.")
    if any(len(item) > MAX_CONSTRAINT_CHARS for item in request.constraints):
        raise ValidationFailed(f"constraints: Keep each constraint within {MAX_CONSTRAINT_CHARS} characters.")


def _generate_with_job(owner, spec: DesignSpec | None, request: DesignInput, classification) -> DesignVersion:
    params = {"request": request.as_params(), "spec_id": str(spec.pk) if spec else None,
              "classification": dataclasses.asdict(classification) if classification else None}
    job = jobs.create_job(owner, kind=JOB_KIND, task=TASK, params=params, max_attempts=1,
                          timeout_seconds=int(settings.DESIGNS_WAIT_SECONDS), notify_owner=False)
    job.refresh_from_db()
    if job.enqueued_at is None and not job.is_finished:
        # The broker refused the task (Redis down): answer now rather than wait for a job that cannot run.
        jobs.cancel_job(owner, job_id=job.pk)
        raise GenerationFailed("LM inference failed: the task queue is unavailable.")
    job = jobs.wait_for_job(job, timeout=settings.DESIGNS_WAIT_SECONDS)
    if job.status == JobStatus.COMPLETED:
        return DesignVersion.objects.select_related("spec").get(pk=job.result["version_id"])
    if job.status != JobStatus.FAILED:
        jobs.cancel_job(owner, job_id=job.pk)
        raise GenerationFailed(f"LM inference failed: no answer within {settings.DESIGNS_WAIT_SECONDS:g} s.")
    if job.error_code == ValidationFailed.code:  # the rules, answering for the model, found nothing to change
        raise ValidationFailed(job.error_message)
    raise GenerationFailed(job.error_message if job.error_message.startswith("LM inference failed")
                           else f"LM inference failed: {job.error_message}")


def save_version(owner, spec: DesignSpec | None, request: DesignInput, outcome: Outcome, *,
                 job: Job | None = None, processing_ms: int = 0) -> DesignVersion:
    """Store ``outcome`` as version 1.0 of a new spec or as the next version of ``spec``."""
    # Inside generate()'s transaction a savepoint would only add two statements: any error here
    # rolls the whole request back (usage included) anyway.
    with transaction.atomic(savepoint=False):
        if spec is None:
            spec = DesignSpec.objects.create(owner=owner, name=outcome.draft.name[:200],
                                             design_type=outcome.draft.design_type,
                                             category=outcome.draft.category,
                                             last_object_number=outcome.last_object_number)
            previous, minor = None, 0
        else:
            spec = DesignSpec.objects.select_for_update().get(pk=spec.pk)
            previous = spec.current_version
            minor = previous.minor + 1
        label = f"1.{minor}"
        spec_json = pipeline.assemble(str(spec.pk), outcome, request, label=label, created_at=spec.created_at,
                                      author=owner.email)
        version = DesignVersion.objects.create(
            spec=spec, minor=minor, prompt=request.prompt, context=request.context, style=request.style,
            constraints=request.constraints, spec_json=spec_json,
            diff=diff.diff(previous.spec_json["objects"], outcome.objects) if previous else {},
            generator=outcome.generator, model=outcome.model, input_tokens=outcome.input_tokens,
            output_tokens=outcome.output_tokens, repairs=outcome.repairs, corrections=outcome.corrections,
            fallback_reason=outcome.fallback_reason, processing_ms=processing_ms, job=job, author=owner.email,
        )
        if previous is not None:  # a new spec was created with its numbers and time already
            spec.last_object_number = max(spec.last_object_number, outcome.last_object_number)
            spec.save(update_fields=["last_object_number", "updated_at"])
    return version


def record_request(*, user, key_prefix: str, ip: str | None, endpoint: str, status_code: int, error_code: str = "",
                   version: DesignVersion | None = None, processing_ms: int = 0) -> DesignRequest:
    """The audit row of one API request, whatever its outcome."""
    return DesignRequest.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None, key_prefix=key_prefix, ip=ip or None,
        endpoint=endpoint, status_code=status_code, error_code=error_code,
        spec_id=version.spec_id if version else None, version_label=version.label if version else "",
        processing_ms=processing_ms,
    )


def preview_png(version: DesignVersion) -> bytes:
    """The version's isometric PNG: rendered and stored on first use, read back after."""
    key = f"designs/previews/{version.spec_id}/{version.pk}.png"
    if default_storage.exists(key):
        with default_storage.open(key, "rb") as stored:
            return stored.read()
    content = preview.render_png(version.spec_json)
    default_storage.save(key, ContentFile(content))
    return content
