"""How many CPU threads each process's local models may use.

A worker cluster runs ``Q_WORKERS`` processes on the same cores. If each let
PyTorch and onnxruntime start one thread per core, two workers on two cores
would run four busy threads and each image would take several times longer
(bench_catalog.py measured a batch shared by 2 workers at 0.66x the speed of
one). So a worker takes ``cores // Q_WORKERS`` threads (at least one), the
web process all cores, and ``AI_CPU_THREADS`` overrides both.
"""

import os

from django.conf import settings

_in_worker = False


def mark_worker() -> None:
    """Called in each django-q2 worker as it spawns (``config.jobs.hooks.on_worker_spawned``)."""
    global _in_worker
    _in_worker = True


def per_process() -> int:
    """The threads this process's models may use."""
    if settings.AI_CPU_THREADS:
        return settings.AI_CPU_THREADS
    cores = os.cpu_count() or 1
    if not _in_worker:
        return cores
    return max(1, cores // max(1, settings.Q_CLUSTER["workers"]))


def apply_to_torch() -> None:
    """Give PyTorch this process's share (call right before a torch model loads)."""
    import torch

    torch.set_num_threads(per_process())
