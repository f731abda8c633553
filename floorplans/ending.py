"""What a room analysis job's end does beyond answering the request: tell the owner's webhooks.

``on_analysis_finished`` is the ``on_finish`` of analysis jobs (see
``config.jobs.ending``). It sits beside ``services`` and ``api`` because the
webhook carries the room as the API answers it, and the API calls the services.
"""

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from config.webhooks import services as webhooks
from floorplans.api.serializers import RoomSerializer
from floorplans.models import Room


def on_analysis_finished(job: Job) -> None:
    """Emit ``floorplan.analysis.completed`` with the analysed room, once per analysis job."""
    if job.status != JobStatus.COMPLETED:
        return
    room = Room.objects.select_related("session").filter(pk=job.params.get("room_id")).first()
    if room is None:
        return
    webhooks.emit(job.owner_id, "floorplan.analysis.completed", RoomSerializer(room).data,
                  event_id=f"floorplan.analysis.completed:{job.pk}")
