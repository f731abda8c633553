"""Platform benchmark: HTTP throughput and live-progress latency, in both modes.

Run from the repository root::

    .venv/bin/python tests/benchmarks/bench_platform.py [--requests N] [--concurrency C]

For each mode it measures, on the real processes (uvicorn serving
``config.asgi`` and ``manage.py qcluster``):

1. requests/s and p50/p95 latency of ``GET /api/v1/auth/me`` (JWT access token)
   and ``GET /health``;
2. the time from a task's progress report to its arrival at a WebSocket client:
   self-test jobs (``config/jobs/selftest.py``) store ``sent_at = time.time()``
   in each "tick" step just before the step completes; the client subtracts it
   from its own ``time.time()`` when the completed step's message arrives.

Modes: *embedded* (a fresh SQLite file in a temporary directory, ORM broker,
in-memory channel layer, delivery by DB polling) and *production* (PostgreSQL
at ``BENCH_DATABASE_URL``, Redis at ``BENCH_REDIS_URL``, channels-redis). The
production figures are skipped, with the reason, when either is unreachable.

Each mode runs in a child process of this script (``--child MODE``) because
Django reads its settings once per process. This is a benchmark, not a test:
it prints figures and asserts nothing about them.
"""

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks.setup import (  # noqa: E402  (the path above makes the repo importable)
    log,
    machine_info,
    machine_line,
    mode_env,
    prepare_production,
    setup_django,
    temp_var_dir,
)

MODES = ("embedded", "production")
BENCH_EMAIL = "bench@stagecraft.local"


# --- Parent: prerequisites, child processes, report --------------------------

def run_mode(mode: str, args) -> dict:
    """Run one mode in a child process; return its figures, or why there are none."""
    backends = {}
    if mode == "production":
        try:
            backends = prepare_production()
        except Exception as exc:
            return {"mode": mode, "skipped": str(exc)}
    else:
        backends = {"sqlite": sqlite3.sqlite_version}
    var_dir = temp_var_dir(mode)
    result_file = var_dir / "result.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--result-file", str(result_file),
               "--requests", str(args.requests), "--concurrency", str(args.concurrency),
               "--jobs", str(args.jobs), "--ticks", str(args.ticks), "--delay", str(args.delay)]
    print(f"[{mode}] running in {var_dir}", file=sys.stderr, flush=True)
    try:
        finished = subprocess.run(command, cwd=REPO, env=mode_env(mode, var_dir), timeout=600)
        if finished.returncode != 0 or not result_file.exists():
            return {"mode": mode, "failed": f"child exited with {finished.returncode}; logs in {var_dir}"}
        result = json.loads(result_file.read_text())
    except subprocess.TimeoutExpired:
        return {"mode": mode, "failed": f"child timed out; logs in {var_dir}"}
    result["backends"] = backends
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    return result


def fmt_ms(value) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def report(results: list[dict], args, machine: dict, elapsed: float) -> None:
    print()
    print("StageCraft platform benchmark")
    print(f"  machine : {machine_line(machine)}")
    print(f"  load    : {args.requests} requests per endpoint at concurrency {args.concurrency} "
          f"(after a warm-up); 1 uvicorn process; client on the same machine")
    print(f"  progress: {args.jobs} self-test job(s) x {args.ticks} ticks, {args.delay} s per tick, one job at a "
          "time; latency = arrival at the WS client - the worker's time.time() as the tick completes")
    for result in results:
        if "backends" in result:
            versions = ", ".join(f"{k} {v}" for k, v in result["backends"].items())
            print(f"  {result['mode']:<10}: {versions}")
    print()
    header = f"{'mode':<11} {'measurement':<32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>6}"
    print(header)
    print("-" * len(header))
    for result in results:
        mode = result["mode"]
        if "skipped" in result:
            print(f"{mode:<11} skipped: {result['skipped']}")
            continue
        if "failed" in result:
            print(f"{mode:<11} FAILED: {result['failed']}")
            continue
        for name, figures in result["http"].items():
            errors = f"  ({figures['errors']} errors)" if figures["errors"] else ""
            print(f"{mode:<11} {'GET ' + name:<32} {figures['rps']:>8.0f} {fmt_ms(figures['p50']):>8} "
                  f"{fmt_ms(figures['p95']):>8} {fmt_ms(figures['max']):>8} {figures['n']:>6}{errors}")
        ws = result["progress"]
        label = f"WS progress ({ws['delivery']})"
        replayed = f"  ({ws['replayed_excluded']} replayed ticks left out)" if ws["replayed_excluded"] else ""
        print(f"{mode:<11} {label:<32} {'':>8} {fmt_ms(ws['p50']):>8} {fmt_ms(ws['p95']):>8} "
              f"{fmt_ms(ws['max']):>8} {ws['n']:>6}{replayed}")
    print()
    print(f"Total time {elapsed:.0f} s.")


