"""Run the ASGI server (HTTP + WebSocket) and a django-q2 worker together.

This is the embedded mode's one process to start; Ctrl-C (or SIGTERM) stops
both, with everything they started. In production run the two as separate
services instead (see README).

Each child runs in its own process group, so a stop reaches the whole tree:
qcluster forks a sentinel, a monitor, a pusher and workers, and a signal to
the cluster's main process alone left those running. Stopping is SIGINT to
each group (the servers' own graceful shutdown), then SIGKILL to whatever is
left in the groups after ``GRACE_SECONDS``.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

GRACE_SECONDS = 15
KILL_SECONDS = 2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stop(Exception):
    """SIGTERM (or SIGHUP) arrived: stop like Ctrl-C."""


def _raise_stop(signum, frame):
    raise Stop()


class Command(BaseCommand):
    help = "Start uvicorn and qcluster together; stop both, and all they started, on Ctrl-C or SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="Start only the web server.")

    def handle(self, *args, host: str, port: int, no_worker: bool, **options):
        python = sys.executable
        commands = [[python, "-m", "uvicorn", "config.asgi:application", "--host", host, "--port", str(port),
                     "--no-access-log"]]
        if not no_worker:
            commands.append([python, "manage.py", "qcluster"])
        signal.signal(signal.SIGTERM, _raise_stop)
        signal.signal(signal.SIGHUP, _raise_stop)
        processes: list[subprocess.Popen] = []
        try:
            # A new session per child: the terminal's Ctrl-C reaches only this process, which stops
            # each group. Started one by one inside the try: a stop arriving between two starts
            # still stops the one already running.
            for command in commands:
                processes.append(subprocess.Popen(command, env=os.environ.copy(), start_new_session=True))
            self.stdout.write(self.style.SUCCESS(f"StageCraft is running at http://{host}:{port}/  (Ctrl-C stops it)"))
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
            self.stderr.write("A StageCraft process exited; stopping the others.")
        except (KeyboardInterrupt, Stop):
            self.stdout.write("Stopping…")
        finally:
            stop_groups(processes)


def stop_groups(processes: list[subprocess.Popen], grace: float = GRACE_SECONDS) -> None:
    """SIGINT each child's process group, wait up to ``grace`` seconds, then SIGKILL what is left.

    SIGINT, not SIGTERM, goes to the groups: qcluster's sentinel, pusher, monitor and
    workers ignore SIGINT and leave the cluster's main process to stop them after their
    current task, while SIGTERM would kill each of them mid-task. A second Ctrl-C (or
    SIGTERM) during the wait only cuts the wait short: the SIGKILL still reaches every group.
    """
    try:
        for process in processes:
            _signal_group(process, signal.SIGINT)
        deadline = time.monotonic() + grace
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        while time.monotonic() < deadline and any(_group_alive(process) for process in processes):
            time.sleep(0.2)  # the children's own children finishing their shutdown
    except (KeyboardInterrupt, Stop):
        pass  # an impatient second signal: stop waiting, kill now
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        for process in processes:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        # SIGKILL lands asynchronously: the grandchildren may outlive the wait above for a moment.
        deadline = time.monotonic() + KILL_SECONDS
        while time.monotonic() < deadline and any(_group_alive(process) for process in processes):
            time.sleep(0.05)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # the group id is the child's pid (start_new_session)


def _group_alive(process: subprocess.Popen) -> bool:
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True
