"""Plan assembly and finalization: merge, merge/revise, finalize, finalize/revise."""

import pytest

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from floorplans import services
from floorplans.models import FloorplanSession
from tests.floorplans.calls import error_of, png_data_url, session_url
from tests.floorplans.factories import MeasuredRoomFactory, RoomFactory, analysis
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

DOOR = {"type": "door", "position": 5.0, "width": 2.67}
FOOTPRINT = {"width": 27.0, "height": 17.0, "shape": "rectangle", "roofOverhangEstimate": 1.0}


def two_rooms(session):
    """Bedroom#1 with a door east, Bedroom#2 with a door west: the document's pair, not merged yet."""
    return (MeasuredRoomFactory(session=session, analysis=analysis(east=[DOOR])),
            MeasuredRoomFactory(session=session, analysis=analysis(west=[DOOR])))


@pytest.fixture
def merged(session):
    first, second = two_rooms(session)
    services.merge_room(session, new_room_id=second.pk, adjacent_room_id=first.pk, direction="east",
                        connection_type="door")
    return first, second


@pytest.fixture
def finalized(session, merged):
    services.set_house_bounds(session, bounds=FOOTPRINT)
    services.finalize(session)
    return merged


def message_parts(request) -> list[dict]:
    return [part for message in request.body["messages"] if isinstance(message["content"], list)
            for part in message["content"]]


