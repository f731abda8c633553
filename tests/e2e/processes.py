"""Start the real processes (uvicorn ASGI server, django-q2 qcluster) against the test database.

The processes see the test database the suite created (``connection.settings_dict``)
and the same Redis, so rows the test commits are what they read.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(**overrides: str) -> dict:
    """Environment for a child process pointing at this test run's database and media."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["STAGECRAFT_SQLITE_PATH"] = str(db["NAME"])
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env["RATELIMIT_ENABLE"] = "false"
    env["Q_POLL"] = "0.1"
    env.update(overrides)
    return env


@contextmanager
def running(command: list[str], env: dict, ready_url: str | None = None, timeout: float = 30):
    """Run ``command`` in its own process group until the block ends."""
    log = open(Path(settings.MEDIA_ROOT).parent / f"{Path(command[-1]).name}-{time.time_ns()}.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        if ready_url:
            wait_for(ready_url, process, log, timeout)
        yield process
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(url: str, process: subprocess.Popen, log, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"process exited early:\n{log.read()[-3000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


def asgi_server(env: dict, port: int | None = None):
    """Context manager: the project's ASGI app under uvicorn; yields the base URL.

    ``port``: a port chosen beforehand, for a server whose ``SITE_URL`` must name it (OAuth redirects).
    """
    port = port or free_port()
    command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]
    return _with_url(running(command, env, f"http://127.0.0.1:{port}/health"), f"http://127.0.0.1:{port}")


def qcluster(env: dict):
    """Context manager: a django-q2 worker cluster; yields the process."""
    return running([sys.executable, "manage.py", "qcluster"], env)


@contextmanager
def _with_url(manager, url: str):
    with manager:
        yield url


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie waiting to be reaped is not), from /proc (Linux)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
