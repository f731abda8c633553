"""Personas benchmark: scheduler due-to-publish latency on 2 workers, content-library list latency.

Run from the repository root::

    .venv/bin/python tests/benchmarks/bench_personas.py [--parts scheduler,content] [--posts 1000]
        [--items 50000] [--requests 200] [--workers 2] [--interval 1.0] [--profile] [--keep]

Both parts use the production mode of ``setup.mode_env``: PostgreSQL
at ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/
stagecraft_bench_personas``, created through the ``postgres`` database when
missing, then migrated) and Redis at ``BENCH_REDIS_URL`` (default
``redis://127.0.0.1:6379/13``), with ``RATELIMIT_ENABLE=false``. A part is
skipped, with the reason, when either server is unreachable. The benchmark
user's rows are deleted before and after each part.

1. **scheduler**: a stand-in Mastodon instance (``tests/personas/standins.py``,
   a real local HTTP server that dedupes ``Idempotency-Key`` like Mastodon)
   runs in the part's process; the account is connected to it through
   ``services.accounts.connect_account`` (live verify_credentials, credentials
   stored with ``config.crypto``). One approved image item (a 320x320 JPEG, so
   every post is a media upload plus a status) and ``--posts`` one-off
   ``ScheduledPost`` rows due evenly over one minute, the first 5 s after they
   are written. ``--workers`` worker processes (``--worker N`` mode of this
   script) each call ``personas.services.scheduling.publish_due()`` every
   ``--interval`` seconds, so they really race on its conditional-UPDATE claim.
   Measured per post: due (``scheduled_at``) -> published (``Post.published_at``),
   split at the claim (``Post.created_at``, written in the claim's transaction);
   p50/p95/max, throughput, and the integrity check: every row published once,
   one ``Post`` each with one attempt, and the stand-in saw exactly ``--posts``
   status creations with no repeated ``Idempotency-Key``. Also the workers' CPU
   time per post; ``--profile`` runs them under cProfile and prints their top
   functions (the latencies of such a run are inflated).

   Why not ``qcluster``: django-q2 runs due schedules from its guard loop every
   30 s, the shortest interval schedule is one minute, and each run is one task
   on one worker, so a qcluster would neither sweep every second nor make two
   workers race. The production schedule (``personas.publish_due_posts``,
   every minute) adds the wait for the next run (0-60 s, plus up to 30 s of
   scheduler granularity) on top of the figures measured here.
2. **content**: ``--items`` ``ContentItem`` rows of one user over 5 characters
   (bulk_create in batches, then ``VACUUM ANALYZE``), and ``GET /api/v1/content``
   through Django's test client (``APIClient.force_authenticate``), ``limit=20``,
   in six query shapes, ``--requests`` timed requests each after 10 warm-up
   requests. Prints p50/p95/max, the SQL queries per request
   (``CaptureQueriesContext`` over the warm-up requests) and ``EXPLAIN ANALYZE``
   of the page and count queries. The items' character, type (60/30/10 %
   image/text/video) and review (40 % approved) are drawn independently.

Each part runs in a child process of this script (``--child PART``) because
Django reads its settings once per process. This is a benchmark, not a test:
it prints figures and asserts nothing about them.
"""

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks.bench_platform import percentile, summary  # noqa: E402  (the path above makes the repo importable)
from tests.benchmarks.setup import (  # noqa: E402
    log,
    machine_info,
    machine_line,
    mode_env,
    prepare_production,
    setup_django,
    temp_var_dir,
)

PARTS = ("scheduler", "content")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/stagecraft_bench_personas"
BENCH_EMAIL = "bench-personas@stagecraft.local"
LEAD_SECONDS = 5.0  # the first post is due this long after the rows are written
SPREAD_SECONDS = 60.0  # the posts are due evenly over this window
CHARACTERS = ("Ava", "Bruno", "Chloe", "Dario", "Elif")
WARMUP = 10


# --- Parent -------------------------------------------------------------------

