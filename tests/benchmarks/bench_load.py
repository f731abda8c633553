"""Load benchmark: a drained staging queue, 200 WebSocket followers, a mixed read load.

Run from the repository root::

    .venv/bin/python tests/benchmarks/bench_load.py [--parts staging_queue,websockets,mixed_reads]
        [--jobs 1000] [--clients 200] [--duration 60] [--concurrency 50]

Every part runs in the production mode (PostgreSQL at ``BENCH_DATABASE_URL``,
default ``postgres://postgres@127.0.0.1:5432/stagecraft_bench_load``; Redis at
``BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/4``, as broker, cache and
channel layer) on the real processes: ``manage.py qcluster`` and uvicorn
serving ``config.asgi``. The benchmark database is dropped and re-created and
the benchmark Redis database is emptied at the start of a run, so figures never
depend on an earlier run's rows or leftover tasks.

1. **staging_queue**: ``--jobs`` stagings of a 640x480 photo are created in one
   transaction, so all of them reach the broker at once when it commits; a
   qcluster with ``--workers`` workers (already warm) drains them. The image
   engine is an AUTOMATIC1111 stand-in, a threaded HTTP server in this process
   that answers ``/sdapi/v1/img2img`` (ControlNet unit included) with a PNG of
   the requested size after ``--engine-delay`` seconds. Everything else in the
   pipeline is real (interior check with the local labeler, structure maps,
   integrity, pixel lock, quality, renditions, storage). Printed: how many
   completed, failed, were lost (never finished) or ran twice, the drain rate
   overall and per worker, and the mean time of each pipeline step.
2. **websockets**: ``--clients`` WebSocket clients follow self-test jobs,
   ``--clients-per-job`` of them per job (the default per-user socket cap, 5;
   each job has its own owner). All clients connect while no worker runs; then
   the qcluster starts and runs the jobs. Every client must receive every event
   its job stored, exactly once; latency is the arrival time minus the event's
   ``timestamp`` (set in the worker as the row is created).
3. **mixed_reads**: ``--concurrency`` clients for ``--duration`` seconds against
   uvicorn (``--web-workers`` processes), each request one of: a product list
   page (``GET /api/v1/products``), a staging's status (``GET /api/stage/{id}``)
   or a character list (``GET /api/v1/characters``), rotating, each client as
   one of ``--users`` seeded users with a JWT. Printed: requests/s, p50/p95/p99
   overall and per kind, and the error count (any non-200 or transport error).

Each part runs in a child process (``--child PART``) because Django reads its
settings once per process. This is a benchmark, not a test: it prints figures
and checks of completeness; it asserts nothing about speed.
"""

import argparse
import asyncio
import base64
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Our own database and Redis database unless the caller says otherwise; set
# before bench_platform's helpers read them.
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stagecraft_bench_load")
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")

from tests.benchmarks.bench_platform import percentile, start_selftest, summary  # noqa: E402
from tests.benchmarks.setup import (  # noqa: E402
    log,
    machine_info,
    machine_line,
    mode_env,
    prepare_production,
    setup_django,
    temp_var_dir,
)

PARTS = ("staging_queue", "websockets", "mixed_reads")
STYLE = "modern_luxury"
PHOTO_SIZE = (640, 480)


# --- Parent: fresh backends, one child per part, report ----------------------

def reset_backends() -> dict:
    """Drop and re-create the benchmark database, empty the benchmark Redis database."""
    import psycopg
    import redis
    from psycopg import sql

    parts = urlsplit(os.environ["BENCH_DATABASE_URL"])
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with contextlib.suppress(psycopg.Error), psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    backends = prepare_production()  # re-creates it, or says why it cannot
    client = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"], socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()
    return backends


