"""Analyze and revise a room with the vision model: queued as a job the request waits for, cancelled when late."""

import copy

import pytest

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from tests.floorplans.calls import error_of, png_data_url, room_url, upload
from tests.floorplans.factories import MeasuredRoomFactory, RoomFactory, four_photos
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

ANALYSIS = {
    "dimensions": {"width": 12.0, "height": 14.0, "confidence": 0.9},
    "ceilingHeight": 8.0,
    "walls": {"north": [{"type": "window", "position": 3.0, "width": 4.0}],
              "east": [{"type": "door", "position": 5.0, "width": 2.67}],
              "south": [{"type": "closet", "position": 1.0, "width": 6.0}],
              "west": []},
    "referenceObject": {"type": "door", "knownSize": 80, "scaleFactor": 0.12},
    "shape": "rectangle",
}


def photographed(session):
    room = RoomFactory(session=session)
    four_photos(room)
    return room


def test_analyze_before_four_photos_is_photos_incomplete(fp, session):
    room = RoomFactory(session=session)
    upload(fp, room, "north")
    response = fp.post(room_url(room, "analyze"))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "PHOTOS_INCOMPLETE" and error["details"]["missing"] == ["east", "south", "west"]


def test_analyze_without_a_vision_model_is_analysis_failed_before_anything_is_queued(fp, session, owner):
    room = photographed(session)
    response = fp.post(room_url(room, "analyze"))
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "ANALYSIS_FAILED" and "by hand" in error["message"]
    assert error["details"] == {"reason": "not_configured"}
    owner.refresh_from_db()
    assert not Job.objects.exists() and owner.usage_this_cycle == 0


