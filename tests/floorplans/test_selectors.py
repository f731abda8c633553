"""Reads scoped to their owner: another user's ids read as missing ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import NotFound
from floorplans import selectors
from floorplans.errors import RoomNotFound, SessionExpired, SessionNotFound
from tests.floorplans.factories import FloorplanSessionFactory, MeasuredRoomFactory, RoomFactory, RoomRevisionFactory

pytestmark = pytest.mark.django_db


def test_another_users_session_is_not_found(owner, other_user):
    theirs = FloorplanSessionFactory(owner=other_user)
    with pytest.raises(SessionNotFound) as caught:
        selectors.session_for(owner, theirs.pk)
    assert isinstance(caught.value, NotFound)


def test_an_expired_session_is_session_expired(owner):
    session = FloorplanSessionFactory(owner=owner, expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(SessionExpired):
        selectors.session_for(owner, session.pk)


def test_a_room_is_found_only_in_its_own_session(owner):
    room = RoomFactory(session__owner=owner)
    other = FloorplanSessionFactory(owner=owner)
    assert selectors.room_for(owner, room.session_id, room.pk) == room
    with pytest.raises(RoomNotFound):
        selectors.room_for(owner, other.pk, room.pk)


def test_another_users_room_is_session_not_found(owner, other_user):
    room = RoomFactory(session__owner=other_user)
    with pytest.raises(SessionNotFound):
        selectors.room_for(owner, room.session_id, room.pk)


def test_sessions_for_lists_only_the_owners_sessions_with_their_room_counts(owner, other_user):
    mine = FloorplanSessionFactory(owner=owner)
    RoomFactory.create_batch(2, session=mine)
    FloorplanSessionFactory(owner=other_user)
    assert [(s.pk, s.room_count) for s in selectors.sessions_for(owner)] == [(mine.pk, 2)]


def test_revisions_come_oldest_first(owner):
    room = MeasuredRoomFactory(session__owner=owner)
    RoomRevisionFactory(room=room, number=2)
    assert [r.number for r in selectors.revisions_of(room)] == [1, 2]
