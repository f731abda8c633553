"""Seed 000's queue rules: at most STAGING_MAX_QUEUED stagings wait for the GPU; past it, 503 with Retry-After."""

import pytest

from config.jobs.models import Job
from staging.models import Staging
from tests.staging.factories import StagingJobFactory
from tests.staging.test_stage_create import error_of, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_waiting(settings, other_user):
    settings.STAGING_MAX_QUEUED = 2
    return StagingJobFactory.create_batch(2, owner=other_user)


def test_a_staging_past_the_queue_limit_is_refused_with_when_to_retry(key_api, room_jpeg, furnishing_engine,
                                                                      two_waiting, queued):
    response = stage(key_api, room_jpeg)

    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "AI_SERVICE_UNAVAILABLE" and error["details"] == {"queued": 2, "limit": 2}
    assert 30 <= int(response["Retry-After"]) <= 3600
    assert not Staging.objects.exists() and Job.objects.count() == 2 and not queued


def test_a_batch_that_would_overflow_the_queue_is_refused_whole(key_api, room_jpeg, furnishing_engine, settings,
                                                                queued):
    settings.STAGING_MAX_QUEUED = 2
    response = key_api.post("/api/stage/batch", {"style": "modern_luxury",
                                                 "images[]": [_file(room_jpeg, n) for n in range(3)]},
                            format="multipart")

    assert response.status_code == 503 and response["Retry-After"]
    assert not Staging.objects.exists()


def test_under_the_limit_the_staging_is_queued(key_api, room_jpeg, furnishing_engine, two_waiting, settings, queued,
                                               django_capture_on_commit_callbacks):
    settings.STAGING_MAX_QUEUED = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = stage(key_api, room_jpeg)
    assert response.status_code == 202 and Staging.objects.count() == 1


def test_finished_stagings_do_not_count(key_api, room_jpeg, furnishing_engine, two_waiting, queued,
                                        django_capture_on_commit_callbacks):
    Job.objects.update(status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        response = stage(key_api, room_jpeg)
    assert response.status_code == 202


def _file(data: bytes, number: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"room{number}.jpg", data)
