"""Catalog benchmark: analysis time per 12 MP photo, batch throughput with 2 workers, product-list latency.

Run from the repository root::

    .venv/bin/python tests/benchmarks/bench_catalog.py [--photos 5] [--batch 100] [--products 10000]
        [--requests 200] [--parts analysis,batch,listing,fix] [--keep]

1. **analysis**: the real catalog task (``catalog.tasks.run_analysis``: claim,
   pipeline, settle) run in this process on drawn 12 MP product photos
   (``tests/catalog/drawn.py`` with sensor grain, as JPEG), one single-image job
   per photo, after one warm-up photo that loads the labeler and the embedder.
   The language model is off (``AI_LLM_PROVIDER=none``), so ``describe``
   only records ``not_configured``. Prints mean and max per photo and the mean
   of each step's ``JobStep.duration_ms``.
2. **batch**: a real ``manage.py qcluster`` with ``Q_WORKERS=2`` on a fresh
   SQLite database (embedded mode, ORM broker). Two single-image warm-up jobs
   load the models in the workers; then one ``services.create_batch`` job of
   ``--batch`` stored images is timed from queueing until the Job row is finished.
3. **listing**: ``GET /api/v1/products`` through Django's test client
   (``APIClient.force_authenticate``) over ``--products`` products of one user
   in PostgreSQL at ``BENCH_DATABASE_URL`` (created if missing; the benchmark
   user's rows are replaced on each run). Three query shapes: page 1, ``search=``
   and ``category=``, ``page_size=20``. Skipped, with the reason, when
   PostgreSQL is unreachable.

4. **fix**: ``catalog.main_image_fix.fix_main_image`` for Amazon, in-process,
   on drawn 12 MP JPEGs of a cup (``tests/catalog/drawn_scenes.py``) filling
   30, 60 and 90 % of the frame on white and on a wooden table, ``--photos``
   rounds after one warm-up. Prints time per photo (cut-out, edge refinement,
   framing, JPEG and the re-analysis's measurements) and the product mask's IoU
   against each photo's exact mask, beside the IoU of a cluttered room (the
   low end: no fix can trust that cut) and of a real photograph, scikit-image's
   cup of coffee on a table, against its hand-traced mask (``tests/catalog/photos.py``).

Each part runs in a child process of this script (``--child PART``) because
Django reads its settings once per process. This is a benchmark, not a test:
it prints figures and asserts nothing about them.
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.benchmarks.setup import (  # noqa: E402  (the path above makes the repo importable)
    child_env,
    ensure_postgres,
    log,
    machine_info,
    machine_line,
    setup_django,
    temp_var_dir,
)

PARTS = ("analysis", "batch", "listing", "fix")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/stagecraft_bench_catalog"
BENCH_EMAIL = "bench-catalog@stagecraft.local"
PHOTO_SIZE = (4000, 3000)  # 12 MP
CATEGORIES = ("electronics", "furniture", "clothing", "home_garden", "toys", "beauty", "sports", "kitchen")
WORDS = ("wireless", "leather", "oak", "cotton", "steel", "ceramic", "bluetooth", "vintage", "compact", "organic",
         "waterproof", "linen", "bamboo", "glass", "portable", "ergonomic")
NOUNS = ("headphones", "chair", "table", "shirt", "lamp", "mug", "speaker", "backpack", "sofa", "kettle",
         "sneakers", "blanket", "desk", "watch", "vase", "jacket")
SEARCHES = ("headphones", "oak table", "wireless speaker", "vintage")


# --- Parent -------------------------------------------------------------------

def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def part_env(part: str, var_dir: Path, workers: int = 2) -> dict:
    """SQLite in the part's var dir, PostgreSQL for the listing; no language model; ``workers`` for the batch."""
    extra = {"AI_LLM_PROVIDER": "none", **({"Q_WORKERS": str(workers)} if part == "batch" else {})}
    return child_env(var_dir, database_url=database_url() if part == "listing" else None, **extra)