def main_parent(args) -> int:
    started = time.monotonic()
    machine = machine_info()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(modes) - set(MODES)
    if unknown:
        print(f"unknown mode(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results = [run_mode(mode, args) for mode in modes]
    report(results, args, machine, time.monotonic() - started)
    return 1 if any("failed" in r for r in results) else 0


# --- Child: one mode, Django configured against that mode's fresh database ---

def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "max": max(values) if values else None}


async def http_load(url: str, headers: dict, requests: int, concurrency: int) -> dict:
    """``requests`` GETs from ``concurrency`` keep-alive connections; per-request latency and overall rate."""
    import httpx

    latencies: list[float] = []
    errors = 0
    remaining = requests
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                began = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - began)
                errors += not ok

        # Warm-up: open every connection and let the server's first requests (imports, pools) pass.
        warmup = max(100, concurrency * 5)
        await asyncio.gather(*(client.get(url) for _ in range(warmup)))
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - began
    return {**summary(latencies), "rps": len(latencies) / wall, "errors": errors}


async def follow_job(ws_url: str, limit: float) -> tuple[float, list[tuple[float, dict]]]:
    """Connect, then collect every message with its arrival time until the server closes."""
    import websockets

    received = []
    async with websockets.connect(ws_url, open_timeout=10) as socket:
        connected = time.time()
        async with asyncio.timeout(limit):
            async for raw in socket:
                received.append((time.time(), json.loads(raw)))
    return connected, received


def start_selftest(owner, ticks: int, delay: float):
    from django.db import transaction

    from config.jobs import selftest, services

    with transaction.atomic():
        return services.create_job(owner, kind=selftest.KIND, task=selftest.TASK,
                                   params={"ticks": ticks, "delay": delay}, metered=False,
                                   timeout_seconds=int(60 + ticks * delay * 2))


def main_child(args) -> int:
    mode = args.child
    started = time.monotonic()
    log(f"[{mode}] migrate + createcachetable")
    setup_django()
    from django.conf import settings

    from config.accounts.choices import Plan
    from config.accounts.models import User
    from config.accounts.services import issue_tokens
    from config.jobs.models import Job
    from tests.e2e.processes import free_port, running

    user, _ = User.objects.get_or_create(email=BENCH_EMAIL, defaults={"full_name": "Benchmark", "plan": Plan.TRIAL})
    token = issue_tokens(user)["access_token"]
    delivery = "Redis doorbell" if settings.REDIS_URL else "UNIX-socket doorbell"

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    uvicorn = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]
    result = {"mode": mode, "http": {}, "delivery": delivery}
    with running(uvicorn, dict(os.environ), f"{base}/health"):
        endpoints = {"/api/v1/auth/me (JWT)": ("/api/v1/auth/me", {"Authorization": f"Bearer {token}"}),
                     "/health": ("/health", {})}
        for name, (path, headers) in endpoints.items():
            log(f"[{mode}] GET {path}: {args.requests} requests at concurrency {args.concurrency}")
            result["http"][name] = asyncio.run(http_load(base + path, headers, args.requests, args.concurrency))

        # The worker starts only now, so its broker polling does not weigh on the HTTP figures.
        latencies, excluded = [], 0
        with running([sys.executable, "manage.py", "qcluster"], dict(os.environ)):
            for number in range(args.jobs):
                job = start_selftest(user, args.ticks, args.delay)
                ws_url = f"ws://127.0.0.1:{port}/ws/processing/{job.pk}?token={token}"
                connected, messages = asyncio.run(follow_job(ws_url, limit=60 + args.ticks * args.delay * 2))
                status = Job.objects.get(pk=job.pk).status
                ticks = 0
                for arrived, message in messages:
                    if (message["type"], message["step"], message["status"]) != ("step_update", "tick", "completed"):
                        continue
                    ticks += 1
                    sent_at = message["data"]["sent_at"]
                    # A tick finished before the socket was open arrives as a replay: not live latency.
                    if sent_at < connected:
                        excluded += 1
                        continue
                    latencies.append(arrived - sent_at)
                log(f"[{mode}] job {number + 1}/{args.jobs}: {status}, {ticks} completed ticks received")
                if status != "completed" or ticks != args.ticks:
                    print(f"job {job.pk} ended {status} with {ticks}/{args.ticks} ticks", file=sys.stderr)
                    return 1
    result["progress"] = {**summary(latencies), "delivery": delivery, "replayed_excluded": excluded}
    Path(args.result_file).write_text(json.dumps(result))
    log(f"[{mode}] done in {time.monotonic() - started:.1f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per endpoint (default 2000)")
    parser.add_argument("--concurrency", type=int, default=20, help="concurrent connections (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="self-test jobs per mode (default 2)")
    parser.add_argument("--ticks", type=int, default=20, help="progress ticks per job (default 20)")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds per tick (default 0.05)")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: embedded,production")
    parser.add_argument("--keep", action="store_true", help="keep each mode's temporary directory (logs, SQLite)")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.jobs < 1 or args.ticks < 1:
        parser.error("--requests, --concurrency, --jobs and --ticks must be positive")
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
