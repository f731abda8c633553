"""Staging benchmark: POST /api/stage latency with a 5 MB JPEG, and the pipeline's own overhead.

Run: ``.venv/bin/python tests/benchmarks/bench_staging.py [--posts 40] [--photos 5]``

Runs in the embedded mode against a fresh SQLite database in a temporary
folder. The image engine is a stand-in that returns its input at once, so the
pipeline figures are everything *but* generation: decode, interior check with
the real labeler, structure maps, integrity, pixel lock at full resolution,
quality, renditions and storage.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=40, help="POST /api/stage requests to time")
    parser.add_argument("--photos", type=int, default=5, help="photos to run through the pipeline")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-staging-")
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ.update(STAGECRAFT_VAR_DIR=folder, RATELIMIT_ENABLE="false", DJANGO_SETTINGS_MODULE="config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    run(args)


def photo_bytes(megapixels: float, target_bytes: int | None = None) -> bytes:
    """A drawn room, with grain, as a JPEG of about the requested size."""
    import numpy as np
    from PIL import Image

    from tests.staging.drawings import draw_room

    width = int((megapixels * 1_000_000 * 1.5) ** 0.5)
    room = draw_room().resize((width, int(width / 1.5)))
    grain = np.random.default_rng(0).normal(0, 6, (room.height, room.width, 3))
    image = Image.fromarray(np.clip(np.asarray(room, float) + grain, 0, 255).astype("uint8"))
    for quality in (95, 90, 85, 80, 70):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if target_bytes is None or out.tell() <= target_bytes:
            break
    return out.getvalue()


def run(args) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from rest_framework.test import APIClient

    from config.accounts.models import User
    from config.accounts.services import create_api_key
    from config.ai import registry
    from config.jobs import services as jobs
    from staging import pipeline
    from staging.models import Staging
    from tests.staging.conftest import ScriptedGenerator

    engine = ScriptedGenerator(lambda request: request.sized_init())
    registry.image_generator = lambda: engine
    jobs.async_task = lambda *a, **k: None  # measure the request only; the pipeline is timed below
    user = User.objects.create_user("bench@example.com", "bench-password-1", monthly_usage_limit=100_000)
    _, key = create_api_key(user, name="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    upload = photo_bytes(12, target_bytes=5_200_000)
    timings = []
    for i in range(args.posts + 2):
        started = time.perf_counter()
        response = client.post("/api/stage", {"image": SimpleUploadedFile("room.jpg", upload),
                                              "style": "modern_luxury", "quality_mode": "standard"},
                               format="multipart")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 202, response.content
        if i >= 2:  # the first requests load code and warm caches
            timings.append(elapsed)

    registry.labeler().label([Image.new("RGB", (64, 64))])  # load the model once, outside the timings
    overheads = []
    for staging in Staging.objects.all()[: args.photos]:
        started = time.perf_counter()
        pipeline.stage_job(staging.job)
        overheads.append((time.perf_counter() - started) * 1000 - engine.last_call.latency_ms)

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown CPU")
    print(f"machine: {os.cpu_count()} cores, {cpu}; Python {sys.version.split()[0]}; embedded mode (SQLite)")
    print(f"upload: {len(upload) / 1e6:.1f} MB JPEG, 12 MP")
    print(f"POST /api/stage to id (n={len(timings)}): p50 {percentile(timings, 50):.0f} ms, "
          f"p95 {percentile(timings, 95):.0f} ms, max {max(timings):.0f} ms")
    print(f"pipeline overhead per 12 MP photo, generator excluded (n={len(overheads)}): "
          f"mean {statistics.mean(overheads):.0f} ms, max {max(overheads):.0f} ms")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