def run_part(part: str, args, workers: int = 2) -> dict:
    backend = ""
    if part == "listing":
        try:
            backend = f"PostgreSQL {ensure_postgres(database_url()).split()[0]}"
        except Exception as exc:
            return {"part": part, "skipped": str(exc)}
    var_dir = temp_var_dir(f"catalog-{part}")
    result_file = var_dir / "result.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", part, "--result-file", str(result_file),
               "--photos", str(args.photos), "--batch", str(args.batch), "--products", str(args.products),
               "--requests", str(args.requests)]
    log(f"[{part}] running in {var_dir}")
    try:
        finished = subprocess.run(command, cwd=REPO, env=part_env(part, var_dir, workers), timeout=1800)
        if finished.returncode != 0 or not result_file.exists():
            return {"part": part, "failed": f"child exited with {finished.returncode}; files in {var_dir}"}
        result = json.loads(result_file.read_text())
    except subprocess.TimeoutExpired:
        return {"part": part, "failed": f"child timed out; files in {var_dir}"}
    if backend:
        result["backend"] = backend
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    return result


def report(results: list[dict], machine: dict, elapsed: float) -> None:
    print()
    print("StageCraft catalog benchmark")
    print(f"  machine: {machine_line(machine)}")
    for result in results:
        part = result["part"]
        print()
        if "skipped" in result:
            print(f"[{part}] skipped: {result['skipped']}")
            continue
        if "failed" in result:
            print(f"[{part}] FAILED: {result['failed']}")
            continue
        if part == "analysis":
            print(f"[analysis] per {result['megapixels']:.0f} MP photo ({result['jpeg_mb']:.1f} MB JPEG), CPU, "
                  f"language model excluded (describe: {result['describe_status']}), in-process, "
                  f"n={result['n']} after 1 warm-up:")
            print(f"  mean {result['mean_s']:.2f} s, max {result['max_s']:.2f} s "
                  f"(items completed: {result['completed']}/{result['n']})")
            print("  per step (mean of JobStep.duration_ms):")
            for name, ms in result["steps"].items():
                print(f"    {name:<11} {ms:>8.0f} ms")
        elif part == "batch":
            print(f"[batch] {result['images']} photos of {result['megapixels']:.0f} MP in one create_batch job, "
                  f"qcluster with Q_WORKERS={result['workers']}, embedded (SQLite, ORM broker, "
                  f"Q_POLL {result['poll']:g} s):")
            print(f"  queue -> job finished: {result['wall_s']:.1f} s = {result['wall_images_per_min']:.1f} images/min")
            print(f"  job started -> finished: {result['run_s']:.1f} s = {result['run_images_per_min']:.1f} images/min")
            print(f"  job status {result['status']}; images completed {result['completed']}, "
                  f"failed {result['failed_images']}; warm-up took {result['warmup_s']:.1f} s")
            print("  per step in the worker (mean of JobStep.duration_ms): "
                  + ", ".join(f"{name} {ms:.0f}" for name, ms in result["steps"].items()))
        elif part == "listing":
            print(f"[listing] GET /api/v1/products, {result['products']} products of one user "
                  f"({result['with_images']} with an image), {result.get('backend', '')}, in-process test client, "
                  "page_size 20:")
            header = f"  {'query':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'n':>5} {'total rows':>11}"
            print(header)
            for name, figures in result["shapes"].items():
                print(f"  {name:<34} {figures['p50']:>8.1f} {figures['p95']:>8.1f} {figures['max']:>8.1f} "
                      f"{figures['n']:>5} {figures['total']:>11}")
        elif part == "fix":
            print(f"[fix] Amazon main image from a {result['megapixels']:.0f} MP JPEG, CPU, in-process, "
                  f"n={result['n']} after 1 warm-up:")
            print(f"  mean {result['mean_s']:.2f} s, max {result['max_s']:.2f} s per photo "
                  f"(rules unmet on {result['unmet']} of {result['n']})")
            print("  product mask IoU against the exact (drawn) or hand-traced (photo) mask: "
                  + ", ".join(f"{name} {value:.3f}" for name, value in result["iou"].items()))
    print()
    print(f"Total time {elapsed:.0f} s.")


