"""Faults survived, nothing lost: real uvicorn and qcluster processes while a worker, Redis, PostgreSQL,
storage or an AI provider fails.

PostgreSQL and Redis are shared by other work on the machine, so they are never
stopped: the processes reach them through a ``TcpProxy`` the test cuts and
restores (tests/hardening/faults_support.py).
"""

import asyncio
import importlib.util
import json
import os
import signal
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from config.jobs import selftest, services
from config.jobs.models import Job, JobEvent
from personas.choices import ContentType, PostStatus, Review
from personas.models import Character, ContentItem, Post
from personas.services import content, publishing
from tests.conftest import require
from tests.e2e.processes import asgi_server, process_env, qcluster
from tests.files import images
from tests.hardening.faults_support import SlowMastodon, TcpProxy, children_of, stop_cluster, wait_until
from tests.personas.standins import connect
from tests.standin import openai_chat_reply

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

CAPTION = {"caption": "Hill repeats, then espresso.", "hashtags": ["trailrunning"], "alt_text": ""}
# Long enough that only a SIGKILL or a timeout ends the call before it answers.
HANG_SECONDS = 30


@pytest.fixture
def character(owner) -> Character:
    return Character.objects.create(owner=owner, name="Maya Rivers", bio="Trail runner from Portland.", age=27,
                                    interests=["running", "coffee"], banned_topics=["politics"])


@pytest.fixture
def slow_mastodon():
    server = SlowMastodon().start()
    yield server
    server.stop()


def language_model_env(stand_in, **overrides: str) -> dict:
    """A qcluster environment whose language model is the OpenAI stand-in, one worker."""
    return process_env(Q_WORKERS="1", AI_LLM_PROVIDER="openai", AI_LLM_MODEL="vision-test",
                       AI_LLM_BASE_URL=stand_in.url + "/v1", AI_LLM_API_KEY="test-key", AI_LLM_MAX_RETRIES="0",
                       **overrides)


def kill_worker_running(job: Job, cluster) -> int:
    """SIGKILL the cluster's worker process that runs ``job``; its pid."""
    job.refresh_from_db()
    pid = int(job.worker.rpartition(":")[2])
    assert pid in children_of(cluster.pid), "the job's worker is not one of this cluster's processes"
    os.kill(pid, signal.SIGKILL)
    return pid


def finished(job: Job) -> Job | None:
    job.refresh_from_db()
    return job if job.is_finished else None


# --- A worker killed mid-task ------------------------------------------------------------------------------------


def test_a_worker_killed_while_publishing_is_replaced_and_the_post_goes_out_once(owner, character, slow_mastodon):
    account = connect(owner, character, slow_mastodon)
    item = ContentItem.objects.create(character=character, content_type=ContentType.TEXT, caption="Dawn miles.",
                                      review=Review.APPROVED, reviewed_by=owner, reviewed_at=timezone.now())
    post = Post.objects.create(character=character, account=account, content=item, caption=item.caption)
    # The instance makes the status, then answers too late: the worker dies not knowing it was published.
    slow_mastodon.status_delays = [HANG_SECONDS]
    with qcluster(process_env(Q_WORKERS="1")) as cluster:
        with transaction.atomic():
            job = publishing.queue_publish(post)
        assert slow_mastodon.status_received.wait(30)
        killed = kill_worker_running(job, cluster)
        job = wait_until(lambda: finished(job), timeout=60, what="the publish job to finish")
        stop_cluster(cluster)
    assert (job.status, job.attempts) == ("completed", 2)
    assert job.worker and not job.worker.endswith(f":{killed}")
    assert job.finished_at - job.created_at < timedelta(seconds=job.timeout_seconds)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    sent = slow_mastodon.calls("/api/v1/statuses")
    assert [seen.headers["idempotency-key"] for seen in sent] == [str(post.idempotency_key)] * 2
    assert len(slow_mastodon.statuses) == 1 and post.platform_post_id in slow_mastodon.statuses
    assert not Job.objects.filter(status="processing").exists()
    events = list(JobEvent.objects.filter(job=job).values_list("type", flat=True))
    assert events.count("job_started") == 2 and events[-1] == "job_complete"


