"""What every benchmark does before it measures: a fresh var dir, its environment, a migrated database, the machine.

A benchmark never touches a developer's data: each run gets a temporary
``STAGECRAFT_VAR_DIR`` (secret key, SQLite file, media, server logs) and, in
the production mode, a database of its own at ``BENCH_DATABASE_URL``. Django
reads its settings once per process, so a benchmark that compares modes or
parts runs each in a child process with ``child_env``; one that runs in its
own process calls ``in_process`` first.

Scripts import this as ``tests.benchmarks.setup`` after putting the repository
on ``sys.path`` (they are run as files, ``.venv/bin/python tests/benchmarks/bench_x.py``).
"""

import atexit
import contextlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/stagecraft_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# Settings a developer's shell may carry that would point a benchmark elsewhere or change what it measures.
SCRUBBED = ("DATABASE_URL", "REDIS_URL", "STAGECRAFT_SQLITE_PATH", "STAGECRAFT_VAR_DIR", "MEDIA_ROOT",
            "STATIC_ROOT", "AWS_STORAGE_BUCKET_NAME", "STAGECRAFT_PRODUCTION", "JOBS_EVENT_POLL_SECONDS",
            "Q_POLL", "Q_WORKERS", "AI_LLM_PROVIDER", "DJANGO_SETTINGS_MODULE", "DEBUG")


def log(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


# --- The machine ----------------------------------------------------------------

def machine_info() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        cores = len(os.sched_getaffinity(0))  # what nproc prints
    except AttributeError:
        cores = os.cpu_count()
    return {"nproc": cores, "cpu": cpu, "python": platform.python_version(), "os": platform.platform()}


def machine_line(machine: dict | None = None) -> str:
    """The line every report prints about the machine: ``2 cores, AMD EPYC …, Python 3.11.7, Linux-…``."""
    machine = machine or machine_info()
    return f"{machine['nproc']} cores, {machine['cpu']}, Python {machine['python']}, {machine['os']}"


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the live processes of process group ``group``.

    Throughput on a shared VM moves with the neighbours' load; the server's CPU per request moves
    far less, so benchmarks print both. Read from ``/proc`` (Linux); 0.0 elsewhere.
    """
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[2]) == group:  # pgrp
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# --- A fresh var dir and the environment around it --------------------------------

def temp_var_dir(label: str) -> Path:
    """A new, empty ``STAGECRAFT_VAR_DIR`` for one run (``stagecraft-bench-<label>-…`` under the temp dir)."""
    return Path(tempfile.mkdtemp(prefix=f"stagecraft-bench-{label}-"))


def child_env(var_dir: Path, *, database_url: str | None = None, redis_url: str | None = None,
              **extra: str) -> dict:
    """The environment of a benchmark process (and of the servers and workers it starts).

    The developer's shell minus ``SCRUBBED``, plus ``var_dir`` and no rate limits. Without
    ``database_url`` the database is a new SQLite file in ``var_dir`` (the embedded mode);
    ``redis_url`` makes Redis the broker, cache and channel layer.
    """
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED and not k.startswith("PYTEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STAGECRAFT_VAR_DIR": str(var_dir),  # secret key, media and server logs stay in here
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["STAGECRAFT_SQLITE_PATH"] = str(var_dir / "stagecraft.sqlite3")
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CACHE_KEY_PREFIX"] = "stagecraft-bench"
    env.update(extra)
    return env


def mode_env(mode: str, var_dir: Path, **extra: str) -> dict:
    """``child_env`` for a mode: ``embedded`` (SQLite, no Redis) or ``production`` (``BENCH_DATABASE_URL``
    and ``BENCH_REDIS_URL``)."""
    if mode == "embedded":
        return child_env(var_dir, **extra)
    return child_env(var_dir, database_url=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
                     redis_url=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL), **extra)


# --- Backends of the production mode ----------------------------------------------

def ensure_postgres(url: str | None = None) -> str:
    """Create the benchmark database if missing; return the server's version (raises with a readable reason)."""
    import psycopg
    from psycopg import sql

    url = url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise RuntimeError(f"BENCH_DATABASE_URL has no database name: {url}")
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"  # no password in messages
    try:
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=5) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                log(f"creating PostgreSQL database {name}")
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise RuntimeError(f"PostgreSQL unreachable at {where}: {' '.join(str(exc).split())}") from None
    return version


def redis_version(url: str | None = None) -> str:
    """The Redis server's version (raises with a readable reason when it is unreachable)."""
    import redis

    url = url or os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    try:
        return client.info("server")["redis_version"]
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis unreachable at {urlsplit(url).netloc.rpartition('@')[2]}: {exc}") from None
    finally:
        client.close()


def prepare_production() -> dict:
    """Check PostgreSQL and Redis, create the benchmark database if missing; return their versions."""
    return {"postgresql": ensure_postgres(), "redis": redis_version()}


# --- Django in this process ---------------------------------------------------------

def manage(*command: str) -> None:
    """``manage.py <command>`` in a subprocess with this process's environment."""
    subprocess.run([sys.executable, "manage.py", *command, "--verbosity", "0"], cwd=REPO, env=os.environ,
                   check=True)


def setup_django(*, migrate: bool = True, cache_table: bool = True) -> None:
    """Migrate this process's (fresh) database and create the cache table, then configure Django here.

    The migrations run in a subprocess, so this process opens its first connection only when the
    benchmark does. Pass ``migrate=False`` for a benchmark that uses no database, and
    ``cache_table=False`` where the cache is Redis.
    """
    if migrate:
        started = time.monotonic()
        manage("migrate", "--noinput")
        if cache_table:
            manage("createcachetable")
        log(f"database ready in {time.monotonic() - started:.1f} s")
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)  # the process helpers log next to it


def in_process(label: str, *, database: bool = True, keep: bool = False, **extra: str) -> Path:
    """Set up a benchmark that runs in this process: a fresh var dir and embedded database, Django ready.

    The var dir is removed when the process exits unless ``keep``; its path is returned.
    """
    var_dir = temp_var_dir(label)
    if not keep:
        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    env = child_env(var_dir, **extra)
    os.environ.clear()
    os.environ.update(env)
    setup_django(migrate=database)
    return var_dir
