"""Floor plan pages: sessions, the session hub's steps, the room page, exports."""

import base64
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from floorplans import services
from floorplans.choices import AnalysisSource
from floorplans.models import FloorplanSession
from tests.files.images import jpeg, png
from tests.floorplans.factories import (
    FloorplanSessionFactory,
    MeasuredRoomFactory,
    RoomFactory,
    RoomPhotoFactory,
    analysis,
    four_photos,
)
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

DOOR_EAST = {"east": [{"type": "door", "position": 5.0, "width": 2.67}]}
DOOR_WEST = {"west": [{"type": "door", "position": 5.0, "width": 2.67}]}


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def hub(session) -> str:
    return f"/floorplans/{session.pk}/"


def room_url(room) -> str:
    return f"/floorplans/{room.session_id}/rooms/{room.pk}/"


def measured(session, walls, *, type="bedroom"):
    return MeasuredRoomFactory(session=session, type=type, analysis=analysis(**walls))


def merged(session):
    first, second = measured(session, DOOR_EAST), measured(session, DOOR_WEST)
    services.merge_room(session, new_room_id=second.pk, adjacent_room_id=first.pk, direction="east",
                        connection_type="door")
    return first, second


def measurements(width="12", height="14", openings=(), **fields):
    """The measurements form as the page posts it: six opening rows, the given ones first."""
    rows = [*openings, *[("", "", "", "")] * (6 - len(openings))]
    data = {"width": width, "height": height, "ceiling_height": "8", "finished": "on", "grade": "above",
            "openings-TOTAL_FORMS": str(len(rows)), "openings-INITIAL_FORMS": "0",
            "openings-MIN_NUM_FORMS": "0", "openings-MAX_NUM_FORMS": "1000", **fields}
    for i, (wall, kind, position, width_) in enumerate(rows):
        data |= {f"openings-{i}-wall": wall, f"openings-{i}-type": kind, f"openings-{i}-position": position,
                 f"openings-{i}-width": width_}
    return data


def photo(direction="north"):
    return SimpleUploadedFile(f"{direction}.jpg", jpeg(), content_type="image/jpeg")


def photographed(room):
    four_photos(room)
    return room


# -- Sessions ---------------------------------------------------------------------------------------


def test_sessions_page_requires_sign_in(client):
    assert client.get("/floorplans/")["Location"].startswith("/accounts/login/")


def test_create_a_session_and_see_it_listed(signed_in, owner):
    response = signed_in.post("/floorplans/", {"address": "9 Elm Rd, Berkeley"})
    created = FloorplanSession.objects.get(owner=owner)
    assert response["Location"] == hub(created)
    page = signed_in.get("/floorplans/").content.decode()
    assert "9 Elm Rd, Berkeley" in page and "In progress" in page and "Floor plans" in page
    assert created.expires_at.strftime("%Y") in page


def test_a_session_without_an_address_shows_the_error(signed_in):
    response = signed_in.post("/floorplans/", {"address": "  "})
    assert response.status_code == 200
    assert 'class="error" role="alert"' in response.content.decode()
    assert not FloorplanSession.objects.exists()


def test_the_list_shows_rooms_step_and_finalized(signed_in, session):
    merged(session)
    services.set_house_bounds(session, bounds={"width": 28, "height": 18, "shape": "rectangle"})
    services.finalize(session)
    page = signed_in.get("/floorplans/").content.decode()
    assert "Finalized" in page and "<dd>2</dd>" in page


# -- The hub's steps --------------------------------------------------------------------------------


def test_a_new_session_starts_at_the_starting_corner_and_moves_on_to_rooms(signed_in, session):
    assert "Where do you start?" in signed_in.get(hub(session)).content.decode()
    response = signed_in.post(f"{hub(session)}corner", {"starting_corner": "SW"})
    assert response["Location"] == hub(session)
    session.refresh_from_db()
    assert session.starting_corner == "SW" and session.current_step == "room-type"
    assert "Add a room" in signed_in.get(hub(session)).content.decode()


def test_viewing_a_step_shows_it_and_writes_nothing(signed_in, session):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = signed_in.get(f"{hub(session)}?step=footprint").content.decode()
    assert "Save footprint" in page
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "floorplans_" in q["sql"]]
    assert writes == []
    session.refresh_from_db()
    assert session.current_step != "footprint"


