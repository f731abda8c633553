"""``manage.py serve`` (what ``./scripts/run`` ends in) stops its whole process tree.

A newcomer's Ctrl-C once left five ``qcluster`` processes running: the signal
reached the cluster's main process, not the sentinel, monitor, pusher and
workers it forked. The test starts the real command, waits for the worker tree,
stops it as a terminal or a service manager would, and looks for survivors.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.processes import REPO, alive, free_port, process_env, wait_for

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


def children_of(pid: int) -> list[int]:
    """Every live descendant of ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":  # a zombie has ended already
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                found.append(child)
                frontier.append(child)
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc (Linux)")
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_stopping_serve_stops_the_server_the_worker_and_all_they_started(stop_signal):
    port = free_port()
    log = open(Path(settings.MEDIA_ROOT).parent / f"serve-{time.time_ns()}.log", "w+")  # noqa: SIM115
    serve = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port)], cwd=REPO,
                             env=process_env(), stdout=log, stderr=subprocess.STDOUT)
    tree: list[int] = []
    try:
        wait_for(f"http://127.0.0.1:{port}/health", serve, log, timeout=60)
        deadline = time.monotonic() + 60
        while len(tree := children_of(serve.pid)) < 4 and time.monotonic() < deadline:
            time.sleep(0.5)  # uvicorn, qcluster, and the cluster's own processes
        assert len(tree) >= 4, tree

        serve.send_signal(stop_signal)
        serve.wait(timeout=60)

        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in tree if alive(pid)] == []
    finally:
        if serve.poll() is None:
            serve.kill()
        # Survivors were re-parented when serve ended: kill them by the pids seen while it ran.
        for pid in {*tree, *children_of(serve.pid)}:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()