def test_a_worker_killed_mid_generation_retries_without_counting_usage_twice(owner, character, openai_stand_in):
    openai_stand_in.reply(openai_chat_reply(CAPTION), delay=HANG_SECONDS)  # the attempt that is killed
    openai_stand_in.reply(openai_chat_reply(CAPTION))
    with qcluster(language_model_env(openai_stand_in)) as cluster:
        with transaction.atomic():
            generation = content.start_generation(owner, character_id=character.pk, content_type="text",
                                                  prompt="hill repeats")
        job = generation.job
        wait_until(lambda: openai_stand_in.requests, timeout=30, what="the language model call")
        kill_worker_running(job, cluster)
        job = wait_until(lambda: finished(job), timeout=60, what="the generation job to finish")
        stop_cluster(cluster)
    assert (job.status, job.attempts) == ("completed", 2)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1
    items = ContentItem.objects.filter(generation=generation)
    assert [item.caption for item in items] == [CAPTION["caption"]]
    assert not Job.objects.filter(status="processing").exists()


def test_a_worker_killed_on_its_last_attempt_fails_the_job_with_a_code_and_refunds(owner, character,
                                                                                 openai_stand_in):
    openai_stand_in.reply(openai_chat_reply(CAPTION), delay=HANG_SECONDS)
    with qcluster(language_model_env(openai_stand_in)) as cluster:
        with transaction.atomic():
            generation = content.start_generation(owner, character_id=character.pk, content_type="text",
                                                  prompt="hill repeats")
            Job.objects.filter(pk=generation.job_id).update(max_attempts=1)
        job = generation.job
        wait_until(lambda: openai_stand_in.requests, timeout=30, what="the language model call")
        kill_worker_running(job, cluster)
        job = wait_until(lambda: finished(job), timeout=60, what="the job to be failed")
        stop_cluster(cluster)
    assert (job.status, job.error_code) == ("failed", "PROCESSING_TIMEOUT")
    assert job.finished_at - job.created_at < timedelta(seconds=job.timeout_seconds)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0
    assert len(openai_stand_in.requests) == 1


# --- An AI provider that hangs ----------------------------------------------------------------------------------


def test_a_hanging_language_model_times_out_fails_the_job_and_frees_the_worker(owner, character, openai_stand_in):
    openai_stand_in.reply(openai_chat_reply(CAPTION), delay=HANG_SECONDS)
    with qcluster(language_model_env(openai_stand_in, AI_LLM_TIMEOUT="1")) as cluster:
        with transaction.atomic():
            generation = content.start_generation(owner, character_id=character.pk, content_type="text",
                                                  prompt="hill repeats")
        job = wait_until(lambda: finished(generation.job), timeout=60, what="the generation job to finish")
        # One worker: the next job runs only if the hung call let it go.
        with transaction.atomic():
            after = services.create_job(owner, kind=selftest.KIND, task=selftest.TASK, metered=False,
                                        params={"ticks": 1, "delay": 0}, timeout_seconds=30)
        after = wait_until(lambda: finished(after), timeout=30, what="the next job on the same worker")
        stop_cluster(cluster)
    assert (job.status, job.error_code) == ("failed", "CONTENT_GENERATION_FAILED")
    assert timedelta(seconds=1) <= job.finished_at - job.started_at < timedelta(seconds=HANG_SECONDS)
    generation.refresh_from_db()
    assert generation.status == "failed"
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0
    assert after.status == "completed"


# --- Redis stopped while the site is up --------------------------------------------------------------------------


class Follower:
    """A WebSocket client of ``/ws/user`` that reconnects with ``?after=<last event id>`` whenever it loses the
    stream, as a dashboard does; it keeps every event it got and counts its connections."""

    def __init__(self, base_ws_url: str, token: str) -> None:
        self.url = f"{base_ws_url}/ws/user?token={token}"
        self.cursor = 0  # until an event is seen, ``after=0``: new events only
        self.events: list[dict] = []
        self.connections = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._follow()), daemon=True)

    def start(self) -> "Follower":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(15)

    async def _follow(self) -> None:
        while not self.stopping.is_set():
            try:
                async with websockets.connect(f"{self.url}&after={self.cursor}", open_timeout=5) as socket:
                    self.connections += 1
                    while not self.stopping.is_set():
                        try:
                            message = json.loads(await asyncio.wait_for(socket.recv(), 0.2))
                        except TimeoutError:
                            continue
                        self.events.append(message)
                        self.cursor = message["event_id"]
            except (OSError, TimeoutError, websockets.WebSocketException):
                pass
            await asyncio.sleep(0.2)