def test_add_a_room_labels_it_and_opens_its_page(signed_in, session):
    response = signed_in.post(f"{hub(session)}rooms", {"type": "bedroom", "label": ""})
    room = session.rooms.get()
    assert room.label == "Bedroom#1"
    assert response["Location"] == room_url(room)
    page = signed_in.get(room_url(room)).content.decode()
    assert "<h1>Bedroom 1</h1>" in page  # the API keeps the document's label; pages say it in words
    assert page.count('accept="image/*" capture="environment"') == 4
    session.refresh_from_db()
    assert (session.current_step, session.current_room_index) == ("capture", 0)
    assert "Continue with Bedroom 1" in signed_in.get(hub(session)).content.decode()


def test_an_other_room_without_a_name_shows_the_error(signed_in, session):
    page = signed_in.post(f"{hub(session)}rooms", {"type": "other", "label": ""}).content.decode()
    assert "needs a label" in page
    assert not session.rooms.exists()


def test_the_rooms_step_shows_each_rooms_status(signed_in, session):
    room = measured(session, {})
    RoomPhotoFactory(room=room)
    services.update_room(room, fields={"review_status": "accepted"})
    page = signed_in.get(f"{hub(session)}?step=room-type").content.decode()
    assert "Photos 1/4" in page and "Measured" in page and "Accepted" in page