def run_part(part: str, args) -> dict:
    try:
        backends = prepare_production()
    except Exception as exc:
        return {"part": part, "skipped": str(exc)}
    var_dir = temp_var_dir(f"personas-{part}")
    result_file = var_dir / "result.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", part, "--result-file", str(result_file),
               "--posts", str(args.posts), "--items", str(args.items), "--requests", str(args.requests),
               "--workers", str(args.workers), "--interval", str(args.interval),
               *(["--profile"] if args.profile else [])]
    log(f"[{part}] running in {var_dir}")
    try:
        finished = subprocess.run(command, cwd=REPO, env=mode_env("production", var_dir), timeout=1800)
        if finished.returncode != 0 or not result_file.exists():
            return {"part": part, "failed": f"child exited with {finished.returncode}; files in {var_dir}"}
        result = json.loads(result_file.read_text())
    except subprocess.TimeoutExpired:
        return {"part": part, "failed": f"child timed out; files in {var_dir}"}
    result["backends"] = backends
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    return result


def fmt_s(value) -> str:
    return "-" if value is None else f"{value:.2f} s"


def fmt_ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def report_scheduler(result: dict) -> None:
    print(f"[scheduler] {result['posts']} scheduled posts due evenly over {SPREAD_SECONDS:.0f} s (the first "
          f"{LEAD_SECONDS:.0f} s after writing), {result['workers']} worker processes each calling "
          f"publish_due() every {result['interval']:g} s; real Mastodon connector -> stand-in Mastodon on "
          f"127.0.0.1; {result['media_bytes'] / 1000:.1f} kB JPEG per post (media upload + status)")
    for name in ("due_to_published", "due_to_claimed", "claimed_to_published"):
        figures = result[name]
        label = name.replace("_to_", " -> ").replace("_", " ")
        print(f"  {label:<22} p50 {fmt_s(figures['p50']):>9}  p95 {fmt_s(figures['p95']):>9}  "
              f"max {fmt_s(figures['max']):>9}  (n={figures['n']})")
    thirds = "  ".join(f"{label}: p95 {fmt_s(value)}" for label, value in result["p95_by_third"].items())
    print(f"  due -> published by due time in the minute: {thirds}")
    print(f"  throughput: {result['published']} published from the first to the last publish in "
          f"{result['publish_span_s']:.1f} s = {result['rate_per_s']:.1f} posts/s (arrival rate "
          f"{result['posts'] / SPREAD_SECONDS:.1f}/s); last publish {result['after_last_due_s']:.2f} s after "
          "the last due time")
    claims = ", ".join(f"worker {w['worker']}: {w['claimed']} claims in {w['sweeps']} sweeps "
                       f"(busy {w['busy_s']:.1f} s, CPU {w['cpu_s']:.1f} s)" for w in result["worker_stats"])
    print(f"  {claims}")
    cpu = sum(w["cpu_s"] for w in result["worker_stats"])
    print(f"  worker CPU per published post: {cpu / max(1, result['published']) * 1000:.0f} ms (both workers' "
          "process CPU time while sweeping, lost claim races included)")
    check = result["integrity"]
    verdict = "OK" if check["ok"] else "PROBLEM"
    print(f"  integrity {verdict}: scheduled rows {check['schedule_statuses']}; posts {check['posts']} "
          f"{check['post_statuses']}, max attempts {check['max_attempts']}, distinct keys {check['post_keys']}; "
          f"claims summed {check['claims']}; stand-in: {check['status_creations']} POST /api/v1/statuses, "
          f"{check['distinct_keys']} distinct Idempotency-Keys, {check['repeated_keys']} repeated, "
          f"{check['statuses_made']} statuses made, {check['media_uploads']} media uploads")
    for problem in check["problems"]:
        print(f"    - {problem}")
    if result.get("profile"):
        print("  --profile (cProfile of both workers, so the latencies above are inflated), top functions by own "
              "time:")
        print(f"    {'own s':>7} {'cum s':>7} {'calls':>7}  function")
        for row in result["profile"]:
            print(f"    {row['tottime']:>7.2f} {row['cumtime']:>7.2f} {row['calls']:>7}  {row['function']}")