def proxied_redis(redis_url: str) -> tuple[TcpProxy, str]:
    parts = urlsplit(redis_url)
    proxy = TcpProxy(parts.hostname, parts.port or 6379).start()
    return proxy, f"redis://127.0.0.1:{proxy.port}{parts.path}"


def test_with_redis_down_the_site_serves_jobs_wait_and_sockets_catch_up(owner, character, jwt_for,
                                                                         openai_stand_in, settings):
    if not settings.REDIS_URL:
        pytest.skip("the embedded mode has no Redis: its ORM broker, cache and channel layer never depend on it")
    proxy, redis_url = proxied_redis(settings.REDIS_URL)
    env = language_model_env(openai_stand_in, REDIS_URL=redis_url, RATELIMIT_ENABLE="true",
                             JOBS_EVENT_POLL_SECONDS="0.5")
    token = jwt_for(owner)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with asgi_server(env) as url, qcluster(env) as cluster:
            # A live dashboard: connected, and it has seen a job finish.
            follower = Follower(url.replace("http", "ws"), token).start()
            wait_until(lambda: follower.connections, timeout=15, what="the WebSocket connection")
            with transaction.atomic():
                services.create_job(owner, kind=selftest.KIND, task=selftest.TASK, metered=False,
                                    params={"ticks": 0}, timeout_seconds=30)
            wait_until(lambda: follower.events and follower.events[-1]["type"] == "job_complete", timeout=30,
                       what="the first job's events")
            first_event = follower.cursor
            proxy.cut()

            assert httpx.get(f"{url}/health").status_code == 200
            ready = httpx.get(f"{url}/ready", timeout=20)
            assert ready.status_code == 503
            assert ready.json()["checks"]["redis"] == "error" and "redis" in ready.json()["detail"]
            characters = httpx.get(f"{url}/api/v1/characters", headers=auth, timeout=20)
            assert characters.status_code == 200, characters.text
            assert [row["name"] for row in characters.json()["data"]["characters"]] == [character.name]
            assert httpx.get(f"{url}/accounts/login/", timeout=20).status_code == 200
            started = httpx.post(f"{url}/api/v1/content/generate", headers=auth, timeout=20,
                                 json={"character_id": str(character.pk), "content_type": "text",
                                       "prompt": "hill repeats"})
            assert started.status_code == 201, started.text
            job = Job.objects.get(kind=content.JOB_KIND, owner=owner)
            assert (job.status, job.enqueued_at) == ("queued", None)

            openai_stand_in.reply(openai_chat_reply(CAPTION))  # after /ready's probe of the model
            proxy.restore()
            # What the cluster's every-minute schedule runs, called now rather than waited for.
            settings.JOBS_ENQUEUE_RETRY_SECONDS = 0
            services.sweep_stuck_jobs()
            job = wait_until(lambda: finished(job), timeout=60, what="the job queued during the outage")
            wait_until(lambda: any(e["type"] == "job_complete" for e in follower.events), timeout=30,
                       what="the WebSocket replay")
            follower.stop()
            stop_cluster(cluster)
    finally:
        proxy.stop()
    assert job.status == "completed"
    stored = list(JobEvent.objects.filter(owner=owner, id__gt=first_event).values_list("id", flat=True))
    # Every event of the outage and after, once and in order, over a reconnected socket.
    assert [event["event_id"] for event in follower.events if event["event_id"] > first_event] == stored
    assert follower.connections >= 2


# --- PostgreSQL restarted ------------------------------------------------------------------------------------------


