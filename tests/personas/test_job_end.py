"""A job's end settles the personas rows, whoever ends it; reading them never writes.

Generation and publish jobs are ended the three ways a task never sees: the
minute sweep (timeout), lost-worker recovery on the last attempt, and a
user's cancel. The job's ``on_finish`` runs after commit, as in production.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.ending import settle_ended_job
from config.jobs.models import Job
from personas.choices import GenerationStatus, PostStatus
from personas.events import EventName
from personas.models import Generation, PersonaEvent, Post
from personas.services import content, publishing
from tests.personas.factories import GenerationFactory, PostFactory
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

CAPTION = {"caption": "Hill repeats, then espresso.", "hashtags": ["running"], "alt_text": ""}


def end_by_the_sweep(owner, job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
    jobs.sweep_stuck_jobs()


def end_by_recovery_without_attempts(owner, job: Job) -> None:
    host = jobs.current_worker().rpartition(":")[0]
    Job.objects.filter(pk=job.pk).update(attempts=F("max_attempts"), worker=f"{host}:999999999")
    jobs.recover_lost_jobs()


def end_by_a_cancel(owner, job: Job) -> None:
    jobs.cancel_job(owner, job_id=job.pk)


ENDINGS = {
    "sweep": (end_by_the_sweep, "the worker stopped"),
    "recovery": (end_by_recovery_without_attempts, "no attempts remain"),
    "cancel": (end_by_a_cancel, "cancelled"),
}


@pytest.fixture(params=ENDINGS)
def ending(request):
    return ENDINGS[request.param]


@pytest.fixture
def end(django_capture_on_commit_callbacks, owner):
    """End ``job`` one way and run what commits after it (``on_finish`` among it)."""

    def run(how, job: Job) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            how(owner, job)
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def running_generation(owner, character, openai_stand_in, queued, django_capture_on_commit_callbacks) -> Generation:
    """A text generation whose worker claimed its job and made nothing yet; one unit of usage taken."""
    with django_capture_on_commit_callbacks(execute=True):
        generation = content.start_generation(owner, character_id=character.pk, content_type="text", prompt="x")
    jobs.claim_job(generation.job_id)
    content.begin_generation(generation)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1
    return generation


@pytest.fixture
def publishing_post(owner, character, approved_image, queued,
                    django_capture_on_commit_callbacks) -> tuple[Post, Job]:
    """A post and its publish job, claimed by a worker (the post publishing) that then stopped."""
    post = PostFactory(character=character, content=approved_image, caption="Dawn miles.")
    with django_capture_on_commit_callbacks(execute=True):
        job = publishing.queue_publish(post)
    jobs.claim_job(job.pk)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHING, attempts=1)
    return post, job


def events(owner, type: str) -> list[dict]:
    return list(PersonaEvent.objects.filter(owner=owner, type=type).values_list("data", flat=True))


# -- Generations ---------------------------------------------------------------------------------------------


def test_an_ended_generation_job_leaves_the_generation_failed_and_refunds(owner, running_generation, ending, end):
    how, reason = ending

    job = end(how, running_generation.job)

    generation = Generation.objects.select_related("job").get(pk=running_generation.pk)
    assert job.status in (JobStatus.FAILED, JobStatus.CANCELLED)
    assert generation.status == GenerationStatus.FAILED
    assert generation.completed_at == job.finished_at and reason in generation.error_message
    [told] = events(owner, EventName.GENERATION_FAILED)
    assert told["generation_id"] == str(generation.pk) and reason in told["error_message"]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_settling_a_generation_twice_tells_the_owner_once(owner, running_generation, end):
    job = end(end_by_the_sweep, running_generation.job)
    finished = Generation.objects.get(pk=running_generation.pk).completed_at

    settle_ended_job(job.pk)
    content.settle_generation(job)

    assert len(events(owner, EventName.GENERATION_FAILED)) == 1
    assert Generation.objects.get(pk=running_generation.pk).completed_at == finished


def test_a_retried_generation_is_settled_again_when_its_retry_ends(owner, running_generation, end, openai_stand_in,
                                                                    run_queued, django_capture_on_commit_callbacks):
    end(end_by_a_cancel, running_generation.job)
    openai_stand_in.reply(openai_chat_reply(CAPTION))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.retry_job(owner, job_id=running_generation.job_id)

    run_queued()

    generation = Generation.objects.select_related("job").get(pk=running_generation.pk)
    assert generation.status == GenerationStatus.COMPLETED and generation.success_count == 1
    assert generation.completed_at == generation.job.finished_at
    assert [e["generation_id"] for e in events(owner, EventName.GENERATION_COMPLETED)] == [str(generation.pk)]


# -- Publish jobs --------------------------------------------------------------------------------------------


def test_an_ended_publish_job_leaves_its_post_failed(owner, publishing_post, ending, end):
    post, job = publishing_post
    how, reason = ending

    job = end(how, job)

    post.refresh_from_db()
    assert job.status in (JobStatus.FAILED, JobStatus.CANCELLED)
    assert post.status == PostStatus.FAILED and reason in post.error_message
    [told] = events(owner, EventName.ERROR_OCCURRED)
    assert told["post_id"] == str(post.pk)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # publishing is not metered: nothing taken, nothing refunded


def test_a_publish_job_ended_after_its_post_went_out_leaves_the_post_published(owner, publishing_post, end):
    from config.webhooks import services as webhooks
    from config.webhooks.models import WebhookDelivery

    webhooks.create_endpoint(owner, url="https://hooks.example.com/personas", events=["personas.post.published"])
    post, job = publishing_post
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)

    end(end_by_the_sweep, job)

    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    (told,) = WebhookDelivery.objects.all()
    assert told.event_type == "personas.post.published" and told.payload["data"]["id"] == str(post.pk)
    assert events(owner, EventName.ERROR_OCCURRED) == []


# -- Reading never writes ------------------------------------------------------------------------------------


def writes(context: CaptureQueriesContext) -> list[str]:
    # The embedded mode keeps rate-limit counters in a database cache table: cache traffic, not a domain write.
    cache_table = settings.CACHES["default"].get("LOCATION", "")
    return [q["sql"] for q in context.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and cache_table not in q["sql"]]


@pytest.fixture
def unsettled(character) -> Generation:
    """A generation whose job failed while its ``on_finish`` never ran (what GETs used to settle)."""
    return GenerationFactory(character=character, job__status=JobStatus.FAILED,
                             job__error_message="The worker stopped.")


def test_the_generation_status_endpoint_never_writes(persona_api, unsettled):
    with CaptureQueriesContext(connection) as context:
        response = persona_api.get(f"/api/v1/content/generations/{unsettled.pk}")

    assert response.status_code == 200 and response.json()["data"]["status"] == GenerationStatus.FAILED
    assert writes(context) == []


def test_the_studio_page_never_writes(client, owner, character, unsettled):
    running = GenerationFactory(character=character, job__status=JobStatus.PROCESSING)
    client.force_login(owner)

    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/personas/{character.pk}/studio/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-generation="{running.pk}"' in page and f'data-generation="{unsettled.pk}"' not in page
    assert writes(context) == []


# -- Webhooks --------------------------------------------------------------------------------------------------


def test_a_completed_generation_sends_personas_content_ready_per_item(owner, running_generation, end, openai_stand_in,
                                                                      run_queued, django_capture_on_commit_callbacks):
    from config.webhooks import services as webhooks
    from config.webhooks.models import WebhookDelivery

    webhooks.create_endpoint(owner, url="https://hooks.example.com/personas", events=["personas.content.ready"])
    end(end_by_a_cancel, running_generation.job)
    assert not WebhookDelivery.objects.exists()
    openai_stand_in.reply(openai_chat_reply(CAPTION))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.retry_job(owner, job_id=running_generation.job_id)
    run_queued()

    (delivery,) = WebhookDelivery.objects.all()
    item = running_generation.content.get()
    assert delivery.payload["data"]["id"] == str(item.pk) and delivery.payload["data"]["caption"] == item.caption


def test_a_failed_publish_sends_personas_post_failed_and_a_published_one_post_published(owner, publishing_post, end):
    from config.webhooks import services as webhooks
    from config.webhooks.models import WebhookDelivery

    webhooks.create_endpoint(owner, url="https://hooks.example.com/personas", events=[])
    post, job = publishing_post
    end(end_by_the_sweep, job)

    failed = WebhookDelivery.objects.get(event_type="personas.post.failed")
    assert failed.payload["data"]["id"] == str(post.pk) and failed.payload["data"]["status"] == "failed"
    assert not WebhookDelivery.objects.filter(event_type="personas.post.published").exists()