def report_content(result: dict) -> None:
    print(f"[content] GET /api/v1/content, {result['items']} items of one user over {len(CHARACTERS)} characters "
          f"({result['mix']}), in-process test client (force_authenticate), limit 20, "
          f"{WARMUP} warm-up requests per shape:")
    header = (f"  {'query':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>5} {'queries':>8} "
              f"{'total':>7}")
    print(header)
    for name, figures in result["shapes"].items():
        queries = "/".join(str(q) for q in sorted(set(figures["queries"])))
        print(f"  {name:<36} {fmt_ms(figures['p50']):>8} {fmt_ms(figures['p95']):>8} {fmt_ms(figures['max']):>8} "
              f"{figures['n']:>5} {queries:>8} {figures['total']:>7}")
    print()
    print("  SQL of one request (no filter):")
    for sql in result["sample_sql"]:
        print(f"    {sql}")
    print()
    print("  EXPLAIN ANALYZE per shape (run once after the timed requests):")
    for name, plans in result["plans"].items():
        print(f"  -- {name}")
        for label, lines in plans.items():
            print(f"     {label}:")
            for line in lines:
                print(f"       {line}")


def report(results: list[dict], machine: dict, elapsed: float) -> None:
    print()
    print("StageCraft personas benchmark")
    print(f"  machine: {machine_line(machine)}")
    for result in results:
        if "backends" in result:
            versions = ", ".join(f"{k} {v}" for k, v in result["backends"].items())
            print(f"  backends: {versions}")
            break
    for result in results:
        part = result["part"]
        print()
        if "skipped" in result:
            print(f"[{part}] skipped: {result['skipped']}")
        elif "failed" in result:
            print(f"[{part}] FAILED: {result['failed']}")
        elif part == "scheduler":
            report_scheduler(result)
        else:
            report_content(result)
    print()
    print(f"Total time {elapsed:.0f} s.")


def main_parent(args) -> int:
    started = time.monotonic()
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)  # read by prepare_production and mode_env
    machine = machine_info()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"unknown part(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results = [run_part(part, args) for part in parts]
    report(results, machine, time.monotonic() - started)
    return 1 if any("failed" in r for r in results) else 0


# --- Child: shared ------------------------------------------------------------

def fresh_user():
    """The benchmark user, its previous rows deleted first."""
    from config.accounts.models import User

    remove_user()
    return User.objects.create_user(BENCH_EMAIL, "bench-password-1")


def remove_user() -> None:
    """Delete the benchmark user's rows; posts and scheduled posts first (they hold their account with PROTECT)."""
    from config.accounts.models import User
    from personas.models import Post, ScheduledPost

    ScheduledPost.objects.filter(character__owner__email=BENCH_EMAIL).delete()
    Post.objects.filter(character__owner__email=BENCH_EMAIL).delete()
    User.objects.filter(email=BENCH_EMAIL).delete()