def run_part(part: str, args) -> dict:
    """Run one part in a child process; return its figures, or why there are none."""
    var_dir = temp_var_dir(f"load-{part}")
    result_file = var_dir / "result.json"
    # JOBS_GPU_CLUSTER is the embedded default; said explicitly: staging runs on these workers, not a gpu cluster.
    env = mode_env("production", var_dir, Q_WORKERS=str(args.workers), AI_LLM_PROVIDER="none",
                   JOBS_GPU_CLUSTER="default")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", part, "--result-file", str(result_file),
               *child_arguments(args)]
    print(f"[{part}] running in {var_dir} (load average {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        finished = subprocess.run(command, cwd=REPO, env=env, timeout=args.part_timeout)
        if finished.returncode != 0 or not result_file.exists():
            return {"part": part, "failed": f"child exited with {finished.returncode}; logs in {var_dir}"}
        result = json.loads(result_file.read_text())
    except subprocess.TimeoutExpired:
        return {"part": part, "failed": f"child timed out after {args.part_timeout} s; logs in {var_dir}"}
    result["elapsed"] = time.monotonic() - started
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    return result


def child_arguments(args) -> list[str]:
    names = ("jobs", "workers", "engine_delay", "stall", "clients", "clients_per_job", "ticks", "delay",
             "duration", "concurrency", "users", "web_workers", "products", "stagings", "characters")
    return [item for name in names for item in (f"--{name.replace('_', '-')}", str(getattr(args, name)))]


def fmt_ms(value) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def report_staging(result: dict) -> None:
    checks = result["checks"]
    drain = result["drain"]
    print(f"staging_queue: {result['jobs']} stagings of a {result['photo']} JPEG queued in one transaction "
          f"(created in {result['create_s']:.1f} s), engine stand-in {result['engine_delay']:g} s, "
          f"{result['workers']} workers")
    codes = f" {checks['failed_codes']}" if checks["failed_codes"] else ""
    print(f"  completed {checks['completed']}, failed {checks['failed']}{codes}, "
          f"lost (never finished) {checks['unfinished']}, run more than once {checks['run_twice']}, "
          f"engine calls {checks['engine_calls']} for {checks['generate_steps']} generate steps, "
          f"broker queue left {checks['broker_left']}")
    print(f"  drain: {drain['wall_s']:.1f} s from commit to the last job finished = {drain['jobs_per_s']:.3f} jobs/s "
          f"= {drain['per_worker_per_min']:.1f} jobs/min per worker")
    service = result["service"]
    print(f"  one job in a worker (started -> finished): p50 {service['p50']:.2f} s, p95 {service['p95']:.2f} s, "
          f"max {service['max']:.2f} s; wait in the queue: last job {drain['max_wait_s']:.1f} s")
    steps = ", ".join(f"{name} {ms:.0f} ms" for name, ms in result["steps_ms"].items())
    print(f"  mean step time: {steps}")


def report_websockets(result: dict) -> None:
    checks = result["checks"]
    print(f"websockets: {result['clients']} clients on {result['jobs']} self-test jobs "
          f"({result['clients_per_job']} per job; {result['ticks']} ticks x {result['delay']:g} s), "
          f"{result['workers']} workers, delivery by {result['delivery']}")
    print(f"  connected {checks['connected']}/{result['clients']} (connect p95 {fmt_ms(result['connect']['p95'])} ms); "
          f"events expected {checks['expected']}, delivered {checks['delivered']}, missing {checks['missing']}, "
          f"duplicated {checks['duplicated']}; clients that got every event: {checks['complete_clients']}")
    lat = result["latency"]
    print(f"  delivery latency (n={lat['n']} live events; {checks['replayed']} replayed at connect left out): "
          f"p50 {fmt_ms(lat['p50'])} ms, p95 {fmt_ms(lat['p95'])} ms, p99 {fmt_ms(lat['p99'])} ms, "
          f"max {fmt_ms(lat['max'])} ms")


def report_reads(result: dict) -> None:
    print(f"mixed_reads: {result['concurrency']} clients for {result['duration']:g} s, {result['web_workers']} uvicorn "
          f"process(es), {result['users']} users with {result['data']}")
    header = f"  {'request':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'n':>7} {'errors':>7}"
    print(header)
    for name, figures in result["kinds"].items():
        print(f"  {name:<34} {figures['rps']:>8.1f} {fmt_ms(figures['p50']):>8} {fmt_ms(figures['p95']):>8} "
              f"{fmt_ms(figures['p99']):>8} {figures['n']:>7} {figures['errors']:>7}")
    if result["error_samples"]:
        print(f"  error samples: {result['error_samples']}")


def main_parent(args) -> int:
    started = time.monotonic()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"unknown part(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    machine = machine_info()
    try:
        backends = reset_backends()
    except Exception as exc:
        print(f"skipped: {exc}")
        return 0
    results = [run_part(part, args) for part in parts]

    print()
    print("StageCraft load benchmark")
    print(f"  machine : {machine_line(machine)}")
    print(f"  backends: PostgreSQL {backends['postgresql']}, Redis {backends['redis']}; client on the same machine")
    print()
    reporters = {"staging_queue": report_staging, "websockets": report_websockets, "mixed_reads": report_reads}
    for result in results:
        if "failed" in result:
            print(f"{result['part']}: FAILED: {result['failed']}")
        else:
            reporters[result["part"]](result)
            print(f"  (part took {result['elapsed']:.0f} s; load average at its start {result['loadavg']:.2f})")
        print()
    print(f"Total time {time.monotonic() - started:.0f} s.")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine, "backends": backends, "results": results},
                                              indent=2))
    return 1 if any("failed" in r for r in results) else 0