def test_a_revision_drawing_that_is_not_a_png_is_refused(fp, session, vision):
    room = photographed(session)
    response = fp.post(room_url(room, "revise"), {"feedback": "x", "annotationImage": "data:image/png;base64,bm90"},
                       format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "INVALID_IMAGE_FORMAT"
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_analyze_sends_four_photos_and_the_schema_and_stores_the_answer(fp, session, vision, inline_jobs):
    room = photographed(session)
    vision.reply(openai_chat_reply({**ANALYSIS, "changesApplied": []}))
    response = fp.post(room_url(room, "analyze"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"roomId", "analysis", "svgData", "analysisConfidence", "source"}
    assert body["analysis"]["dimensions"] == ANALYSIS["dimensions"] and body["source"] == "vision"
    assert body["roomId"] == str(room.pk) and body["svgData"].startswith("<svg") and body["analysisConfidence"] == 0.9
    sent = vision.requests[0]
    assert sent.path == "/v1/chat/completions" and sent.body["model"] == "vision-test"
    parts = [part for message in sent.body["messages"] if isinstance(message["content"], list)
             for part in message["content"]]
    assert sum(part["type"] == "image_url" for part in parts) == 4
    assert all(part["image_url"]["url"].startswith("data:image/jpeg;base64,") for part in parts
               if part["type"] == "image_url")
    schema = sent.body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["dimensions", "ceilingHeight", "walls", "referenceObject", "shape",
                                  "changesApplied"]
    job = Job.objects.get()
    assert (job.kind, job.status, job.notify_owner) == ("floorplans.analyze", JobStatus.COMPLETED, False)


@pytest.mark.django_db(transaction=True)
def test_revise_sends_the_previous_analysis_the_feedback_and_the_drawing(fp, session, vision, inline_jobs):
    room = MeasuredRoomFactory(session=session, analysis=copy.deepcopy(ANALYSIS))
    four_photos(room)
    revised = copy.deepcopy(ANALYSIS)
    revised["walls"]["north"].append({"type": "window", "position": 8.0, "width": 3.0})
    change = "Added window on north wall at position 8.0 ft, width 3.0 ft"
    vision.reply(openai_chat_reply({**revised, "changesApplied": [change]}))
    response = fp.post(room_url(room, "revise"), {"feedback": "Window is missing on the north wall",
                                                  "annotationImage": png_data_url()}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["revisionNumber"] == 2 and body["changesApplied"] == [change]
    assert body["analysis"]["walls"]["north"][1] == {"type": "window", "position": 8.0, "width": 3.0}
    parts = [part for message in vision.requests[0].body["messages"] if isinstance(message["content"], list)
             for part in message["content"]]
    text = "\n".join(part["text"] for part in parts if part["type"] == "text")
    assert "Window is missing on the north wall" in text and "Previous analysis" in text and '"position": 3.0' in text
    urls = [part["image_url"]["url"] for part in parts if part["type"] == "image_url"]
    assert [url[:15] for url in urls] == ["data:image/jpeg"] * 4 + ["data:image/png;"]  # the photos, the drawing


@pytest.mark.django_db(transaction=True)
def test_a_model_answer_that_does_not_add_up_is_analysis_failed(fp, session, vision, inline_jobs, owner):
    room = photographed(session)
    bad = copy.deepcopy(ANALYSIS)
    bad["walls"]["east"] = [{"type": "door", "position": 13.0, "width": 3.0}]  # past the 14 ft wall
    vision.reply(openai_chat_reply({**bad, "changesApplied": []}))
    response = fp.post(room_url(room, "analyze"))
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "ANALYSIS_FAILED" and "does not add up" in error["message"]
    assert error["details"]["code"] == "ANALYSIS_FAILED"
    assert fp.get(room_url(room)).json()["analysis"] is None
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # a failed job is refunded


@pytest.mark.django_db(transaction=True)
def test_an_analysis_without_an_answer_in_time_is_cancelled_and_not_charged(fp, session, vision, queued,
                                                                            run_queued, short_wait, owner):
    room = photographed(session)
    response = fp.post(room_url(room, "analyze"))
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "ANALYSIS_FAILED" and error["details"]["reason"] == "timeout"
    job = Job.objects.get()
    owner.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and owner.usage_this_cycle == 0
    run_queued()  # the worker gets to it late: it neither asks the model nor stores anything
    room.refresh_from_db()
    assert vision.requests == [] and room.analysis is None and not room.revisions.exists()


@pytest.mark.django_db(transaction=True)
def test_when_the_queue_refuses_the_task_analysis_fails_at_once_and_is_refunded(fp, session, vision, monkeypatch,
                                                                              owner):
    from config.jobs import services as jobs

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(jobs, "async_task", broker_down)
    room = photographed(session)
    response = fp.post(room_url(room, "analyze"))
    assert response.status_code == 500 and error_of(response)["details"]["reason"] == "queue_unavailable"
    owner.refresh_from_db()
    assert Job.objects.get().status == JobStatus.CANCELLED and owner.usage_this_cycle == 0


@pytest.mark.django_db(transaction=True)
def test_a_completed_analysis_reaches_the_owners_webhooks_with_the_room(fp, session, vision, inline_jobs, owner):
    from config.webhooks import services as webhooks
    from config.webhooks.models import WebhookDelivery

    webhooks.create_endpoint(owner, url="https://hooks.example.com/plans", events=["floorplan.analysis.completed"])
    room = photographed(session)
    vision.reply(openai_chat_reply({**ANALYSIS, "changesApplied": []}))
    assert fp.post(room_url(room, "analyze")).status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "floorplan.analysis.completed"
    assert delivery.payload["data"]["roomId"] == str(room.pk)
    assert delivery.payload["data"]["analysis"]["dimensions"] == ANALYSIS["dimensions"]


@pytest.mark.django_db(transaction=True)
def test_the_providers_own_throttle_is_rate_limited_429_with_its_retry_after(fp, session, vision, inline_jobs, owner):
    room = photographed(session)
    vision.reply({"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}, status=429,
                 headers={"Retry-After": "30"})

    response = fp.post(room_url(room, "analyze"))

    assert response.status_code == 429, response.content
    assert error_of(response)["code"] == "RATE_LIMITED" and response["Retry-After"] == "30"
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # the failed analysis is refunded
