"""The floor plan jobs: a late answer is never stored, a retry never stores twice, a revision is all or nothing."""

import pytest

from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from floorplans import analysis, plans, revision, services, tasks
from floorplans.analysis import AnalysisOutcome
from floorplans.revision import PlanRevision
from tests.floorplans.factories import MeasuredRoomFactory, RoomFactory, four_photos
from tests.floorplans.factories import analysis as room_analysis

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(session):
    room = RoomFactory(session=session)
    four_photos(room)
    return room


def analysis_job(owner, room) -> Job:
    return jobs.create_job(owner, kind="floorplans.analyze", task=services.ANALYZE_TASK,
                           params={"room_id": str(room.pk), "feedback": ""})


def answer(calls: list):
    def measure_room(photos, **options):
        calls.append(sorted(photos))
        return AnalysisOutcome(room_analysis(), 0.8, [], {"provider": "test"})
    return measure_room


def test_a_job_cancelled_while_the_model_answers_stores_nothing(owner, room, monkeypatch):
    job = analysis_job(owner, room)

    def cancelled_meanwhile(photos, **options):
        jobs.cancel_job(owner, job_id=job.pk)  # the waiting request gave up
        return answer([])(photos)

    monkeypatch.setattr(analysis, "measure_room", cancelled_meanwhile)
    tasks.run_analysis(str(job.pk))
    room.refresh_from_db()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and room.analysis is None and not room.revisions.exists()


def test_the_photos_go_to_the_model_by_direction(owner, room, monkeypatch):
    calls = []
    monkeypatch.setattr(analysis, "measure_room", answer(calls))
    job = analysis_job(owner, room)
    tasks.run_analysis(str(job.pk))
    job.refresh_from_db()
    assert calls == [["east", "north", "south", "west"]]
    assert job.status == JobStatus.COMPLETED and job.result == {"room_id": str(room.pk), "revision": 1}


def test_a_retried_analysis_whose_store_step_completed_does_not_ask_or_store_again(owner, room, monkeypatch):
    calls = []
    monkeypatch.setattr(analysis, "measure_room", answer(calls))
    job = analysis_job(owner, room)
    tasks.run_analysis(str(job.pk))
    # The worker died after storing, before the job was marked done: recovery queues it again.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, attempts=0)
    tasks.run_analysis(str(job.pk))
    room.refresh_from_db()
    job.refresh_from_db()
    assert len(calls) == 1 and room.revision_number == 1
    assert job.status == JobStatus.COMPLETED and job.result == {"room_id": str(room.pk), "revision": 1}


@pytest.fixture
def finalized(session):
    first, second = MeasuredRoomFactory(session=session), MeasuredRoomFactory(session=session)
    services.merge_room(session, new_room_id=second.pk, adjacent_room_id=first.pk, direction="east",
                        connection_type="door")
    services.set_house_bounds(session, bounds={"width": 27.0, "height": 17.0, "shape": "rectangle",
                                               "roofOverhangEstimate": 1.0})
    services.finalize(session)
    return first, second


def test_a_final_revision_that_cannot_be_calibrated_changes_nothing(owner, session, finalized, monkeypatch):
    first, second = finalized
    squashed = (plans.Resize(str(first.pk), 12.0, 5.0), plans.Resize(str(second.pk), 12.0, 5.0))
    monkeypatch.setattr(revision, "ask_resizes",
                        lambda rooms, **options: PlanRevision((), squashed, ["Made both rooms 5 ft deep"], {}))
    calibration = session.calibration
    job = jobs.create_job(owner, kind="floorplans.final_revision", task=services.FINAL_REVISION_TASK,
                          params={"session_id": str(session.pk), "feedback": "rooms are shallower"})
    tasks.run_final_revision(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error_code == "VALIDATION_ERROR"
    first.refresh_from_db()
    session.refresh_from_db()
    assert first.analysis["dimensions"]["height"] == 14.0 and first.revision_number == 1
    assert session.is_finalized and session.calibration == calibration


def test_a_final_revision_resizing_a_room_not_on_the_plan_is_analysis_failed(owner, session, finalized,
                                                                             monkeypatch):
    stray = MeasuredRoomFactory()  # another session's room
    monkeypatch.setattr(revision, "ask_resizes", lambda rooms, **options: PlanRevision(
        (), (plans.Resize(str(stray.pk), 10.0, 10.0),), [], {}))
    job = jobs.create_job(owner, kind="floorplans.final_revision", task=services.FINAL_REVISION_TASK,
                          params={"session_id": str(session.pk), "feedback": "x"})
    tasks.run_final_revision(str(job.pk))
    job.refresh_from_db()
    stray.refresh_from_db()
    assert job.error_code == "ANALYSIS_FAILED" and stray.revision_number == 1
