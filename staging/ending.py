"""What a staging job's end does beyond the row, which reads its job: tell the owner's webhooks, send the next.

``on_job_finished`` is the ``on_finish`` of every staging job (see
``config.jobs.ending``). It sits beside ``services`` and ``api`` rather than in
either, because the webhook carries the staging as the API answers it.
"""

from config.jobs.models import Job
from config.webhooks import services as webhooks
from staging import services
from staging.api.serializers import StagingStatusSerializer
from staging.dispatch import dispatch
from staging.models import Staging


def on_job_finished(job: Job) -> None:
    """Emit ``staging.completed`` with the staging as ``GET /api/stage/{id}`` answers it, once per staging;
    then hand the broker the next waiting staging, as this one left the GPU (``staging.dispatch``)."""
    staging = Staging.objects.filter(job=job).select_related("style", "disclosure_profile", "job").first()
    if staging is not None and staging.status == "completed":
        webhooks.emit(job.owner_id, "staging.completed", StagingStatusSerializer(staging).data,
                      event_id=f"staging.completed:{staging.pk}")
    dispatch()


def on_reference_finished(job: Job) -> None:
    """The end of a room set's first photo: what every staging's end does, then the set's other
    photos are handed to the dispatcher (completed) or failed with ``ROOM_SET_REFERENCE_FAILED``."""
    services.release_room_set(job)
    on_job_finished(job)
