"""``WS /api/v1/ws/updates``: a user's persona events, ``{"type", "data", "timestamp"}``.

Login cookie or ``?token=<access JWT>``; close 4001 without either. New
events only, unless ``?after=<id>`` asks for a replay from that event.
"""

from urllib.parse import parse_qs

from config.jobs.consumers import EventStreamConsumer
from personas.events import updates_group
from personas.models import PersonaEvent


class PersonaUpdatesConsumer(EventStreamConsumer):
    async def authorize(self) -> bool:
        self.group_name = updates_group(self.user.pk)
        return True

    def _initial_cursor(self) -> int:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        if "after" in query:
            return super()._initial_cursor()
        latest = PersonaEvent.objects.filter(owner=self.user).order_by("-id").values_list("id", flat=True).first()
        return latest or 0

    def fetch_events(self) -> list[PersonaEvent]:
        return list(PersonaEvent.objects.filter(owner=self.user, id__gt=self.cursor).order_by("id")[:500])
