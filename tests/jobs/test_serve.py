"""``serve`` stops the whole process tree it started, even when the tree will not stop by itself.

The real command with uvicorn and qcluster is followed in ``tests/e2e/test_serve_stops.py``.
These tests stand a small tree in for qcluster: a child in its own session with a
grandchild, both ignoring SIGINT as django-q2's sentinel and workers do.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from config.jobs.management.commands.serve import stop_groups
from tests.e2e.processes import alive

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc (Linux)")

STUBBORN_TREE = """
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
if os.fork() == 0:
    time.sleep(600)
    os._exit(0)
print(os.getpid(), flush=True)
time.sleep(600)
"""


def group_members(pgid: int) -> list[int]:
    """Live processes whose process group is ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                members.append(int(entry.name))
    return members


@pytest.fixture
def stubborn_tree():
    """A child in its own session and its grandchild, both deaf to SIGINT; killed afterwards whatever happens."""
    child = subprocess.Popen([sys.executable, "-c", STUBBORN_TREE], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    child.stdout.readline()  # the grandchild exists once the child has printed
    tree = group_members(child.pid)
    assert len(tree) == 2, tree
    yield child, tree
    for pid in group_members(child.pid):
        os.kill(pid, signal.SIGKILL)
    child.kill()
    child.wait()


def test_a_tree_that_ignores_the_stop_is_killed_after_the_grace_period(stubborn_tree):
    child, tree = stubborn_tree

    stop_groups([child], grace=0.5)

    assert [pid for pid in tree if alive(pid)] == []


def test_a_second_ctrl_c_during_the_grace_period_still_kills_the_whole_tree(stubborn_tree):
    child, tree = stubborn_tree
    started = time.monotonic()
    # The impatient second Ctrl-C, while stop_groups waits for the tree to stop by itself.
    threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGINT)).start()

    try:
        stop_groups([child], grace=60)
    except KeyboardInterrupt:
        pytest.fail("the second Ctrl-C cut the stop short")

    assert time.monotonic() - started < 60  # the wait was cut short, not sat out
    assert [pid for pid in tree if alive(pid)] == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
