"""django-q2 entry points of the designs app."""

import time

from config.jobs.models import Job
from config.jobs.runner import job_step, run_job
from designs import pipeline, rules, services
from designs.selectors import continued_spec


def run_generation(job_id: str) -> None:
    """Generate with the language model (queued by ``services.generate``; the request waits for it)."""
    run_job(job_id, _generate)


def _generate(job: Job) -> dict:
    """Load the request and the spec it continues, ask the model (or the rules), save the version."""
    params = job.params
    request = pipeline.DesignInput(**params["request"])
    spec, previous = continued_spec(job.owner, params.get("spec_id"))
    classification = rules.Classification(**params["classification"]) if params.get("classification") else None
    started = time.monotonic()
    with job_step(job, "language_model", fraction=0.8) as step:
        outcome = pipeline.with_language_model(request, classification, previous)
        step.data = {"generator": outcome.generator, "repairs": outcome.repairs,
                     "corrections": len(outcome.corrections)}
    with job_step(job, "save", fraction=1.0):
        version = services.save_version(job.owner, spec, request, outcome, job=job,
                                        processing_ms=int((time.monotonic() - started) * 1000))
    return {"spec_id": str(version.spec_id), "version_id": version.pk, "version": version.label}