# --- Child helpers ------------------------------------------------------------

def room_jpeg(size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A drawn empty room with grain, as a JPEG: the labeler sees a room."""
    import numpy as np
    from PIL import Image

    from tests.staging.drawings import draw_room

    room = draw_room().resize(size)
    grain = np.random.default_rng(0).normal(0, 6, (room.height, room.width, 3))
    image = Image.fromarray(np.clip(np.asarray(room, float) + grain, 0, 255).astype("uint8"))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def bench_user(email: str, **extra):
    from config.accounts.models import User

    return User.objects.create_user(email, "bench-password-1", full_name="Benchmark", **extra)


def qcluster_command() -> list[str]:
    return [sys.executable, "manage.py", "qcluster"]


# --- Child: staging queue -------------------------------------------------------

class EngineStandIn:
    """A local AUTOMATIC1111 web UI: answers img2img/txt2img after ``delay`` seconds.

    The answer is the init image (or grey for txt2img) at the requested size,
    PNG in base64, which keeps the room's lines so the integrity check passes on
    the first attempt. Each request is served on its own thread, like an engine
    with room for every worker's call at once.
    """

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls: Counter = Counter()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "EngineStandIn":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type:
        engine = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real web UI (uvicorn) offers

            def do_GET(self) -> None:
                self._send(200, [{"title": "stand-in.safetensors", "model_name": "stand-in"}])

            def do_POST(self) -> None:
                payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                if self.path not in ("/sdapi/v1/img2img", "/sdapi/v1/txt2img"):
                    self._send(404, {"detail": "Not Found"})
                    return
                time.sleep(engine.delay)
                self._send(200, {"images": [engine.answer(payload)], "parameters": {}, "info": "{}"})
                with engine.lock:
                    engine.calls[self.path] += 1

            def _send(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # one line per request would drown the benchmark's own log
                pass

        return Handler

    @staticmethod
    def answer(payload: dict) -> str:
        from PIL import Image

        size = (int(payload["width"]), int(payload["height"]))
        if payload.get("init_images"):
            image = Image.open(io.BytesIO(base64.b64decode(payload["init_images"][0]))).convert("RGB").resize(size)
        else:
            image = Image.new("RGB", size, (128, 128, 128))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return base64.b64encode(buffer.getvalue()).decode("ascii")


def queue_stagings(owner, photo: bytes, count: int) -> list:
    """``count`` stagings in one transaction: every task reaches the broker at commit."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from staging import services

    with transaction.atomic():
        return [services.create_staging(owner, services.check_request(
            owner, images=[SimpleUploadedFile("room.jpg", photo, "image/jpeg")], style_id=STYLE,
            quality_mode="standard")).job_id for _ in range(count)]


def wait_drained(job_ids: list, stall: float, label: str) -> None:
    """Poll until every job has finished, or none has finished for ``stall`` seconds."""
    from config.jobs.choices import FINISHED_STATUSES
    from config.jobs.models import Job

    finished, last_change, last_log = -1, time.monotonic(), 0.0
    while True:
        now_finished = Job.objects.filter(pk__in=job_ids, status__in=FINISHED_STATUSES).count()
        if now_finished != finished:
            finished, last_change = now_finished, time.monotonic()
        if finished == len(job_ids):
            return
        if time.monotonic() - last_change > stall:
            log(f"[{label}] no job finished for {stall:g} s; {len(job_ids) - finished} unfinished")
            return
        if time.monotonic() - last_log > 30:
            log(f"[{label}] {finished}/{len(job_ids)} finished")
            last_log = time.monotonic()
        time.sleep(1)


def child_staging_queue(args) -> dict:
    engine = EngineStandIn(args.engine_delay)
    # Settings are read at django.setup(); the worker inherits them from here.
    # The stand-in is on loopback: allowed by name, as an operator would for a local engine.
    os.environ.update(AI_IMAGE_PROVIDER="automatic1111", AI_IMAGE_BASE_URL=engine.url,
                      OUTBOUND_ALLOWED_HOSTS="127.0.0.1")
    setup_django(cache_table=False)  # the cache is Redis
    from django.db.models import Avg, Count

    from config.jobs.choices import EventType, JobStatus
    from config.jobs.models import Job, JobEvent, JobStep
    from tests.e2e.processes import running

    photo = room_jpeg()
    warm_owner = bench_user("bench-load-warmup@stagecraft.local", monthly_usage_limit=1000)
    owner = bench_user("bench-load-queue@stagecraft.local", monthly_usage_limit=args.jobs + 10)
    with engine, running(qcluster_command(), dict(os.environ)):
        # One job per worker first: each worker process loads the labeler on its first staging.
        warm_ids = queue_stagings(warm_owner, photo, args.workers)
        wait_drained(warm_ids, args.stall, "warm-up")
        warm = Counter(Job.objects.filter(pk__in=warm_ids).values_list("status", flat=True))
        if warm != {JobStatus.COMPLETED: args.workers}:
            codes = list(Job.objects.filter(pk__in=warm_ids).values_list("error_code", "error_message"))
            raise RuntimeError(f"warm-up stagings did not complete: {dict(warm)} {codes}")
        engine.calls.clear()

        log(f"[staging_queue] creating {args.jobs} stagings in one transaction")
        began = time.monotonic()
        job_ids = queue_stagings(owner, photo, args.jobs)
        committed = time.time()  # on_commit has handed every task to the broker by now
        create_s = time.monotonic() - began
        log(f"[staging_queue] queued in {create_s:.1f} s; draining")
        wait_drained(job_ids, args.stall, "staging_queue")
        from django_q.brokers import get_broker

        broker_left = get_broker().queue_size()

    jobs = Job.objects.filter(pk__in=job_ids)
    statuses = Counter(jobs.values_list("status", flat=True))
    starts = Counter(JobEvent.objects.filter(job_id__in=job_ids, type=EventType.JOB_STARTED)
                     .values_list("job_id", flat=True))
    ends = Counter(JobEvent.objects.filter(job_id__in=job_ids, type__in=[EventType.JOB_COMPLETE, EventType.JOB_FAILED])
                   .values_list("job_id", flat=True))
    done = list(jobs.filter(status=JobStatus.COMPLETED).values_list("started_at", "finished_at"))
    last_finished = max((f.timestamp() for _, f in done), default=committed)
    wall = last_finished - committed
    rate = len(done) / wall if wall > 0 else 0.0
    steps = (JobStep.objects.filter(job_id__in=job_ids).values("name").annotate(ms=Avg("duration_ms"), n=Count("id"))
             .order_by("name"))
    return {
        "part": "staging_queue", "jobs": args.jobs, "workers": args.workers, "engine_delay": args.engine_delay,
        "photo": f"{PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} ({len(photo) // 1024} KB)", "create_s": create_s,
        "checks": {
            "completed": statuses.get(JobStatus.COMPLETED, 0), "failed": statuses.get(JobStatus.FAILED, 0),
            "failed_codes": dict(Counter(jobs.filter(status=JobStatus.FAILED).values_list("error_code", flat=True))),
            "unfinished": sum(n for s, n in statuses.items() if s in (JobStatus.QUEUED, JobStatus.PROCESSING)),
            "run_twice": len({job for counts in (starts, ends) for job, n in counts.items() if n > 1}
                             | set(jobs.filter(attempts__gt=1).values_list("pk", flat=True))),
            "engine_calls": sum(engine.calls.values()),
            "generate_steps": sum(step["n"] for step in steps if step["name"] == "generate"),
            "broker_left": broker_left,
        },
        "drain": {"wall_s": wall, "jobs_per_s": rate, "per_worker_per_min": rate * 60 / args.workers,
                  "max_wait_s": max((s.timestamp() - committed for s, _ in done), default=0.0)},
        "service": summary_s([(f - s).total_seconds() for s, f in done]),
        "steps_ms": {step["name"]: step["ms"] for step in steps},
    }


def summary_s(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 0.5) or 0.0, "p95": percentile(values, 0.95) or 0.0,
            "max": max(values, default=0.0)}


