"""Designs benchmark: v2 generate with the rule-based generator, against ``/health`` on the same server.

Run from the repository root::

    .venv/bin/python tests/benchmarks/bench_designs.py [--requests 300] [--concurrency 10] [--workers 1]

It prints the load average at its start (other work on the 2 cores moves every
figure, so read the ratios to ``/health`` from the same run). A child process
migrates a database of its own (the production mode: PostgreSQL at
``BENCH_DATABASE_URL``, default ``stagecraft_bench_designs``, and Redis at
``BENCH_REDIS_URL``, default db 9; the embedded SQLite mode with ``--mode
embedded`` or when they are unreachable), creates an enterprise
user with an API key and a JWT, and starts uvicorn serving ``config.asgi``
with the rate limit switched off (``RATELIMIT_ENABLE=false``) and no language
model (``AI_LLM_PROVIDER=none``), so every answer comes from the rules
(MiniLM classification, layout, physics, storage, audit row).

1. **health**: ``GET /health`` from ``--concurrency`` keep-alive connections,
   the machine's own ceiling for this server.
2. **auth/me**: ``GET /api/v1/auth/me`` with the JWT, same connections
   (issue 19: at least 0.6x ``/health``).
3. **latency**: ``--requests`` sequential ``POST /api/v1/generate`` with both
   headers, cycling through twelve prompts over the five design types;
   p50/p95/max (document: under 200 ms on average; aim: p95 under 50 ms).
4. **throughput**: the same requests from ``--concurrency`` keep-alive
   connections (issue 19: at least 150 req/s and 0.25x ``/health``, p95 under 50 ms).

Each line also gives the server's CPU time per request (the uvicorn process group, from
``/proc``) and ``/health``'s CPU per request divided by it: on a VM whose neighbours move the
rates by a third between runs, that ratio moves far less. It prints figures and asserts
nothing about them.
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks import wrk  # noqa: E402  (the path above makes the repo importable)
from tests.benchmarks.bench_platform import http_load, summary  # noqa: E402
from tests.benchmarks.setup import (  # noqa: E402
    group_cpu_seconds,
    log,
    machine_line,
    mode_env,
    prepare_production,
    setup_django,
    temp_var_dir,
)

BENCH_EMAIL = "bench-designs@stagecraft.local"
# Its own database and Redis db, so it never shares state with another benchmark running beside it.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/stagecraft_bench_designs"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
PROMPTS = (
    "oak dining table for six, 1.8 m long, white legs",
    "walnut coffee table 1.2 x 0.6 x 0.45 m",
    "office chair with black leather seat",
    "tall bookshelf with five shelves, 2 m high",
    "modern electric vehicle with aerodynamic design",
    "pickup truck with a 2 m cargo bed",
    "three storey residential building with a flat roof",
    "commercial office building with 10 floors",
    "smart home IoT sensor with WiFi connectivity",
    "laptop computer with a 15 inch screen",
    "front-loading washing machine, white",
    "stainless steel refrigerator 1.8 m tall",
)


async def post_load(url: str, headers: dict, requests: int, concurrency: int) -> dict:
    """``requests`` POSTs of the prompts from ``concurrency`` connections; latencies and overall rate."""
    import httpx

    latencies: list[float] = []
    errors: list[int] = []
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            for number in counter:
                body = {"prompt": PROMPTS[number % len(PROMPTS)], "style": "modern"}
                began = time.perf_counter()
                response = await client.post(url, json=body)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200:
                    errors.append(response.status_code)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - began
    return {**summary(latencies), "rps": len(latencies) / wall, "errors": len(errors),
            "error_statuses": sorted(set(errors))}


def main_child(args) -> int:
    setup_django()
    from config.accounts.choices import Plan
    from config.accounts.models import User
    from config.accounts.services import create_api_key, issue_tokens
    from tests.e2e.processes import free_port, running

    user, _ = User.objects.get_or_create(email=BENCH_EMAIL, defaults={"plan": Plan.ENTERPRISE})
    User.objects.filter(pk=user.pk).update(plan=Plan.ENTERPRISE, usage_this_cycle=0)
    _, raw_key = create_api_key(user, name="bench")
    jwt = {"Authorization": f"Bearer {issue_tokens(user)['access_token']}"}
    headers = {"X-API-Key": raw_key, **jwt}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port",
              str(port), "--no-access-log", "--log-level", "warning", "--workers", str(args.workers)]
    result = {"mode": args.mode, "workers": args.workers}
    bodies = tuple(json.dumps({"prompt": prompt, "style": "modern"}) for prompt in PROMPTS)
    with running(server, dict(os.environ), f"{base}/health") as process:

        def measured(load, *args, **kwargs):
            """``load(*args, **kwargs)``'s figures with the server's CPU milliseconds per request added."""
            before = group_cpu_seconds(process.pid)
            figures = load(*args, **kwargs)
            figures["cpu_ms"] = (group_cpu_seconds(process.pid) - before) * 1000 / max(figures["n"], 1)
            return figures

        log("warm-up (loads MiniLM in the server)")
        asyncio.run(post_load(f"{base}/api/v1/generate", headers, 12 * args.workers, args.workers))
        log(f"latency: {args.requests} sequential requests")
        result["latency"] = measured(lambda: asyncio.run(post_load(f"{base}/api/v1/generate", headers,
                                                                    args.requests, 1)))
        if args.client == "wrk":
            for name, path, method, request_headers in (("health", "/health", "GET", {}),
                                                        ("auth_me", "/api/v1/auth/me", "GET", jwt),
                                                        ("throughput", "/api/v1/generate", "POST", headers)):
                log(f"{path}: wrk, {args.seconds:g} s at concurrency {args.concurrency}")
                result[name] = measured(wrk.wrk_load, f"{base}{path}", request_headers, args.concurrency,
                                        args.seconds, method=method, bodies=bodies if method == "POST" else ())
        else:
            log(f"/health: {args.requests * 4} requests at concurrency {args.concurrency}")
            result["health"] = measured(lambda: asyncio.run(http_load(f"{base}/health", {}, args.requests * 4,
                                                                      args.concurrency)))
            log(f"/api/v1/auth/me: {args.requests * 4} requests at concurrency {args.concurrency}")
            result["auth_me"] = measured(lambda: asyncio.run(http_load(f"{base}/api/v1/auth/me", jwt,
                                                                       args.requests * 4, args.concurrency)))
            log(f"throughput: {args.requests} requests at concurrency {args.concurrency}")
            result["throughput"] = measured(lambda: asyncio.run(post_load(f"{base}/api/v1/generate", headers,
                                                                          args.requests, args.concurrency)))
    Path(args.result_file).write_text(json.dumps(result))
    return 0


def main_parent(args) -> int:
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    load_at_start = os.getloadavg()
    mode = args.mode
    backends = {}
    if mode == "production":
        try:
            backends = prepare_production()
        except Exception as exc:
            log(f"production mode unavailable ({exc}); using the embedded mode")
            mode = "embedded"
    var_dir = temp_var_dir("designs")
    env = mode_env(mode, var_dir, AI_LLM_PROVIDER="none", DESIGNS_GENERATOR="rules")
    result_file = var_dir / "result.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--mode", mode, "--result-file",
               str(result_file), "--requests", str(args.requests), "--concurrency", str(args.concurrency),
               "--workers", str(args.workers), "--client", args.client, "--seconds", str(args.seconds)]
    started = time.monotonic()
    finished = subprocess.run(command, cwd=REPO, env=env, timeout=1800)
    if finished.returncode != 0 or not result_file.exists():
        print(f"benchmark child failed ({finished.returncode}); logs in {var_dir}", file=sys.stderr)
        return 1
    result = json.loads(result_file.read_text())
    shutil.rmtree(var_dir, ignore_errors=True)
    print(f"\nDesigns benchmark ({result['mode']} mode {backends or ''}, uvicorn workers: {result['workers']}, "
          f"client: {args.client})")
    print(f"machine: {machine_line()}")
    print(f"load average at start: {' '.join(f'{value:.2f}' for value in load_at_start)}")
    print(f"database {os.environ['BENCH_DATABASE_URL'].rpartition('/')[2]}, "
          f"redis db {os.environ['BENCH_REDIS_URL'].rpartition('/')[2]}" if result["mode"] == "production" else "")
    health = result["health"]["rps"]
    health_cpu = result["health"]["cpu_ms"] or 1e-9
    for name, label in (("health", f"GET /health, c={args.concurrency}"),
                        ("auth_me", f"GET /auth/me, c={args.concurrency}"),
                        ("latency", "generate, c=1"), ("throughput", f"generate, c={args.concurrency}")):
        figures = result[name]
        print(f"{label:>22}: n={figures['n']} p50={figures['p50'] * 1000:.1f} ms p95={figures['p95'] * 1000:.1f} ms "
              f"max={figures['max'] * 1000:.1f} ms  {figures['rps']:.1f} req/s ({figures['rps'] / health:.2f}x /health)"
              f"  server CPU {figures['cpu_ms']:.2f} ms/request ({health_cpu / (figures['cpu_ms'] or 1e-9):.2f}x)"
              f"  errors={figures['errors']} {figures.get('error_statuses') or ''}")
    print(f"total {time.monotonic() - started:.0f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mode", choices=("production", "embedded"), default="production")
    parser.add_argument("--client", choices=("wrk", "httpx"), default="wrk" if wrk.available() else "httpx",
                        help="load generator for the concurrent runs (default wrk when installed)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each wrk run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
