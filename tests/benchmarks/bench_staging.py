"""Staging benchmark: POST /api/stage latency, the pipeline's overhead, the figures' calibration and cost.

Run: ``.venv/bin/python tests/benchmarks/bench_staging.py [--posts 40] [--photos 5]
[--parts posts,pipeline,calibration,measures,consistency,modes]``

``calibration`` prints the table in docs/ai.md: integrity and quality for each
photo of the calibration set (``tests/staging/calibration.py``) and each
manipulation, with the thresholds they were chosen for. ``measures`` times each
figure on a 12 MP photo as the pipeline computes it: integrity at the premium
working size, quality on the delivered image, and the pixel lock (building it
at full size, then decoding and comparing the stored full-size PNG and web
copy). ``consistency`` prints room-set consistency (``staging/consistency.py``) for
drawn rooms seen from other photos, furnished with the reference's furniture or
with other furniture, against ``STAGING_CONSISTENCY_MIN``, and its time on 12 MP.
``modes`` runs a 12 MP furnished room through each ``mode`` (stage,
declutter, declutter_and_stage) at the default settings (SD 1.5 native scale,
the tiled upscale on) and prints the engine calls and the time per mode, the
stand-in engine's own time left out.

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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.setup import in_process, machine_line  # noqa: E402  (the path above makes the repo importable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=40, help="POST /api/stage requests to time")
    parser.add_argument("--photos", type=int, default=5, help="photos to run through the pipeline")
    parser.add_argument("--parts", default="posts,pipeline,calibration,measures,consistency,modes",
                        help="comma-separated: posts, pipeline, calibration, measures, consistency, modes")
    args = parser.parse_args()
    args.parts = set(args.parts.split(","))

    in_process("staging")
    print(f"load average at start: {' '.join(f'{value:.2f}' for value in os.getloadavg())}; {machine_line()}")
    if args.parts & {"posts", "pipeline"}:
        run(args)
    if "calibration" in args.parts:
        calibration_table()
    if "measures" in args.parts:
        measure_times()
    if "consistency" in args.parts:
        consistency_table()
    if "modes" in args.parts:
        mode_figures(args.photos)


def consistency_table(rooms: int = 4) -> None:
    """Consistency of later photos of one room with its first result: the same furniture, and other furniture."""
    from django.conf import settings
    from PIL import Image

    from config.ai import registry
    from staging import consistency, structure
    from tests.staging.drawings import Room, draw_room, paint_pieces, piece_colours

    labeler = registry.labeler()

    def staged(seed: int, colours, scale: int = 1):
        room = draw_room(Room(), seed=seed)
        room = room.resize((room.width * scale, room.height * scale), Image.Resampling.LANCZOS)
        mask = structure.furnished_area_mask(room).mask.resize(room.size)
        return paint_pieces(room, mask, colours), mask

    print(f"\nroom-set consistency (minimum {settings.STAGING_CONSISTENCY_MIN})\n"
          "| room | same furniture | other furniture |\n| --- | --- | --- |")
    for number in range(rooms):
        reference = staged(100 * number, piece_colours(number))
        same = consistency.measure(*staged(100 * number + 1, piece_colours(number)), *reference, labeler=labeler)
        other = consistency.measure(*staged(100 * number + 1, piece_colours(number + 50)), *reference,
                                    labeler=labeler)
        print(f"| {number + 1} | {same.score:.2f} (colour {same.colour:.2f}, embedding {same.embedding:.2f}) "
              f"| {other.score:.2f} (colour {other.colour:.2f}, embedding {other.embedding:.2f}) |")
    large = staged(1, piece_colours(0), scale=4)
    reference = staged(2, piece_colours(0), scale=4)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        consistency.measure(*large, *reference, labeler=labeler)
        times.append((time.perf_counter() - started) * 1000)
    print(f"consistency of two {large[0].width}x{large[0].height} photos: median {statistics.median(times):.0f} ms")


def calibration_table() -> None:
    """Integrity of each engine output and quality of each delivered furnished area, per photo."""
    from django.conf import settings

    from staging import integrity, quality
    from tests.staging import calibration

    photos = calibration.photos()
    header = "| manipulation | expected | " + " | ".join(item.name for item in photos) + " |"
    rule = "|" + " --- |" * (len(photos) + 2)
    print(f"\nintegrity of the raw output (threshold {settings.STAGING_INTEGRITY_THRESHOLD})\n{header}\n{rule}")
    for name, (kind, make) in calibration.OUTPUTS.items():
        cells = [f"{integrity.measure_integrity(item.image, make(item), item.mask).score:.2f}" for item in photos]
        print(f"| {name} | {kind} | " + " | ".join(cells) + " |")
    print(f"\nquality of the delivered image (floor {settings.STAGING_QUALITY_FLOOR})\n{header}\n{rule}")
    for name, (kind, make) in calibration.AREAS.items():
        cells = [f"{quality.quality_score(make(item), mask=item.mask, integrity_score=1.0).score:.2f}"
                 for item in photos]
        print(f"| {name} | {kind} | " + " | ".join(cells) + " |")


def measure_times(repeat: int = 5) -> None:
    """Each figure's time on a 12 MP photo, as the pipeline computes it (best of ``repeat``)."""
    import cv2
    import numpy as np
    from PIL import Image

    from staging import integrity, pixel_lock, quality, renditions, structure
    from tests.staging.drawings import add_furniture

    photo = Image.open(io.BytesIO(photo_bytes(12))).convert("RGB")
    working = photo.resize(renditions.model_size(*photo.size, 768), Image.Resampling.LANCZOS)
    mask = structure.furnished_area_mask(working).mask
    output = add_furniture(working, mask)
    full_mask = mask.resize(photo.size, Image.Resampling.NEAREST)
    def best(action) -> tuple[float, object]:
        times, value = [], None
        for _ in range(repeat):
            started = time.perf_counter()
            value = action()
            times.append((time.perf_counter() - started) * 1000)
        return min(times), value

    integrity_ms, _ = best(lambda: integrity.measure_integrity(working, output, mask))
    original = np.asarray(photo)
    inside = np.asarray(full_mask) >= 128

    def build():
        generated = cv2.resize(np.asarray(output), photo.size, interpolation=cv2.INTER_LANCZOS4)
        return pixel_lock.lock(original, generated, inside).image

    lock_ms, locked = best(build)
    quality_ms, _ = best(lambda: quality.quality_score(locked, mask=full_mask, integrity_score=1.0))
    png, web = renditions.encode_png(locked), renditions.web_copy(locked)
    check_ms, _ = best(lambda: [pixel_lock.measure_delivered("download_image", png, original=original, mask=inside),
                                pixel_lock.measure_delivered("web_image", web, original=original, mask=inside)])
    print(f"\nmeasurements on a {photo.width}x{photo.height} photo (best of {repeat}):")
    print(f"  integrity at {working.width}x{working.height}: {integrity_ms:.0f} ms")
    print(f"  quality of the delivered image: {quality_ms:.0f} ms")
    print(f"  pixel lock: upsample the output and build {lock_ms:.0f} ms, "
          f"decode and check the stored PNG and web copy {check_ms:.0f} ms")
    total = integrity_ms + quality_ms + lock_ms + check_ms
    print(f"  together: {total:.0f} ms (goal < 600 ms on 2 cores)")


