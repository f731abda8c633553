"""Reads shared by the API and the pages: sessions, rooms and revisions, scoped to their owner.

Another user's id reads exactly like a missing one (``SessionNotFound``,
``RoomNotFound``); a session past its 30 days is ``SessionExpired``.
"""

from django.db.models import Count, QuerySet

from floorplans.errors import RoomNotFound, SessionExpired, SessionNotFound
from floorplans.models import FloorplanSession, Room, RoomRevision


def sessions_for(owner) -> QuerySet[FloorplanSession]:
    """``owner``'s sessions, latest first, each with ``room_count`` (expired ones too, marked by ``is_expired``)."""
    return FloorplanSession.objects.for_user(owner).annotate(room_count=Count("rooms")).order_by("-updated_at")


def session_for(owner, session_id) -> FloorplanSession:
    """One of ``owner``'s sessions: ``SessionNotFound`` if it is not theirs, ``SessionExpired`` past its time."""
    session = FloorplanSession.objects.for_user(owner).filter(pk=session_id).first()
    if session is None:
        raise SessionNotFound(f"Session {session_id} not found.")
    if session.is_expired:
        raise SessionExpired(f"Session {session_id} expired on {session.expires_at:%Y-%m-%d}.")
    return session


def room_for(owner, session_id, room_id) -> Room:
    """A room of one of ``owner``'s sessions (``RoomNotFound`` if the session has no such room)."""
    return room_in(session_for(owner, session_id), room_id)


def room_in(session: FloorplanSession, room_id) -> Room:
    """A room of an already checked session (``RoomNotFound`` if it has no such room)."""
    room = session.rooms.filter(pk=room_id).first()
    if room is None:
        raise RoomNotFound(f"Room {room_id} not found in session {session.pk}.")
    room.session = session  # the checked row, with its satellite job
    return room


def rooms_of(session: FloorplanSession) -> list[Room]:
    """The session's rooms in order, photos prefetched."""
    return list(session.rooms.prefetch_related("photos").order_by("index"))


def revisions_of(room: Room) -> list[RoomRevision]:
    """Every analysis ``room`` has had, oldest first, with their authors."""
    return list(room.revisions.select_related("author").order_by("number"))


def latest_revision(room: Room) -> RoomRevision | None:
    return room.revisions.order_by("-number").first()