# --- Child: WebSocket followers ---------------------------------------------------

async def follow_all(urls: list[str], limit: float, start_worker) -> tuple[list, list]:
    """Open every socket, call ``start_worker`` once every connect has ended, collect until each closes.

    Returns, per client, (connected_at, [(arrival, message), ...]) and the connect times.
    """
    import websockets

    connect_times: list[float] = []
    all_tried = asyncio.Event()
    tried = 0

    async def client(url: str) -> tuple[float, list]:
        nonlocal tried
        began = time.perf_counter()
        try:
            socket = await websockets.connect(url, open_timeout=60, max_queue=None)
        finally:
            tried += 1
            if tried == len(urls):
                all_tried.set()
        async with socket:
            connected = time.time()
            connect_times.append(time.perf_counter() - began)
            received = []
            async with asyncio.timeout(limit):
                async for raw in socket:
                    received.append((time.time(), json.loads(raw)))
            return connected, received

    tasks = [asyncio.create_task(client(url)) for url in urls]
    await all_tried.wait()
    log(f"[websockets] {len(connect_times)}/{len(urls)} clients connected; starting the worker")
    start_worker()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    return results, connect_times


def child_websockets(args) -> dict:
    setup_django(cache_table=False)  # the cache is Redis
    from django.conf import settings

    from config.accounts.services import issue_tokens
    from config.jobs.models import JobEvent
    from tests.e2e.processes import free_port, running

    per_job = args.clients_per_job
    job_count = -(-args.clients // per_job)
    jobs, urls, job_of_client = [], [], []
    port = free_port()
    for number in range(job_count):
        owner = bench_user(f"bench-load-ws-{number}@stagecraft.local")
        token = issue_tokens(owner)["access_token"]
        job = start_selftest(owner, args.ticks, args.delay)
        jobs.append(job)
        for _ in range(min(per_job, args.clients - len(urls))):
            urls.append(f"ws://127.0.0.1:{port}/ws/processing/{job.pk}?token={token}")
            job_of_client.append(job.pk)
    delivery = "Redis doorbell" if settings.REDIS_URL else "UNIX-socket doorbell"
    uvicorn = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]
    with running(uvicorn, dict(os.environ), f"http://127.0.0.1:{port}/health"), contextlib.ExitStack() as stack:
        limit = 120 + job_count * (args.ticks * args.delay + 5) / args.workers
        results, connect_times = asyncio.run(follow_all(
            urls, limit, lambda: stack.enter_context(running(qcluster_command(), dict(os.environ)))))

    expected_ids = defaultdict(list)
    for job_id, event_id in JobEvent.objects.filter(job_id__in=[j.pk for j in jobs]).values_list("job_id", "id"):
        expected_ids[job_id].append(event_id)
    checks = Counter()
    latencies, failures = [], []
    for job_id, result in zip(job_of_client, results, strict=True):
        expected = set(expected_ids[job_id])
        checks["expected"] += len(expected)
        if isinstance(result, BaseException):
            failures.append(f"{type(result).__name__}: {result}")
            checks["missing"] += len(expected)
            continue
        checks["connected"] += 1
        connected, messages = result
        got = [message["event_id"] for _, message in messages]
        checks["delivered"] += len(set(got) & expected)
        checks["missing"] += len(expected - set(got))
        checks["duplicated"] += len(got) - len(set(got))
        checks["complete_clients"] += set(got) == expected and len(got) == len(expected)
        for arrived, message in messages:
            stored = datetime.fromisoformat(message["timestamp"]).timestamp()
            if stored < connected:  # stored before this socket opened: a replay, not a live delivery
                checks["replayed"] += 1
            else:
                latencies.append(arrived - stored)
    if failures:
        log(f"[websockets] {len(failures)} client(s) failed, first: {failures[0]}")
    return {
        "part": "websockets", "clients": len(urls), "jobs": job_count, "clients_per_job": per_job,
        "ticks": args.ticks, "delay": args.delay, "workers": args.workers, "delivery": delivery,
        "checks": {key: checks[key] for key in ("connected", "expected", "delivered", "missing", "duplicated",
                                                "complete_clients", "replayed")},
        "connect": summary(connect_times),
        "latency": {**summary(latencies), "p99": percentile(latencies, 0.99)},
        "failures": failures[:5],
    }