def main_parent(args) -> int:
    started = time.monotonic()
    machine = machine_info()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        print(f"unknown part(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results = []
    for part in parts:
        counts = [int(n) for n in args.batch_workers.split(",")] if part == "batch" else [2]
        results += [run_part(part, args, workers) for workers in counts]
    report(results, machine, time.monotonic() - started)
    batches = [r for r in results if r["part"] == "batch" and "run_s" in r]
    if len(batches) > 1:
        base = batches[0]
        for other in batches[1:]:
            print(f"[batch] {other['workers']} workers vs {base['workers']}: "
                  f"{base['run_s'] / other['run_s']:.2f}x as fast (job started -> finished)")
    return 1 if any("failed" in r for r in results) else 0


# --- Child ----------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def photo_jpegs(count: int) -> list[bytes]:
    """``count`` different drawn 12 MP product photos with sensor grain (about 4 MB as JPEG, quality 90)."""
    import numpy as np
    from PIL import Image

    from tests.catalog.drawn import product_photo

    colours = ((200, 30, 30), (30, 90, 180), (40, 140, 60), (90, 90, 90))
    photos = []
    for index in range(count):
        drawn = product_photo(PHOTO_SIZE, fill=0.6 + 0.05 * (index % 4), colour=colours[index % len(colours)])
        grain = np.random.default_rng(index).normal(0, 6, (PHOTO_SIZE[1], PHOTO_SIZE[0], 3)).astype(np.float32)
        image = Image.fromarray(np.clip(np.asarray(drawn, np.float32) + grain, 0, 255).astype(np.uint8))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90)
        photos.append(out.getvalue())
    return photos