def clean_failure(response: httpx.Response) -> None:
    """A 5xx in the personas envelope, with a request id and nothing internal."""
    assert response.status_code in (500, 503), response.text
    body = response.json()
    assert body["success"] is False and body["error"]["code"] in ("INTERNAL_ERROR", "SERVICE_UNAVAILABLE")
    assert response.headers["X-Request-ID"]
    assert not any(word in response.text.lower() for word in ("traceback", "psycopg", "operationalerror"))


def test_after_a_postgresql_restart_the_web_process_serves_again_without_a_restart(owner, character, jwt_for):
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("the embedded mode's SQLite is a file in the web process, not a server to restart")
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    env = process_env(DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
                      DATABASE_POOL_MIN="3", DATABASE_POOL_TIMEOUT="2")
    auth = {"Authorization": f"Bearer {jwt_for(owner)}"}
    try:
        with asgi_server(env) as url:
            def characters() -> httpx.Response:
                return httpx.get(f"{url}/api/v1/characters", headers=auth, timeout=30)

            assert [characters().status_code for _ in range(3)] == [200] * 3  # the pool holds connections now
            in_flight: list[httpx.Response] = []
            with proxy.held():
                request = threading.Thread(target=lambda: in_flight.append(characters()))
                request.start()
                wait_until(lambda: proxy.stalled, timeout=10, what="the request to wait on the database")
                proxy.cut()  # the server restarts: every connection is dropped...
            proxy.restore()  # ...and it is back at once
            request.join(30)
            clean_failure(in_flight[0])
            # The pool's idle connections died in the restart; none of them may reach a request.
            answers = [characters() for _ in range(5)]
            assert [answer.status_code for answer in answers] == [200] * 5, answers[0].text
            assert answers[0].json()["data"]["characters"][0]["name"] == character.name

            proxy.cut()  # down for a while
            clean_failure(characters())
            ready = httpx.get(f"{url}/ready", timeout=30)
            assert ready.status_code == 503 and ready.json()["checks"]["database"] == "error"
            proxy.restore()
            assert [characters().status_code for _ in range(5)] == [200] * 5
            assert httpx.get(f"{url}/ready", timeout=30).status_code == 200
    finally:
        proxy.stop()


# --- Storage unwritable ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_server():
    """moto's S3 on a free local port."""
    require(importlib.util.find_spec("moto") is not None, 'moto is not installed (pip install "moto[server]")')
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def failing_s3(moto_server, settings, monkeypatch):
    """Media on S3 whose bucket is gone: every write answers NoSuchBucket."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.AWS_STORAGE_BUCKET_NAME = "stagecraft-missing-bucket"
    settings.AWS_S3_ENDPOINT_URL = moto_server
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_S3_FILE_OVERWRITE = False
    # Last: changing STORAGES resets default_storage, which then reads the settings above.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}


def test_a_catalog_upload_to_failing_storage_is_a_storage_error_and_leaves_no_row(owner_api, owner, failing_s3):
    from catalog import services as catalog
    from catalog.models import ProductImage

    product = catalog.create_product(owner, title="Headphones", description="Over-ear.", category="electronics")
    response = owner_api.post("/api/v1/uploads/direct", {"product_id": str(product.pk),
                                                         "file": SimpleUploadedFile("a.jpg", images.jpeg((64, 48)))},
                              format="multipart")
    assert response.status_code == 502 and response.json() == {"detail": "The file could not be stored."}
    assert not ProductImage.objects.exists() and not Job.objects.exists()
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_a_floor_plan_photo_to_failing_storage_is_a_storage_error_and_leaves_no_row(owner_api, failing_s3):
    from floorplans.models import RoomPhoto

    session = owner_api.post("/api/floorplan/sessions", {"address": "1 Main St, Oakland, CA"}, format="json")
    session_id = session.json()["sessionId"]
    room_id = owner_api.post(f"/api/floorplan/sessions/{session_id}/rooms", {"type": "bedroom"},
                             format="json").json()["roomId"]
    response = owner_api.put(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/photos/south",
                             {"image": SimpleUploadedFile("south.jpg", images.jpeg((120, 90))),
                              "compassHeading": 180}, format="multipart")
    assert response.status_code == 502, response.content
    assert response.json()["error"]["code"] == "STORAGE_ERROR"
    assert not RoomPhoto.objects.exists()