# --- Child: mixed reads -----------------------------------------------------------

def seed_reads(args) -> list[dict]:
    """Users with products, stagings and characters; returns each user's token and ids."""
    import random
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from catalog.models import Product
    from config.accounts.services import issue_tokens
    from config.jobs import services as jobs
    from config.jobs.choices import JobStatus
    from config.jobs.models import Job
    from personas.models import Character
    from tests.benchmarks.bench_catalog import CATEGORIES, NOUNS, WORDS

    # Stagings are read, never run here: no task goes to the broker.
    jobs.async_task = lambda *a, **k: None
    rng = random.Random(0)
    photo = room_jpeg((320, 240))
    now = timezone.now()
    seeded = []
    for number in range(args.users):
        owner = bench_user(f"bench-load-reads-{number}@stagecraft.local", monthly_usage_limit=args.stagings + 10)
        Product.objects.bulk_create([
            Product(owner=owner, title=f"{rng.choice(WORDS).title()} {rng.choice(NOUNS)} #{index}",
                    description=f"A {rng.choice(WORDS)} {rng.choice(NOUNS)} for everyday use.",
                    category=CATEGORIES[index % len(CATEGORIES)], status="active",
                    created_at=now - timedelta(minutes=index))
            for index in range(args.products)], batch_size=2000)
        Character.objects.bulk_create([Character(owner=owner, name=f"Bench Character {index}")
                                       for index in range(args.characters)])
        staging_ids = [str(staging.pk) for staging in (
            queue_reads_staging(owner, photo) for _ in range(args.stagings))]
        # A third each queued, processing (progress and step shown) and failed (error shown).
        job_ids = list(Job.objects.filter(owner=owner).order_by("created_at").values_list("pk", flat=True))
        Job.objects.filter(pk__in=job_ids[1::3]).update(status=JobStatus.PROCESSING, progress=0.45,
                                                       current_step="generate")
        Job.objects.filter(pk__in=job_ids[2::3]).update(status=JobStatus.FAILED, error_code="ENGINE_UNAVAILABLE",
                                                       error_message="The image engine did not answer.")
        seeded.append({"token": issue_tokens(owner)["access_token"], "stagings": staging_ids})
    with connection.cursor() as cursor:
        for table in ("catalog_product", "personas_character", "staging_staging", "jobs_job"):
            cursor.execute(f"ANALYZE {table}")
    return seeded