def mode_figures(photos: int) -> None:
    """Engine calls and pipeline time per mode for a 12 MP furnished room (no GPU: overhead only)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from config.ai import registry
    from config.jobs.models import Job
    from staging import services, structure
    from staging.choices import StagingMode
    from staging.models import Staging
    from tests.staging.conftest import ScriptedGenerator
    from tests.staging.drawings import add_furniture, draw_room
    from tests.staging.test_declutter import is_declutter

    engine_ms = [0.0]

    def paint(request):
        # An emptying or furnishing engine that answers at once; its own time is left out below.
        started = time.perf_counter()
        if is_declutter(request) and request.strength is None:
            image = draw_room().resize(request.size, Image.Resampling.LANCZOS)
        elif request.strength is None:
            image = add_furniture(request.sized_init(), request.sized_mask())
        else:
            image = request.sized_init()  # a tile of the upscale: returned as it came
        engine_ms[0] += (time.perf_counter() - started) * 1000
        return image

    engine = ScriptedGenerator(paint)
    registry.image_generator = lambda: engine
    registry.ready_image_generator = lambda: engine
    services.jobs.async_task = lambda *a, **k: None
    from config.accounts.models import User

    user, _ = User.objects.get_or_create(email="modes@example.com", defaults={"monthly_usage_limit": 100_000})
    room = draw_room()
    furnished = add_furniture(room, structure.furnished_area_mask(room).mask).resize((4240, 2827))
    buffer = io.BytesIO()
    furnished.save(buffer, "JPEG", quality=90)
    registry.labeler().label([Image.new("RGB", (64, 64))])
    print(f"\nper mode, a {furnished.width}x{furnished.height} furnished room, standard quality, "
          f"stand-in engine (n={photos} each):")
    print("| mode | engine calls | of them upscale tiles | pipeline time, engine excluded (mean) |")
    print("| --- | --- | --- | --- |")
    for mode in StagingMode.values:
        calls, tiles, times = [], [], []
        for _ in range(photos):
            checked = services.check_request(user, images=[SimpleUploadedFile("room.jpg", buffer.getvalue())],
                                             style_id="modern_luxury", quality_mode="standard", mode=mode)
            staging = services.create_staging(user, checked)
            engine.requests.clear()
            engine_ms[0] = 0.0
            started = time.perf_counter()
            from staging import pipeline

            pipeline.stage_job(Job.objects.get(pk=staging.job_id))
            times.append((time.perf_counter() - started) * 1000 - engine_ms[0])
            calls.append(len(engine.requests))
            tiles.append(sum(1 for request in engine.requests if request.strength is not None))
            assert Staging.objects.get(pk=staging.pk).staged_image, "the pipeline did not deliver"
        print(f"| {mode} | {statistics.mean(calls):.0f} | {statistics.mean(tiles):.0f} | "
              f"{statistics.mean(times) / 1000:.1f} s |")


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

    print("embedded mode (SQLite)")
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