def test_merge_two_rooms_east_west_gives_the_documents_positions(fp, session):
    first, second = (str(room.pk) for room in two_rooms(session))
    response = fp.post(session_url(session, "merge"), {
        "newRoomId": second, "adjacentRoomId": first, "direction": "east", "connectionType": "door"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["roomPositions"] == {first: {"x": 0, "y": 0}, second: {"x": 12.0, "y": 0}}
    assert body["totalDimensions"] == {"width": 24.0, "height": 14.0}
    assert body["sharedWalls"] == [{"rooms": [first, second], "wall": "east/west", "reconciled": True,
                                    "lengthDiscrepancy": 0.0}]
    assert body["mergedPlanSvg"].startswith("<svg") and body["overlaps"] == []
    assert body["changesApplied"][0] == "Placed Bedroom#2 east of Bedroom#1"


def test_merging_a_room_without_an_analysis_is_refused(fp, session):
    measured, bare = MeasuredRoomFactory(session=session), RoomFactory(session=session)
    response = fp.post(session_url(session, "merge"), {
        "newRoomId": str(bare.pk), "adjacentRoomId": str(measured.pk), "direction": "east"}, format="json")
    assert response.status_code == 400 and "has no analysis yet" in error_of(response)["message"]


def test_merging_a_room_of_another_session_is_room_not_found(fp, session, owner):
    measured, elsewhere = MeasuredRoomFactory(session=session), MeasuredRoomFactory(session__owner=owner)
    response = fp.post(session_url(session, "merge"), {
        "newRoomId": str(elsewhere.pk), "adjacentRoomId": str(measured.pk), "direction": "east"}, format="json")
    assert response.status_code == 404 and error_of(response)["code"] == "ROOM_NOT_FOUND"


def test_merge_revise_without_a_model_says_how_to_move_rooms_by_hand(fp, session, merged):
    response = fp.post(session_url(session, "merge", "revise"), {"feedback": "shift down"}, format="json")
    assert response.status_code == 500
    assert error_of(response)["code"] == "ANALYSIS_FAILED" and "PATCH" in error_of(response)["message"]
    assert not Job.objects.exists()


def test_merge_revise_before_any_merge_is_a_validation_error(fp, session, vision):
    two_rooms(session)
    response = fp.post(session_url(session, "merge", "revise"), {"feedback": "shift down"}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
    assert vision.requests == [] and not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_merge_revise_sends_the_feedback_and_drawing_and_moves_the_room(fp, session, merged, vision, inline_jobs):
    _, second = merged
    services.set_house_bounds(session, bounds=FOOTPRINT)
    services.finalize(session)
    vision.reply(openai_chat_reply({"moves": [{"roomId": str(second.pk), "dx": 0, "dy": 2.0}],
                                    "changesApplied": ["Shifted Bedroom#2 south by 2.0 ft to align door positions"]}))
    response = fp.post(session_url(session, "merge", "revise"), {
        "feedback": "Bedroom#2 needs to shift down about 2 feet", "annotationImage": png_data_url()}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"mergedPlanSvg", "roomPositions", "changesApplied"}
    assert body["roomPositions"][str(second.pk)] == {"x": 12.0, "y": 2.0}
    assert body["changesApplied"] == ["Shifted Bedroom#2 south by 2.0 ft to align door positions"]
    parts = message_parts(vision.requests[0])
    assert any("shift down about 2 feet" in part.get("text", "") for part in parts)
    assert [part["image_url"]["url"][:22] for part in parts if part["type"] == "image_url"] == [
        "data:image/png;base64,"]
    session.refresh_from_db()
    assert not session.is_finalized  # a moved plan needs calibrating again
    assert Job.objects.get().kind == "floorplans.merge_revision"


@pytest.mark.django_db(transaction=True)
def test_a_merge_revision_moving_a_room_not_on_the_plan_is_analysis_failed(fp, session, merged, vision,
                                                                           inline_jobs):
    before = FloorplanSession.objects.get(pk=session.pk).room_positions
    vision.reply(openai_chat_reply({"moves": [{"roomId": "room_unknown", "dx": 1, "dy": 0}], "changesApplied": []}))
    response = fp.post(session_url(session, "merge", "revise"), {"feedback": "move it"}, format="json")
    assert response.status_code == 500 and "not on the plan" in error_of(response)["message"]
    assert FloorplanSession.objects.get(pk=session.pk).room_positions == before


def test_finalize_calibrates_to_the_entered_footprint(fp, session, merged):
    assert error_of(fp.post(session_url(session, "finalize")))["code"] == "VALIDATION_ERROR"  # no footprint yet
    fp.put(session_url(session, "house-bounds"), {"houseBounds": FOOTPRINT}, format="json")
    response = fp.post(session_url(session, "finalize"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"finalPlanSvg", "calibration", "isFinalized"}
    assert body["isFinalized"] is True and body["finalPlanSvg"].startswith("<svg")
    calibration = body["calibration"]
    assert calibration["scaleFactor"] == 1.0 and calibration["overallDimensions"] == {"width": 25.0, "height": 15.0}
    assert any("overhang" in line for line in calibration["adjustments"])
    assert calibration["scaleReference"] == "1 inch = 4 feet"


def test_finalize_revise_before_finalize_is_a_validation_error_and_stays_unfinalized(fp, session, merged, vision):
    services.set_house_bounds(session, bounds=FOOTPRINT)
    response = fp.post(session_url(session, "finalize", "revise"), {"feedback": "Kitchen is 2 ft too wide"},
                       format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR" and "not finalized" in error["message"]
    assert fp.get(session_url(session)).json()["isFinalized"] is False
    assert vision.requests == [] and not Job.objects.exists()


def test_finalize_revise_without_a_model_is_analysis_failed(fp, session, finalized):
    response = fp.post(session_url(session, "finalize", "revise"), {"feedback": "too wide"}, format="json")
    assert response.status_code == 500 and error_of(response)["code"] == "ANALYSIS_FAILED"


@pytest.mark.django_db(transaction=True)
def test_finalize_revise_resizes_rooms_and_finalizes_again(fp, session, finalized, vision, inline_jobs):
    first, _ = finalized
    vision.reply(openai_chat_reply({"resizes": [{"roomId": str(first.pk), "width": 11.0, "height": 14.0}],
                                    "changesApplied": ["Narrowed Bedroom#1 to 11.0 ft"]}))
    response = fp.post(session_url(session, "finalize", "revise"), {"feedback": "Bedroom#1 is a foot too wide"},
                       format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"finalPlanSvg", "calibration", "isFinalized", "changesApplied"}
    assert body["isFinalized"] is True and body["changesApplied"] == ["Narrowed Bedroom#1 to 11.0 ft"]
    first.refresh_from_db()
    assert first.analysis["dimensions"]["width"] == 11.0 and first.revision_number == 2
    assert first.revisions.get(number=2).feedback == "Bedroom#1 is a foot too wide"
    assert fp.get(session_url(session)).json()["isFinalized"] is True
    assert Job.objects.get().status == JobStatus.COMPLETED