def queue_reads_staging(owner, photo: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from staging import services

    return services.create_staging(owner, services.check_request(
        owner, images=[SimpleUploadedFile("room.jpg", photo, "image/jpeg")], style_id=STYLE, quality_mode="standard"))


REQUEST_KINDS = ("GET /api/v1/products", "GET /api/stage/{id}", "GET /api/v1/characters")


def read_path(kind: int, user: dict, number: int) -> str:
    if kind == 0:
        return f"/api/v1/products?page={1 + number % 3}&page_size=20"
    if kind == 1:
        return f"/api/stage/{user['stagings'][number % len(user['stagings'])]}"
    return "/api/v1/characters?limit=20"


async def mixed_load(base: str, users: list[dict], concurrency: int, duration: float) -> dict:
    """``concurrency`` keep-alive clients, each a user, rotating the three reads for ``duration`` s."""
    import httpx

    records: list[tuple[int, float, bool]] = []
    samples: list[str] = []

    async def client(number: int, until: float, keep: bool) -> None:
        user = users[number % len(users)]
        headers = {"Authorization": f"Bearer {user['token']}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
            sent = number  # clients start at different kinds
            while time.monotonic() < until:
                kind = sent % len(REQUEST_KINDS)
                began = time.perf_counter()
                try:
                    response = await http.get(read_path(kind, user, sent // len(REQUEST_KINDS)))
                    ok = response.status_code == 200
                    if not ok and len(samples) < 5:
                        samples.append(f"{REQUEST_KINDS[kind]}: HTTP {response.status_code} {response.text[:120]}")
                except httpx.HTTPError as exc:
                    ok = False
                    if len(samples) < 5:
                        samples.append(f"{REQUEST_KINDS[kind]}: {type(exc).__name__} {exc}")
                if keep:
                    records.append((kind, time.perf_counter() - began, ok))
                sent += 1

    # Warm-up: every connection opened, the server's first requests (imports, pools) done.
    await asyncio.gather(*(client(n, time.monotonic() + 5, False) for n in range(concurrency)))
    samples.clear()
    began = time.perf_counter()
    await asyncio.gather(*(client(n, time.monotonic() + duration, True) for n in range(concurrency)))
    wall = time.perf_counter() - began
    kinds = {}
    for index, name in [(None, "all"), *enumerate(REQUEST_KINDS)]:
        values = [latency for kind, latency, _ in records if index is None or kind == index]
        errors = sum(1 for kind, _, ok in records if (index is None or kind == index) and not ok)
        kinds[name] = {**summary(values), "p99": percentile(values, 0.99), "rps": len(values) / wall,
                       "errors": errors}
    return {"kinds": kinds, "error_samples": samples, "wall": wall}


def child_mixed_reads(args) -> dict:
    # The status endpoint needs no engine, but creating stagings checks one is configured; nothing calls it.
    os.environ.update(AI_IMAGE_PROVIDER="automatic1111", AI_IMAGE_BASE_URL="http://127.0.0.1:9",
                      OUTBOUND_ALLOWED_HOSTS="127.0.0.1")
    setup_django(cache_table=False)  # the cache is Redis
    from tests.e2e.processes import free_port, running

    log(f"[mixed_reads] seeding {args.users} users")
    users = seed_reads(args)
    port = free_port()
    uvicorn = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(args.web_workers), "--no-access-log", "--log-level", "warning"]
    with running(uvicorn, dict(os.environ), f"http://127.0.0.1:{port}/health"):
        log(f"[mixed_reads] {args.concurrency} clients for {args.duration:g} s")
        figures = asyncio.run(mixed_load(f"http://127.0.0.1:{port}", users, args.concurrency, args.duration))
    return {"part": "mixed_reads", "concurrency": args.concurrency, "duration": args.duration,
            "web_workers": args.web_workers, "users": args.users,
            "data": f"{args.products} products, {args.stagings} stagings, {args.characters} characters each",
            **figures}


def main_child(args) -> int:
    started = time.monotonic()
    loadavg = os.getloadavg()[0]
    children = {"staging_queue": child_staging_queue, "websockets": child_websockets,
                "mixed_reads": child_mixed_reads}
    result = children[args.child](args)
    result["loadavg"] = loadavg
    Path(args.result_file).write_text(json.dumps(result))
    log(f"[{args.child}] done in {time.monotonic() - started:.1f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: " + ",".join(PARTS))
    parser.add_argument("--workers", type=int, default=2, help="qcluster workers, Q_WORKERS (default 2)")
    queue = parser.add_argument_group("staging_queue")
    queue.add_argument("--jobs", type=int, default=1000, help="stagings queued at once (default 1000)")
    queue.add_argument("--engine-delay", type=float, default=1.0, help="engine stand-in's answer time, s (default 1)")
    queue.add_argument("--stall", type=float, default=180, help="give up when no job finishes for this long, s")
    ws = parser.add_argument_group("websockets")
    ws.add_argument("--clients", type=int, default=200, help="WebSocket clients (default 200)")
    ws.add_argument("--clients-per-job", type=int, default=5, help="clients per job, at most the per-user cap (5)")
    ws.add_argument("--ticks", type=int, default=10, help="progress ticks per self-test job (default 10)")
    ws.add_argument("--delay", type=float, default=0.1, help="seconds per tick (default 0.1)")
    reads = parser.add_argument_group("mixed_reads")
    reads.add_argument("--duration", type=float, default=60, help="measured seconds (default 60)")
    reads.add_argument("--concurrency", type=int, default=50, help="concurrent clients (default 50)")
    reads.add_argument("--web-workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    reads.add_argument("--users", type=int, default=10, help="seeded users (default 10)")
    reads.add_argument("--products", type=int, default=500, help="products per user (default 500)")
    reads.add_argument("--stagings", type=int, default=30, help="stagings per user (default 30)")
    reads.add_argument("--characters", type=int, default=10, help="characters per user (default 10)")
    parser.add_argument("--part-timeout", type=int, default=7200, help="seconds before a part is abandoned")
    parser.add_argument("--json", help="also write every figure to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep each part's temporary directory (logs, media)")
    parser.add_argument("--child", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.workers, args.jobs, args.clients, args.clients_per_job, args.ticks, args.concurrency,
           args.web_workers, args.users, args.stagings) < 1:
        parser.error("counts must be positive")
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
