"""Throughput of the local AI engines on this machine.

    python tests/benchmarks/bench_ai.py

Prints labeler images/s at batch 1 and 16, embedder sentences/s, the time of a
classic-vision analysis of a 12-megapixel photo, and the process's memory with
every local model loaded. It measures; it asserts nothing.
"""

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.setup import in_process, machine_line  # noqa: E402  (the path above makes the repo importable)

in_process("ai", database=False)  # the engines need settings, not a database

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from config.ai import registry, vision  # noqa: E402
from config.ai.labels import DEFAULT_BATCH  # noqa: E402
from config.ai.loading import MB, loaded_bytes  # noqa: E402

SENTENCES = [f"A {colour} {thing} in a {room}" for colour in ("grey", "oak", "white", "navy")
             for thing in ("sofa", "armchair", "dining table", "bookcase", "bed", "rug", "lamp", "desk")
             for room in ("living room", "bedroom", "study", "loft", "kitchen", "hallway", "office", "attic")]


def best_of(runs: int, work: Callable[[], object]) -> float:
    """Median wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def photo(width: int, height: int) -> np.ndarray:
    """A synthetic room-like photo: gradients, furniture-like blocks, lines and noise."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    image = (np.array([200, 190, 170], np.float32) * (0.7 + 0.3 * ramp)).repeat(height, axis=0)
    image = np.ascontiguousarray(image.astype(np.uint8))
    cv2.rectangle(image, (width // 5, height // 2), (width // 2, height * 9 // 10), (90, 60, 40), -1)
    cv2.rectangle(image, (width * 3 // 5, height // 3), (width * 4 // 5, height * 9 // 10), (40, 60, 120), -1)
    for x in range(0, width, width // 12):
        cv2.line(image, (x, 0), (x, height // 3), (120, 110, 100), 6)
    noise = rng.normal(0, 6, image.shape).astype(np.int16)
    return np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def rss_mb() -> float:
    """Current resident memory from /proc, else the peak the kernel reports."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / MB
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    print(f"machine: {machine_line()}; CPU threads: {os.cpu_count()}; RSS at start: {rss_mb():.0f} MB")
    images = [photo(640, 480) for _ in range(16)]

    labeler = registry.labeler()
    load = best_of(1, lambda: labeler.label(images[:1]))
    print(f"labeler first call (loads the model): {load:.2f} s")
    for batch_size in (1, DEFAULT_BATCH, 16):
        seconds = best_of(3, lambda size=batch_size: labeler.label(images, batch_size=size))
        print(f"labeler batch {batch_size:>2}: {len(images) / seconds:.1f} images/s (640x480, preprocessing included)")

    embedder = registry.embedder()
    load = best_of(1, lambda: embedder.embed(SENTENCES[:1]))
    print(f"embedder first call (loads the model): {load:.2f} s")
    embedding = best_of(3, lambda: embedder.embed(SENTENCES, batch_size=32))
    print(f"embedder: {len(SENTENCES) / embedding:.0f} sentences/s ({len(SENTENCES)} sentences, batch 32)")

    large = photo(4000, 3000)
    analysis = best_of(3, lambda: vision.analyse(large))
    print(f"classic vision analyse(), 12 MP photo: {analysis * 1000:.0f} ms")

    print(f"local model weights loaded: {loaded_bytes() / MB:.0f} MB")
    print(f"process RSS with the labeler and embedder loaded: {rss_mb():.0f} MB "
          f"(peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    print(f"image generation: {registry.status_report()['image_generation']['status']}")


if __name__ == "__main__":
    main()