def test_house_footprint_entry_is_saved(signed_in, session):
    response = signed_in.post(f"{hub(session)}footprint", {"width": "29", "height": "18", "shape": "rectangle",
                                                           "roof_overhang": "1.5"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.house_bounds == {"width": 29.0, "height": 18.0, "shape": "rectangle",
                                    "roofOverhangEstimate": 1.5, "dataSource": "manual"}
    assert session.current_step == "merge"
    page = signed_in.get(f"{hub(session)}?step=footprint").content.decode()
    assert "29.0 \N{MULTIPLICATION SIGN} 18.0 ft" in page and "Entered by hand" in page and "configured" in page


def test_a_footprint_without_a_width_shows_the_error(signed_in, session):
    response = signed_in.post(f"{hub(session)}footprint", {"width": "", "height": "18", "shape": "rectangle"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    session.refresh_from_db()
    assert session.house_bounds is None


def test_merge_two_rooms_and_see_the_merged_plan(signed_in, session):
    first, second = measured(session, DOOR_EAST), measured(session, DOOR_WEST)
    response = signed_in.post(f"{hub(session)}merge", {"new_room": second.pk, "adjacent_room": first.pk,
                                                       "direction": "east", "connection_type": "door"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.room_positions[str(second.pk)] == {"x": 12.0, "y": 0.0}
    page = signed_in.get(response["Location"]).content.decode()
    assert "data-merged-plan><svg" in page
    assert "Placed Bedroom 2 east of Bedroom 1" in page
    assert "Bedroom 1 and Bedroom 2: east/west wall" in page


def test_merging_a_room_with_itself_shows_the_error(signed_in, session):
    first, _ = measured(session, DOOR_EAST), measured(session, DOOR_WEST)
    page = signed_in.post(f"{hub(session)}merge", {"new_room": first.pk, "adjacent_room": first.pk,
                                                   "direction": "east", "connection_type": "door"}).content.decode()
    assert "cannot be merged against itself" in page


def test_finalize_shows_the_final_plan_and_calibration(signed_in, session):
    merged(session)
    services.set_house_bounds(session, bounds={"width": 29, "height": 18, "shape": "rectangle",
                                               "roofOverhangEstimate": 1.5})
    response = signed_in.post(f"{hub(session)}finalize")
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_finalized
    page = signed_in.get(response["Location"]).content.decode()
    assert "data-final-plan><svg" in page
    assert f"{session.calibration['scaleFactor']}\N{MULTIPLICATION SIGN}" in page
    assert session.calibration["adjustments"][0] in page
    assert "Download PDF" in page
    assert "Letter (8.5 \N{MULTIPLICATION SIGN} 11 in)" in page and "Tabloid (11 \N{MULTIPLICATION SIGN} 17 in)" in page


def test_finalize_without_a_footprint_shows_why(signed_in, session):
    merged(session)
    page = signed_in.post(f"{hub(session)}finalize").content.decode()
    assert "The house footprint is missing" in page
    session.refresh_from_db()
    assert not session.is_finalized


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [
    ("svg", "image/svg+xml", b"<svg"), ("dxf", "application/dxf", b"0\nSECTION"), ("pdf", "application/pdf", b"%PDF"),
])
def test_exports_download_with_their_content_type(signed_in, session, fmt, content_type, magic):
    merged(session)
    response = signed_in.get(f"{hub(session)}export", {"format": fmt, "scale": "eighth", "paper": "tabloid"})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{slugify(session.address)}-floor-plan.{fmt}"' in response["Content-Disposition"]
    assert magic in b"".join(response.streaming_content)[:200]


def test_a_finalized_plan_is_listed_as_ready_whatever_step_was_last_open(signed_in, session):
    FloorplanSession.objects.filter(pk=session.pk).update(is_finalized=True, current_step="capture")

    page = signed_in.get("/floorplans/").content.decode()

    assert "Final plan ready" in page and "Taking photos" not in page


def test_an_export_before_any_merge_shows_the_error(signed_in, session):
    response = signed_in.get(f"{hub(session)}export", {"format": "pdf"})
    assert response.status_code == 200
    assert "There is no plan to export yet" in response.content.decode()


# -- The room page ----------------------------------------------------------------------------------


def test_a_photo_is_saved_with_its_compass_heading(signed_in, session):
    room = RoomFactory(session=session, type="kitchen")
    response = signed_in.post(f"{room_url(room)}photos/south", {"image": photo("south"), "compassHeading": "187.3"})
    assert response["Location"] == f"{room_url(room)}#photo-south"
    saved = room.photos.get()
    assert (saved.direction, saved.compass_heading) == ("south", 187.3)
    page = signed_in.get(room_url(room)).content.decode()
    assert "Heading 187°" in page and "1/4 photos" in page


def test_a_photo_that_is_not_an_image_shows_the_error(signed_in, session):
    room = RoomFactory(session=session, type="kitchen")
    bad = SimpleUploadedFile("north.jpg", b"not an image", content_type="image/jpeg")
    response = signed_in.post(f"{room_url(room)}photos/north", {"image": bad})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not room.photos.exists()


def test_manual_measurements_save_an_analysis_and_show_the_drawing(signed_in, session, owner):
    room = RoomFactory(session=session)
    response = signed_in.post(f"{room_url(room)}measurements",
                              measurements(openings=[("east", "door", "5", "2.67"), ("north", "window", "3", "4")],
                                           finished="", grade="below"))
    assert response["Location"] == f"{room_url(room)}#drawing"
    room.refresh_from_db()
    assert room.analysis["dimensions"] == {"width": 12.0, "height": 14.0, "confidence": 1.0}
    assert room.analysis["walls"]["east"] == [{"type": "door", "position": 5.0, "width": 2.67}]
    assert room.analysis["ceilingHeight"] == 8.0
    assert (room.analysis_source, room.finished, room.grade) == ("manual", False, "below")
    assert room.revisions.get().author == owner
    page = signed_in.get(room_url(room)).content.decode()
    assert "data-room-plan><svg" in page
    assert 'name="openings-0-position"' in page and 'value="2.67"' in page


def test_an_opening_outside_its_wall_shows_the_validation_message(signed_in, session):
    room = RoomFactory(session=session)
    response = signed_in.post(f"{room_url(room)}measurements",
                              measurements(openings=[("east", "door", "13", "2.67")]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-measurement-error" in page
    assert "ends at 15.67 ft but the wall is 14 ft long" in page
    room.refresh_from_db()
    assert room.analysis is None


def test_a_half_filled_opening_row_shows_the_error(signed_in, session):
    room = RoomFactory(session=session)
    page = signed_in.post(f"{room_url(room)}measurements",
                          measurements(openings=[("east", "door", "", "")])).content.decode()
    assert "or leave the row empty" in page


def test_accept_room(signed_in, session):
    room = measured(session, {})
    response = signed_in.post(f"{room_url(room)}accept")
    assert response["Location"] == hub(session)
    room.refresh_from_db()
    assert room.review_status == "accepted"
    assert "Bedroom 1 accepted." in signed_in.get(hub(session)).content.decode()


def test_a_room_without_measurements_cannot_be_accepted(signed_in, session):
    room = RoomFactory(session=session)
    response = signed_in.post(f"{room_url(room)}accept", follow=True)
    assert "needs an analysis before it can be accepted" in response.content.decode()
    room.refresh_from_db()
    assert room.review_status == "pending"


def test_restore_an_earlier_revision(signed_in, session, owner):
    room = measured(session, {})
    services.save_analysis(room, analysis={"dimensions": {"width": 10.0, "height": 14.0}},
                           source=AnalysisSource.MANUAL, author=owner, confidence=1.0)
    page = signed_in.get(room_url(room)).content.decode()
    assert "Restore revision 1" in page and "Restore revision 2" not in page
    signed_in.post(f"{room_url(room)}revisions/1/restore")
    room.refresh_from_db()
    assert (room.revision_number, room.analysis["dimensions"]["width"]) == (3, 12.0)


def test_analyse_without_a_model_shows_the_analysis_failed_message(signed_in, session):
    room = photographed(RoomFactory(session=session))
    response = signed_in.post(f"{room_url(room)}analyse")
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-analysis-error" in page and "The room could not be analysed" in page
    assert "No vision model is configured" in page


@pytest.mark.django_db(transaction=True)
def test_analyse_with_a_model_saves_a_revision_and_shows_the_drawing(signed_in, session, vision, inline_jobs):
    room = photographed(RoomFactory(session=session))
    answer = analysis(east=[{"type": "door", "position": 5.0, "width": 2.67}])
    vision.reply(openai_chat_reply({**answer, "referenceObject": {"type": "door", "knownSize": 80, "scaleFactor": 0.1},
                                    "changesApplied": []}))
    response = signed_in.post(f"{room_url(room)}analyse")
    assert response["Location"] == f"{room_url(room)}#drawing"
    room.refresh_from_db()
    assert room.analysis_source == "vision" and room.revisions.get().author == session.owner
    assert "data-room-plan><svg" in signed_in.get(room_url(room)).content.decode()


def test_analyse_with_missing_photos_says_which(signed_in, session):
    room = RoomFactory(session=session)
    RoomPhotoFactory(room=room)
    page = signed_in.post(f"{room_url(room)}analyse").content.decode()
    assert "Missing photos: east, south, west." in page


def test_corrections_with_a_sketch_without_a_model_show_the_message_by_the_drawing(signed_in, session):
    room = photographed(measured(session, {}))
    sketch = "data:image/png;base64," + base64.b64encode(png()).decode()
    page = signed_in.post(f"{room_url(room)}analyse", {"feedback": "Window missing on the north wall",
                                                       "annotationImage": sketch}).content.decode()
    assert "The corrections could not be sent" in page and "No vision model is configured" in page


def test_a_sketch_that_is_not_a_png_is_refused(signed_in, session):
    room = measured(session, {})
    page = signed_in.post(f"{room_url(room)}analyse", {"annotationImage": "data:image/png;base64,bm90IGEgcG5n"}
                          ).content.decode()
    assert "The sketch must be a PNG" in page


# -- Ownership and expiry ---------------------------------------------------------------------------


def test_another_users_session_and_room_pages_are_404(client, other_user, session):
    room = measured(session, {})
    client.force_login(other_user)
    for url in (hub(session), room_url(room), f"{hub(session)}export?format=pdf"):
        assert client.get(url).status_code == 404
    for url in (f"{hub(session)}rooms", f"{hub(session)}finalize", f"{room_url(room)}accept",
                f"{room_url(room)}measurements"):
        assert client.post(url, {"type": "bedroom"}).status_code == 404
    room.refresh_from_db()
    assert room.review_status == "pending" and session.rooms.count() == 1


def test_a_room_of_another_session_is_404(signed_in, owner, session):
    room = MeasuredRoomFactory(session=FloorplanSessionFactory(owner=owner))
    assert signed_in.get(f"{hub(session)}rooms/{room.pk}/").status_code == 404


def test_an_expired_session_shows_410(signed_in, session):
    room = RoomFactory(session=session)
    FloorplanSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(days=1))
    for url in (hub(session), room_url(room)):
        response = signed_in.get(url)
        assert response.status_code == 410
        assert "This session has expired" in response.content.decode()
    assert "Expired" in signed_in.get("/floorplans/").content.decode()


def test_without_a_model_the_analyse_button_is_disabled_up_front_with_the_reason(signed_in, session):
    room = photographed(RoomFactory(session=session))

    page = signed_in.get(room_url(room)).content.decode()

    assert "data-analysis-unavailable" in page and "an administrator needs to connect a language model" in page
    assert re.search(r"<button[^>]*disabled[^>]*>Analyse with AI", page)
    assert "AI_LLM" not in page


def test_with_a_model_the_analyse_button_is_offered(signed_in, session, vision):
    room = photographed(RoomFactory(session=session))

    page = signed_in.get(room_url(room)).content.decode()

    assert "data-analysis-unavailable" not in page
    assert re.search(r'<button type="submit" class="primary">Analyse with AI', page)


def test_pages_say_room_names_as_words_while_the_api_keeps_the_documents(signed_in, session):
    room = services.create_room(session, type="living_room")

    assert room.label == "Living Room#1"
    page = signed_in.get(room_url(room)).content.decode()
    assert "<h1>Living room 1</h1>" in page and "Living Room#1" not in page
    assert "Living room 1" in signed_in.get(hub(session)).content.decode()