def small_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 320), (236, 228, 214))
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 60, 240, 220), fill=(190, 120, 90))
    draw.rectangle((60, 230, 260, 300), fill=(60, 80, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


# --- Child: scheduler -----------------------------------------------------------

def child_scheduler(args) -> dict:
    from contextlib import ExitStack

    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.db.models import Count
    from django.utils import timezone

    from personas.choices import ContentType, PostStatus, Review, ScheduleStatus
    from personas.models import Character, ContentItem, Post, ScheduledPost
    from tests.e2e.processes import running
    from tests.personas.standins import MastodonStandIn, connect

    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)  # media, and the worker logs next to it
    server = MastodonStandIn().start()
    run_dir = Path(args.result_file).parent / "workers"
    run_dir.mkdir(exist_ok=True)
    try:
        user = fresh_user()
        character = Character.objects.create(owner=user, name="Ava Bench", timezone="UTC")
        account = connect(user, character, server)  # services.accounts.connect_account: live verify + encrypt
        jpeg = small_jpeg()
        content = ContentItem(character=character, content_type=ContentType.IMAGE, caption="Morning light.",
                              hashtags=["photography", "morning"], alt_text="A drawn sun over a blue band",
                              review=Review.APPROVED, width=320, height=320, file_size=len(jpeg))
        content.file.save("bench-post.jpg", ContentFile(jpeg), save=False)
        content.save()

        worker_command = [sys.executable, str(Path(__file__).resolve()), "--run-dir", str(run_dir),
                          "--interval", str(args.interval), *(["--profile"] if args.profile else []), "--worker"]
        with ExitStack() as stack:
            workers = [stack.enter_context(running([*worker_command, str(number)], dict(os.environ)))
                       for number in range(1, args.workers + 1)]
            wait_ready(run_dir, workers, args.workers)
            log(f"[scheduler] {args.workers} workers sweeping; writing {args.posts} scheduled posts")
            start = timezone.now() + timedelta(seconds=LEAD_SECONDS)
            step = SPREAD_SECONDS / args.posts
            rows = [ScheduledPost(character=character, account=account, content=content,
                                  caption=f"Scheduled post {index}", hashtags=list(content.hashtags),
                                  scheduled_at=start + timedelta(seconds=index * step))
                    for index in range(args.posts)]
            ScheduledPost.objects.bulk_create(rows, batch_size=1000)
            due = {row.pk: row.scheduled_at for row in rows}
            last_due = max(due.values())
            deadline = time.monotonic() + LEAD_SECONDS + SPREAD_SECONDS + 300
            open_statuses = (ScheduleStatus.SCHEDULED, ScheduleStatus.PUBLISHING)
            while ScheduledPost.objects.filter(character=character, status__in=open_statuses).exists():
                if time.monotonic() > deadline:
                    log("[scheduler] posts still open 5 min after the last due time; stopping the workers")
                    break
                time.sleep(0.25)
            (run_dir / "stop").touch()
            for process in workers:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=30)
        worker_stats = []
        for number in range(1, args.workers + 1):
            path = run_dir / f"worker-{number}.json"
            worker_stats.append(json.loads(path.read_text()) if path.exists()
                                else {"worker": number, "claimed": 0, "sweeps": 0, "busy_s": 0.0, "cpu_s": 0.0})
        profiles = sorted(str(path) for path in run_dir.glob("worker-*.prof"))

        scheduled = {row.pk: row for row in ScheduledPost.objects.filter(character=character).select_related("post")}
        latencies, to_claim, to_publish, by_third = [], [], [], {"first 20 s": [], "middle 20 s": [], "last 20 s": []}
        published_times = []
        for pk, row in scheduled.items():
            post = row.post
            if row.status != ScheduleStatus.PUBLISHED or post is None or post.published_at is None:
                continue
            total = (post.published_at - due[pk]).total_seconds()
            latencies.append(total)
            to_claim.append((post.created_at - due[pk]).total_seconds())
            to_publish.append((post.published_at - post.created_at).total_seconds())
            offset = (due[pk] - start).total_seconds()
            by_third[list(by_third)[min(2, int(offset // (SPREAD_SECONDS / 3)))]].append(total)
            published_times.append(post.published_at)
        span = (max(published_times) - min(published_times)).total_seconds() if len(published_times) > 1 else 0.0

        posts = Post.objects.filter(character=character)
        schedule_statuses = dict(ScheduledPost.objects.filter(character=character).values_list("status")
                                 .annotate(n=Count("pk")).values_list("status", "n"))
        post_statuses = dict(posts.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        keys = [seen.headers.get("idempotency-key", "") for seen in server.calls("/api/v1/statuses")
                if seen.method == "POST"]
        integrity = {
            "schedule_statuses": schedule_statuses, "posts": posts.count(), "post_statuses": post_statuses,
            "max_attempts": max(posts.values_list("attempts", flat=True), default=0),
            "post_keys": posts.values("idempotency_key").distinct().count(),
            "claims": sum(w["claimed"] for w in worker_stats),
            "status_creations": len(keys), "distinct_keys": len(set(keys)), "repeated_keys": len(keys) - len(set(keys)),
            "statuses_made": len(server.statuses),
            "media_uploads": sum(1 for seen in server.calls("/api/v2/media") if seen.method == "POST"),
        }
        expected = {
            "every row published": schedule_statuses.get(ScheduleStatus.PUBLISHED, 0) == args.posts,
            "one published post per row": (integrity["posts"] == args.posts
                                           and post_statuses.get(PostStatus.PUBLISHED, 0) == args.posts),
            "one attempt per post": integrity["max_attempts"] == 1,
            "distinct post per row": len({row.post_id for row in scheduled.values()}) == args.posts,
            "claims summed = posts": integrity["claims"] == args.posts,
            "stand-in: one status creation per post": integrity["status_creations"] == args.posts,
            "stand-in: no repeated Idempotency-Key": integrity["repeated_keys"] == 0,
            "stand-in: statuses made = posts": integrity["statuses_made"] == args.posts,
        }
        integrity["problems"] = [name for name, good in expected.items() if not good]
        integrity["ok"] = not integrity["problems"]
        return {
            "part": "scheduler", "posts": args.posts, "workers": args.workers, "interval": args.interval,
            "media_bytes": len(jpeg), "published": len(latencies),
            "due_to_published": summary(latencies), "due_to_claimed": summary(to_claim),
            "claimed_to_published": summary(to_publish),
            "p95_by_third": {label: percentile(values, 0.95) for label, values in by_third.items()},
            "publish_span_s": span, "rate_per_s": len(published_times) / span if span else 0.0,
            "after_last_due_s": (max(published_times) - last_due).total_seconds() if published_times else 0.0,
            "worker_stats": worker_stats, "integrity": integrity,
            "profile": top_functions(profiles) if profiles else [],
        }
    finally:
        server.stop()
        remove_user()


def wait_ready(run_dir: Path, workers: list, count: int) -> None:
    deadline = time.monotonic() + 120
    while sum(1 for number in range(1, count + 1) if (run_dir / f"ready-{number}").exists()) < count:
        if any(process.poll() is not None for process in workers):
            raise RuntimeError(f"a worker exited early; see the logs in {run_dir.parent}")
        if time.monotonic() > deadline:
            raise TimeoutError("the workers did not start in 120 s")
        time.sleep(0.1)


def top_functions(paths: list[str], count: int = 12) -> list[dict]:
    """The functions with the most own time over the workers' cProfile files."""
    import pstats

    stats = pstats.Stats(*paths).stats
    rows = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:count]
    return [{"function": f"{Path(file).name}:{line}({name})" if line else name, "calls": calls,
             "tottime": tottime, "cumtime": cumtime}
            for (file, line, name), (_, calls, tottime, cumtime, _) in rows]


def main_worker(args) -> int:
    """One scheduler worker: ``publish_due()`` every ``--interval`` s until the run directory says stop."""
    setup_django(migrate=False)  # the child migrated this database before starting the workers
    from personas.services.scheduling import publish_due

    run_dir = Path(args.run_dir)
    number = args.worker
    publish_due()  # opens the connection and loads the code; nothing is due yet
    (run_dir / f"ready-{number}").touch()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    claimed = sweeps = 0
    busy = cpu = 0.0
    deadline = time.monotonic() + 1200
    while not (run_dir / "stop").exists() and time.monotonic() < deadline:
        began, began_cpu = time.monotonic(), time.process_time()
        if profiler:
            profiler.enable()
        claimed += publish_due()
        if profiler:
            profiler.disable()
        sweeps += 1
        elapsed = time.monotonic() - began
        busy += elapsed
        cpu += time.process_time() - began_cpu
        time.sleep(max(0.0, args.interval - elapsed))
    if profiler:
        profiler.dump_stats(run_dir / f"worker-{number}.prof")
    (run_dir / f"worker-{number}.json").write_text(json.dumps(
        {"worker": number, "claimed": claimed, "sweeps": sweeps, "busy_s": busy, "cpu_s": cpu}))
    return 0


# --- Child: content -------------------------------------------------------------

def child_content(args) -> dict:
    import random

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from personas.choices import ContentType, Review
    from personas.models import Character, ContentItem

    try:
        user = fresh_user()
        characters = [Character.objects.create(owner=user, name=name) for name in CHARACTERS]
        now = timezone.now()
        # Drawn independently of each other (a fixed seed): 60/30/10 % image/text/video, 40 % approved.
        rng = random.Random(0)
        types, type_weights = [ContentType.IMAGE, ContentType.TEXT, ContentType.VIDEO], [6, 3, 1]
        reviews, review_weights = [Review.APPROVED, Review.PENDING, Review.REJECTED], [4, 4, 2]
        log(f"[content] bulk_create {args.items} items")
        batch = 5000
        for first in range(0, args.items, batch):
            rows = []
            for index in range(first, min(first + batch, args.items)):
                kind = rng.choices(types, type_weights)[0]
                media = kind != ContentType.TEXT
                rows.append(ContentItem(
                    character=rng.choice(characters), content_type=kind, category="post",
                    file=f"personas/content/bench/{index}.jpg" if media else "",
                    thumbnail=f"personas/thumbnails/bench/{index}.jpg" if media else "",
                    width=1024 if media else None, height=1024 if media else None,
                    file_size=180_000 if media else None,
                    prompt=f"portrait of the character at a cafe, golden hour, 35mm, variation {index}",
                    caption=f"Coffee and a good book, take {index}. What are you reading this week?",
                    hashtags=["coffee", "books", f"day{index % 365}"], alt_text="A person reading in a cafe",
                    generation_settings={"steps": 30, "cfg_scale": 7, "seed": index},
                    quality_score=0.5 + (index % 50) / 100, review=rng.choices(reviews, review_weights)[0],
                    created_at=now - timedelta(seconds=index)))
            ContentItem.objects.bulk_create(rows, batch_size=batch)
        with connection.cursor() as cursor:
            # As autovacuum would leave a table that grew over time: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE personas_contentitem")
            cursor.execute("VACUUM ANALYZE personas_character")
        counts = {kind: ContentItem.objects.filter(character__owner=user, content_type=kind).count()
                  for kind in ContentType.values}
        approved = ContentItem.objects.filter(character__owner=user, review=Review.APPROVED).count()

        client = APIClient()
        client.force_authenticate(user)
        deep = max(0, min(40_000, args.items - 20))
        shapes = {
            "no filter": lambda i: {"limit": 20},
            "character_id= (5, rotating)": lambda i: {"character_id": str(characters[i % 5].pk), "limit": 20},
            "is_approved=true": lambda i: {"is_approved": "true", "limit": 20},
            "content_type=image": lambda i: {"content_type": "image", "limit": 20},
            "character_id= & is_approved=true": lambda i: {"character_id": str(characters[i % 5].pk),
                                                           "is_approved": "true", "limit": 20},
            f"offset={deep}": lambda i: {"limit": 20, "offset": deep},
        }
        result = {"part": "content", "items": args.items, "shapes": {}, "plans": {}, "sample_sql": [],
                  "mix": ", ".join(f"{n} {kind}" for kind, n in counts.items()) + f"; {approved} approved"}
        for name, params in shapes.items():
            queries, timings, totals = [], [], []
            for i in range(WARMUP):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get("/api/v1/content", params(i))
                check(name, response)
                queries.append(len(captured.captured_queries))
            sqls = [q["sql"] for q in captured.captured_queries]
            if name == "no filter":
                result["sample_sql"] = sqls
            for i in range(args.requests):
                started = time.perf_counter()
                response = client.get("/api/v1/content", params(i))
                timings.append((time.perf_counter() - started) * 1000)
                check(name, response)
                totals.append(response.json()["data"]["total"])
            result["shapes"][name] = {**summary(timings), "queries": queries, "total": round(sum(totals) / len(totals))}
            result["plans"][name] = explain(sqls)
            log(f"[content] {name}: p95 {percentile(timings, 0.95):.1f} ms, {queries[-1]} queries")
        return result
    finally:
        remove_user()


def check(name: str, response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{name}: HTTP {response.status_code}: {response.content[:300]!r}")


def explain(sqls: list[str]) -> dict:
    """``EXPLAIN ANALYZE`` of the page query and the count query among ``sqls``."""
    from django.db import connection

    plans = {}
    for sql in sqls:
        if "personas_contentitem" not in sql:
            continue
        label = "count" if "COUNT(" in sql.upper() else "page"
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN ANALYZE {sql}")
            plans[label] = [row[0] for row in cursor.fetchall()]
    return plans


def main_child(args) -> int:
    part = args.child
    started = time.monotonic()
    log(f"[{part}] migrate")
    setup_django(cache_table=False)  # the cache is Redis
    result = {"scheduler": child_scheduler, "content": child_content}[part](args)
    Path(args.result_file).write_text(json.dumps(result, default=str))
    log(f"[{part}] done in {time.monotonic() - started:.1f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: scheduler,content")
    parser.add_argument("--posts", type=int, default=1000, help="scheduled posts due within one minute (default 1000)")
    parser.add_argument("--items", type=int, default=50_000, help="content items for the content part (default 50000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per query shape (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="scheduler worker processes (default 2)")
    parser.add_argument("--interval", type=float, default=1.0,
                        help="seconds between one worker's publish_due() sweeps (default 1.0)")
    parser.add_argument("--profile", action="store_true",
                        help="run the scheduler workers under cProfile and print their top functions")
    parser.add_argument("--keep", action="store_true", help="keep each part's temporary directory (worker logs)")
    parser.add_argument("--child", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--run-dir", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.posts, args.items, args.requests, args.workers) < 1 or args.interval <= 0:
        parser.error("--posts, --items, --requests, --workers and --interval must be positive")
    if args.worker:
        return main_worker(args)
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