def setup_catalog(images: int, variants: int):
    """A user with usage for the run, a product and ``images`` stored, uploaded photos (cycling ``variants``)."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from catalog import services
    from catalog.models import ProductImage
    from config.accounts.models import User

    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    user = User.objects.create_user(BENCH_EMAIL, "bench-password-1", monthly_usage_limit=1_000_000)
    product = services.create_product(user, title="Benchmark product", description="A drawn red box.",
                                      category="home_garden")
    jpegs = photo_jpegs(variants)
    stored = []
    for index in range(images):
        data = jpegs[index % len(jpegs)]
        key = default_storage.save(product.new_image_key(f"photo-{index}.jpg"), ContentFile(data))
        stored.append(ProductImage.objects.create(
            product=product, s3_key=key, original_filename=f"photo-{index}.jpg", content_type="image/jpeg",
            file_size_bytes=len(data), width=PHOTO_SIZE[0], height=PHOTO_SIZE[1], upload_status="uploaded",
            is_primary=index == 0))
    return user, product, stored, jpegs


def child_analysis(args) -> dict:
    from catalog import services, tasks
    from catalog.choices import STEPS
    from catalog.models import BatchItem
    from config.jobs import services as jobs
    from config.jobs.models import JobStep

    jobs.async_task = lambda *a, **k: None  # run the task here, not through a broker
    log("[analysis] drawing photos")
    user, product, images, jpegs = setup_catalog(args.photos + 1, args.photos + 1)
    durations, per_step, completed, describe = [], {name: [] for name in STEPS}, 0, set()
    for index, image in enumerate(images):
        job = services.queue_analysis(user, product=product, images=[image])
        started = time.perf_counter()
        tasks.run_analysis(str(job.pk))
        elapsed = time.perf_counter() - started
        item = BatchItem.objects.get(job=job)
        log(f"[analysis] photo {index}{' (warm-up)' if index == 0 else ''}: {elapsed:.2f} s, {item.status}")
        if index == 0:
            continue
        durations.append(elapsed)
        completed += item.status == "completed"
        for step in JobStep.objects.filter(job=job):
            if step.duration_ms is not None:
                per_step[step.name].append(step.duration_ms)
            if step.name == "describe":
                describe.add(step.result_data.get("status", "?"))
    return {"part": "analysis", "n": len(durations), "mean_s": statistics.mean(durations), "max_s": max(durations),
            "completed": completed, "megapixels": PHOTO_SIZE[0] * PHOTO_SIZE[1] / 1e6,
            "jpeg_mb": statistics.mean(len(j) for j in jpegs) / 1e6, "describe_status": ",".join(sorted(describe)),
            "steps": {name: statistics.mean(values) for name, values in per_step.items() if values}}


def wait_finished(job_ids: list, limit: float) -> None:
    from config.jobs.choices import FINISHED_STATUSES
    from config.jobs.models import Job

    deadline = time.monotonic() + limit
    while Job.objects.filter(pk__in=job_ids).exclude(status__in=FINISHED_STATUSES).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"jobs not finished after {limit:.0f} s")
        time.sleep(0.1)


def child_batch(args) -> dict:
    from django.conf import settings
    from django.db import transaction

    from catalog import services
    from catalog.models import BatchItem
    from config.jobs.models import Job, JobStep
    from tests.e2e.processes import running

    log(f"[batch] storing {args.batch} + 2 photos")
    user, product, images, _ = setup_catalog(args.batch + 2, min(4, args.batch + 2))
    warmups, batch_images = images[:2], images[2:]
    with running([sys.executable, "manage.py", "qcluster"], dict(os.environ)):
        log("[batch] qcluster started; two warm-up jobs (models load in the workers)")
        started = time.monotonic()
        with transaction.atomic():
            warm_jobs = [services.queue_analysis(user, product=product, images=[image]) for image in warmups]
        wait_finished([job.pk for job in warm_jobs], 300)
        warmup_s = time.monotonic() - started
        log(f"[batch] warm-up done in {warmup_s:.1f} s; queueing {len(batch_images)} photos")
        started = time.monotonic()
        job = services.create_batch(user, product_id=product.pk, image_ids=[image.pk for image in batch_images])
        wait_finished([job.pk], max(600, 30 * len(batch_images)))
        wall = time.monotonic() - started
    job = Job.objects.get(pk=job.pk)
    run = (job.finished_at - job.started_at).total_seconds() if job.started_at and job.finished_at else wall
    items = BatchItem.objects.filter(job=job)
    count = len(batch_images)
    steps = {}
    for step in JobStep.objects.filter(job=job, duration_ms__isnull=False):
        steps.setdefault(step.name, []).append(step.duration_ms)
    return {"part": "batch", "images": count, "workers": settings.Q_CLUSTER["workers"],
            "poll": settings.Q_CLUSTER["poll"], "megapixels": PHOTO_SIZE[0] * PHOTO_SIZE[1] / 1e6,
            "wall_s": wall, "wall_images_per_min": count / wall * 60, "run_s": run,
            "run_images_per_min": count / run * 60, "status": job.status, "warmup_s": warmup_s,
            "completed": items.filter(status="completed").count(),
            "failed_images": items.filter(status="failed").count(),
            "steps": {name: statistics.mean(values) for name, values in steps.items()}}


def child_listing(args) -> dict:
    import random
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone
    from rest_framework.test import APIClient

    from catalog.models import Product, ProductImage
    from config.accounts.models import User

    User.objects.filter(email=BENCH_EMAIL).delete()
    user = User.objects.create_user(BENCH_EMAIL, "bench-password-1")
    rng = random.Random(0)
    now = timezone.now()
    products = []
    for index in range(args.products):
        adjectives = rng.sample(WORDS, 2)
        noun = rng.choice(NOUNS)
        products.append(Product(
            owner=user, title=f"{adjectives[0].title()} {adjectives[1]} {noun} #{index}",
            description=f"A {adjectives[0]} {noun} made of {rng.choice(WORDS)} for everyday use. "
                        f"Ships in {rng.randint(1, 5)} days.",
            category=CATEGORIES[index % len(CATEGORIES)], status="active",
            created_at=now - timedelta(minutes=index)))
    log(f"[listing] bulk_create {len(products)} products")
    Product.objects.bulk_create(products, batch_size=2000)
    with_images = products[: min(50, len(products))]  # the newest: they show on page 1
    ProductImage.objects.bulk_create([
        ProductImage(product=product, s3_key=f"products/{user.pk}/{product.pk}/bench.jpg",
                     original_filename="bench.jpg", content_type="image/jpeg", file_size_bytes=4_000_000,
                     width=4000, height=3000, upload_status="uploaded", is_primary=True)
        for product in with_images])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
        cursor.execute("ANALYZE catalog_productimage")

    client = APIClient()
    client.force_authenticate(user)
    shapes = {
        "page 1": lambda i: {"page": 1, "page_size": 20},
        f"search= ({len(SEARCHES)} terms, rotating)": lambda i: {"search": SEARCHES[i % len(SEARCHES)],
                                                                 "page_size": 20},
        "category= (rotating)": lambda i: {"category": CATEGORIES[i % len(CATEGORIES)], "page_size": 20},
    }
    result = {"part": "listing", "products": len(products), "with_images": len(with_images), "shapes": {}}
    for name, params in shapes.items():
        timings, totals = [], []
        for i in range(args.requests + 10):
            started = time.perf_counter()
            response = client.get("/api/v1/products", params(i))
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{name}: HTTP {response.status_code}: {response.content[:300]!r}")
            if i >= 10:  # the first requests load code and warm caches
                timings.append(elapsed)
                totals.append(response.json()["total"])
        log(f"[listing] {name}: p95 {percentile(timings, 0.95):.1f} ms")
        result["shapes"][name] = {"n": len(timings), "p50": percentile(timings, 0.5),
                                  "p95": percentile(timings, 0.95), "max": max(timings),
                                  "total": round(statistics.mean(totals))}
    User.objects.filter(email=BENCH_EMAIL).delete()
    return result


def child_fix(args) -> dict:
    import numpy as np
    from PIL import Image

    from catalog.main_image_fix import fix_main_image
    from catalog.product_mask import iou, product_mask
    from tests.catalog import drawn, photos
    from tests.catalog.drawn_scenes import cup_scene

    scenes = {f"{backdrop} {round(fill * 100)}%": cup_scene(PHOTO_SIZE, fill=fill, backdrop=backdrop)
              for backdrop in ("white", "wood") for fill in (0.3, 0.6, 0.9)}
    jpegs = {}
    for name, (photo, _) in scenes.items():
        buffer = io.BytesIO()
        Image.fromarray(photo).save(buffer, "JPEG", quality=90)
        jpegs[name] = buffer.getvalue()
    fix_main_image(Image.open(io.BytesIO(next(iter(jpegs.values())))), "amazon")
    timings, unmet = [], 0
    for round_ in range(args.photos):
        name = list(jpegs)[round_ % len(jpegs)]
        started = time.perf_counter()
        fixed = fix_main_image(Image.open(io.BytesIO(jpegs[name])), "amazon")
        timings.append(time.perf_counter() - started)
        unmet += bool(fixed.unmet)
        log(f"[fix] {name}: {timings[-1]:.2f} s, unmet {[c.rule for c in fixed.unmet]}")
    scores = {name: iou(product_mask(np.asarray(Image.open(io.BytesIO(jpegs[name])))).mask, truth)
              for name, (_, truth) in scenes.items()}
    busy = drawn.busy_scene(PHOTO_SIZE, fill=0.6)
    busy_truth = (np.asarray(drawn.product_photo(PHOTO_SIZE, fill=0.6)) != 255).any(axis=2)
    scores["cluttered room 60%"] = iou(product_mask(np.asarray(busy)).mask, busy_truth)
    coffee, coffee_truth = photos.coffee()
    scores["coffee photo (hand-traced)"] = iou(product_mask(coffee).mask, coffee_truth)
    return {"part": "fix", "megapixels": PHOTO_SIZE[0] * PHOTO_SIZE[1] / 1e6, "n": len(timings),
            "mean_s": statistics.mean(timings), "max_s": max(timings), "unmet": unmet, "iou": scores}


def main_child(args) -> int:
    part = args.child
    started = time.monotonic()
    log(f"[{part}] migrate + createcachetable")
    setup_django()
    result = {"analysis": child_analysis, "batch": child_batch, "listing": child_listing, "fix": child_fix}[part](args)
    Path(args.result_file).write_text(json.dumps(result))
    log(f"[{part}] done in {time.monotonic() - started:.1f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=5, help="timed photos for the analysis and fix parts (default 5)")
    parser.add_argument("--batch", type=int, default=100, help="photos in the timed batch job (default 100, max 100)")
    parser.add_argument("--products", type=int, default=10_000, help="products for the listing part (default 10000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per query shape (default 200)")
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated: analysis,batch,listing,fix")
    parser.add_argument("--batch-workers", default="1,2",
                        help="worker counts the batch part runs with, comma-separated (default 1,2: the speed-up)")
    parser.add_argument("--keep", action="store_true", help="keep each part's temporary directory")
    parser.add_argument("--child", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if min(args.photos, args.batch, args.products, args.requests) < 1:
        parser.error("--photos, --batch, --products and --requests must be positive")
    if args.batch > 100:
        parser.error("--batch is at most 100 (services.MAX_BATCH_IMAGES)")
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
