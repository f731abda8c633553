"""Catalog duplicates: time to hash a 12 MP photo, and to compare an owner's catalog of N photos.

    .venv/bin/python tests/benchmarks/bench_catalog_duplicates.py [--photos 1000,10000,30000]

Prints figures; asserts nothing. Hashes are random 64-bit values with 1% planted near copies,
so the comparison does the same work as on a real catalog of that size.
"""

import argparse
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PIL import Image, ImageDraw

from catalog.duplicates import Photo, find_duplicates, hash_of_file
from tests.benchmarks.setup import machine_line


def twelve_megapixel_jpeg() -> bytes:
    image = Image.new("RGB", (4000, 3000), "white")
    draw = ImageDraw.Draw(image)
    for i in range(40):
        draw.rectangle((i * 90, i * 60, i * 90 + 800, i * 60 + 500), fill=(i * 6 % 255, 80, 200 - i * 4))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def catalog(size: int, rng: random.Random) -> list[Photo]:
    photos = []
    for n in range(size):
        if n and rng.random() < 0.01:  # a near copy of an earlier photo: two bits flipped
            value = int(photos[rng.randrange(n)].phash, 16) ^ (1 << rng.randrange(64)) ^ (1 << rng.randrange(64))
        else:
            value = rng.getrandbits(64)
        photos.append(Photo(str(n), str(n // 4), f"{value:016x}", f"sha{n}"))
    return photos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default="1000,10000,30000")
    args = parser.parse_args()
    print(machine_line())
    data = twelve_megapixel_jpeg()
    started = time.perf_counter()
    for _ in range(3):
        hash_of_file(data)
    print(f"hash_of_file, 12 MP JPEG ({len(data) // 1024} KB): {(time.perf_counter() - started) / 3 * 1000:.0f} ms")
    rng = random.Random(21)
    for size in (int(n) for n in args.photos.split(",")):
        photos = catalog(size, rng)
        started = time.perf_counter()
        found = find_duplicates(photos, max_distance=6)
        elapsed = time.perf_counter() - started
        print(f"find_duplicates, all pairs of {size} photos (dashboard): {elapsed * 1000:.0f} ms, "
              f"{len(found)} flagged")
        started = time.perf_counter()
        find_duplicates(photos, max_distance=6, only={photo.image_id for photo in photos[:5]})
        print(f"find_duplicates, one product's 5 photos against {size} (product API and page): "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
