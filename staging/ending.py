"""What a staging job's end does beyond the row, which reads its job: tell the owner's webhooks.

``on_job_finished`` is the ``on_finish`` of every staging job (see
``config.jobs.ending``). It sits beside ``services`` and ``api`` rather than in
either, because the webhook carries the staging as the API answers it.
"""

from config.jobs.models import Job
from config.webhooks import services as webhooks
from staging import services
from staging.api.serializers import StagingStatusSerializer
from staging.models import Staging


def on_job_finished(job: Job) -> None:
    """Emit ``staging.completed`` with the staging as ``GET /api/stage/{id}`` answers it, once per staging."""
    staging = Staging.objects.filter(job=job).select_related("style", "disclosure_profile", "job").first()
    if staging is None or staging.status != "completed":
        return
    webhooks.emit(job.owner_id, "staging.completed", StagingStatusSerializer(staging).data,
                  event_id=f"staging.completed:{staging.pk}")


def on_reference_finished(job: Job) -> None:
    """The end of a room set's first photo: what every staging's end does, then the set's other
    photos are queued again (completed) or failed with ``ROOM_SET_REFERENCE_FAILED``."""
    on_job_finished(job)
    services.release_room_set(job)
