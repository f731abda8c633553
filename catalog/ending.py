"""What a catalog job's end does: settle the rows, then tell the owner's webhooks.

``on_job_finished`` is the ``on_finish`` of every catalog job (see
``config.jobs.ending``). It sits beside ``services`` and ``api`` rather than
in either, because the webhooks carry objects as the API answers them and
the API calls the services.
"""

from catalog import selectors
from catalog.api.serializers import AnalysisResultSerializer, ProcessingJobSerializer
from catalog.choices import KIND_PREFIX, AnalysisStatus, JobType
from catalog.models import AnalysisResult
from catalog.services import settling
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from config.webhooks import services as webhooks


def on_job_finished(job: Job) -> None:
    """Settle the job's images, analyses, units and products; then, if it completed, emit
    ``catalog.analysis.completed`` per analysis and ``catalog.batch.completed`` for a batch,
    once per object (stable event ids). Safe to run twice."""
    settling.settle_job(job)
    if job.status != JobStatus.COMPLETED:
        return
    for analysis in AnalysisResult.objects.filter(job=job, status=AnalysisStatus.COMPLETED):
        webhooks.emit(job.owner_id, "catalog.analysis.completed", AnalysisResultSerializer(analysis).data,
                      event_id=f"catalog.analysis.completed:{analysis.pk}")
    if job.kind == f"{KIND_PREFIX}{JobType.BATCH}":
        counted = selectors.job_for(job.owner, job.pk, catalog_only=True)
        webhooks.emit(job.owner_id, "catalog.batch.completed", ProcessingJobSerializer(counted).data,
                      event_id=f"catalog.batch.completed:{job.pk}")
