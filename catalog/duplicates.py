"""Duplicate product photos: perceptual hashes and the pairs of one owner's photos that match.

Marketplaces reject listings that reuse a photo, so every photo gets a 64-bit
perceptual hash (imagehash's pHash: the low frequencies of the DCT of a 32x32
grey copy) when it is uploaded and again when it is analysed. Re-encoding,
resizing or recompressing a photo leaves its hash within a few bits; a
different photo lands tens of bits away. Two photos of one owner are

- ``exact`` duplicates when their stored files are identical (same SHA-256),
- ``near`` duplicates when their hashes differ in at most
  ``CATALOG_DUPLICATE_DISTANCE`` bits (the same picture as another file).

Only one owner's photos are compared: another seller's identical photo is none of
this seller's business. No HTTP and no writes here; ``selectors`` reads the rows.
"""

import io
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image

HASH_SIZE = 8  # 8x8 = 64 bits, stored as 16 hex digits
EXACT = "exact"
NEAR = "near"
# Pairs are found a block of rows at a time: a block of 256 photos against n takes
# 256 x n x 8 bytes (20 MB at 10,000 photos) instead of n x n x 8.
BLOCK_ROWS = 256


def perceptual_hash(photo: Image.Image) -> str:
    """The photo's 64-bit pHash as 16 hex digits."""
    return str(imagehash.phash(photo, hash_size=HASH_SIZE))


def hash_of_file(data: bytes) -> str:
    """The pHash of an image file's first frame, transparency on white (as the pipeline sees it)."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        rgba = opened.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return perceptual_hash(flat)


@dataclass(frozen=True)
class Photo:
    """What duplicate finding needs of one stored photo."""

    image_id: str
    product_id: str
    phash: str
    sha256: str


@dataclass(frozen=True)
class Match:
    """``other`` duplicates the photo it is listed under: ``kind`` is exact or near, ``distance`` in bits."""

    other: Photo
    kind: str
    distance: int


def find_duplicates(photos: list[Photo], *, max_distance: int,
                    only: set[str] | None = None) -> dict[str, list[Match]]:
    """Every photo with at least one duplicate among ``photos``, by image id, closest first.

    ``only`` limits the answer to those image ids (still compared with every photo):
    a product's few photos against a catalog of thousands is quick, all pairs is not.
    Photos without a hash (not decoded yet) are skipped.
    """
    hashed = [photo for photo in photos if photo.phash]
    asked = [index for index, photo in enumerate(hashed) if only is None or photo.image_id in only]
    if len(hashed) < 2 or not asked:
        return {}
    values = np.array([int(photo.phash, 16) for photo in hashed], dtype=np.uint64)
    found: dict[str, list[Match]] = {}
    for start in range(0, len(asked), BLOCK_ROWS):
        block = asked[start:start + BLOCK_ROWS]
        distances = np.bitwise_count(values[block][:, None] ^ values[None, :])
        rows, cols = np.nonzero(distances <= max_distance)
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            mine, other = hashed[block[row]], hashed[col]
            if mine.image_id == other.image_id:
                continue
            exact = bool(mine.sha256) and mine.sha256 == other.sha256
            found.setdefault(mine.image_id, []).append(
                Match(other, EXACT if exact else NEAR, int(distances[row, col])))
    for matches in found.values():
        matches.sort(key=lambda match: (match.kind != EXACT, match.distance, match.other.image_id))
    return found

