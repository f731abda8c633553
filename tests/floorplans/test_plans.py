"""Rows to geometry to drawings (floorplans/plans.py): reads the session, writes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.errors import ValidationFailed
from floorplans import plans, services
from floorplans.errors import AnalysisFailed
from tests.floorplans.factories import MeasuredRoomFactory, RoomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_rooms(session):
    return MeasuredRoomFactory(session=session), MeasuredRoomFactory(session=session)


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def test_merging_moving_and_calibrating_write_nothing(session, two_rooms):
    first, second = two_rooms
    with CaptureQueriesContext(connection) as queries:
        result = plans.merged(session, second, first, direction="east", connection_type="door")
        assert plans.plan_svg(session, result.plan).startswith("<svg")
    assert writes(queries) == []
    services.merge_room(session, new_room_id=second.pk, adjacent_room_id=first.pk, direction="east",
                        connection_type="door")
    services.set_house_bounds(session, bounds={"width": 27.0, "height": 17.0, "shape": "rectangle",
                                               "roofOverhangEstimate": 1.0})
    with CaptureQueriesContext(connection) as queries:
        moved = plans.moved(session, [plans.Move(str(second.pk), 0.0, 2.0)])
        calibration = plans.calibrated(session)
    assert writes(queries) == []
    assert moved.room(str(second.pk)).position() == {"x": 12.0, "y": 2.0} and calibration.scale_factor == 1.0


def test_merging_a_room_without_an_analysis_says_so(session):
    measured, bare = MeasuredRoomFactory(session=session), RoomFactory(session=session)
    with pytest.raises(ValidationFailed, match="has no analysis yet"):
        plans.merged(session, bare, measured, direction="east", connection_type="door")


def test_moving_a_room_not_on_the_plan_is_analysis_failed(session, two_rooms):
    with pytest.raises(AnalysisFailed, match="not on the plan"):
        plans.moved(session, [plans.Move(str(two_rooms[0].pk), 1.0, 0.0)])


def test_calibrating_without_a_footprint_says_how_to_enter_one(session, two_rooms):
    first, second = two_rooms
    services.merge_room(session, new_room_id=second.pk, adjacent_room_id=first.pk, direction="east",
                        connection_type="door")
    with pytest.raises(ValidationFailed, match="house-bounds"):
        plans.calibrated(session)


def test_the_model_reads_only_analysed_rooms(session, two_rooms):
    RoomFactory(session=session)
    summaries = plans.room_summaries(session)
    assert [s["roomId"] for s in summaries] == [str(room.pk) for room in two_rooms]
    assert summaries[0] | {"roomId": "x"} == {"roomId": "x", "label": "Bedroom#1", "position": None, "width": 12.0,
                                              "height": 14.0}
