"""Generation at the model's native scale, and the way from there to the delivered size.

A diffusion model draws well only near the size it was trained at: SD 1.5 at
512-768 px on the short side, SDXL at 1024. Asked for much more it repeats
furniture and breaks perspective. So each quality mode generates at its
family's native short edge (``NATIVE_SHORT_EDGES``, or the mode's
``short_edge`` setting) and the result reaches the photo's size by a tiled
img2img pass:

1. the generation is resized with Lanczos to at most ``STAGING_UPSCALE_MAX_FACTOR``
   times its size (never past the photo's size);
2. square tiles of the native short edge, overlapping by an eighth, are
   redrawn by the same engine at ``STAGING_UPSCALE_STRENGTH`` (inpainting under
   the furnished-area mask: only the area the pipeline paints is redrawn, and a
   tile without any of it is skipped, since the pixel lock restores the rest);
3. the tiles are blended back with weights that ramp over the overlap, so no
   seam shows; what remains to the photo's size is a Lanczos resize.

``STAGING_UPSCALE_STRENGTH=0`` skips step 2 (no engine calls, a plain resize).
"""

import math
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from PIL import Image

from config.ai.image.base import ImageGenerator, ImageRequest
from staging import renditions

NATIVE_SHORT_EDGES = {"sd15": {"standard": 512, "premium": 768}, "sdxl": {"standard": 1024, "premium": 1024}}
TILE_OVERLAP_SHARE = 1 / 8


@dataclass(frozen=True)
class GenerationSettings:
    """What one quality mode asks the engine for."""

    short_edge: int
    steps: int
    guidance: float


@dataclass(frozen=True)
class Upscaled:
    image: Image.Image
    tiles: int
    refined_size: tuple[int, int]


def generation_settings(quality_mode: str) -> GenerationSettings:
    """The mode's short edge (its setting, else the model family's native one), steps and guidance."""
    mode = settings.STAGING_QUALITY[quality_mode]
    short_edge = mode["short_edge"] or NATIVE_SHORT_EDGES[settings.AI_IMAGE_MODEL_FAMILY][quality_mode]
    return GenerationSettings(short_edge=short_edge, steps=mode["steps"], guidance=mode["guidance"])


def generation_size(width: int, height: int, quality_mode: str) -> tuple[int, int]:
    """The (width, height) the engine is asked for, for a photo of ``width`` x ``height``."""
    return renditions.model_size(width, height, generation_settings(quality_mode).short_edge)


def upscale(generator: ImageGenerator, image: Image.Image, *, mask: Image.Image, size: tuple[int, int],
            prompt: str, negative_prompt: str, quality_mode: str, seed: int) -> Upscaled:
    """Bring ``image`` (the engine's output at native scale) to ``size`` by the tiled pass above.

    ``mask`` is "L" at ``image``'s size, 255 where the pipeline paints.
    """
    chosen = generation_settings(quality_mode)
    strength = settings.STAGING_UPSCALE_STRENGTH
    factor = min(size[0] / image.width, size[1] / image.height, settings.STAGING_UPSCALE_MAX_FACTOR)
    if strength == 0 or factor <= 1:
        return Upscaled(image.resize(size, Image.Resampling.LANCZOS), 0, image.size)
    refined_size = (round(image.width * factor), round(image.height * factor))
    resized = image.resize(refined_size, Image.Resampling.LANCZOS)
    inside = np.asarray(mask.convert("L").resize(refined_size, Image.Resampling.NEAREST)) >= 128
    tile = min(image.size) // 8 * 8
    # img2img runs steps * strength denoising steps; at least one must run.
    steps = max(chosen.steps, math.ceil(1 / strength))
    base = np.asarray(resized, np.float32)
    total, weights = np.zeros_like(base), np.zeros(base.shape[:2], np.float32)
    ramp = _ramp(tile, max(1, round(tile * TILE_OVERLAP_SHARE)))
    count = 0
    for left, top in _tile_origins(refined_size, tile):
        box = (left, top, left + tile, top + tile)
        if not inside[top:top + tile, left:left + tile].any():
            continue
        result = generator.generate(ImageRequest(
            prompt, negative_prompt=negative_prompt, width=tile, height=tile, steps=steps, guidance=chosen.guidance,
            seed=seed + count, init_image=resized.crop(box), mask=Image.fromarray(
                (inside[top:top + tile, left:left + tile] * 255).astype(np.uint8)), strength=strength,
        ))
        total[top:top + tile, left:left + tile] += np.asarray(result.image, np.float32) * ramp[..., None]
        weights[top:top + tile, left:left + tile] += ramp
        count += 1
    # Where no tile reached (or only a tile's ramp did) the resized pixels fill the remaining weight.
    background = np.clip(1 - weights, 0, None)
    blended = (total + base * background[..., None]) / np.maximum(weights + background, 1e-6)[..., None]
    refined = Image.fromarray(np.clip(np.rint(blended), 0, 255).astype(np.uint8))
    final = refined if refined_size == size else refined.resize(size, Image.Resampling.LANCZOS)
    return Upscaled(final, count, refined_size)


def _tile_origins(size: tuple[int, int], tile: int) -> list[tuple[int, int]]:
    """Top-left corners of overlapping square tiles covering ``size``; the last in a row or column
    is moved back to end at the edge, so every tile has the full size."""
    step = tile - max(1, round(tile * TILE_OVERLAP_SHARE))

    def starts(length: int) -> list[int]:
        points = list(range(0, max(1, length - tile + 1), step))
        if points[-1] + tile < length:
            points.append(length - tile)
        return points

    return [(left, top) for top in starts(size[1]) for left in starts(size[0])]


def _ramp(tile: int, overlap: int) -> np.ndarray:
    """Tile weights: 1 in the middle, rising linearly from the edges over ``overlap`` pixels."""
    edge = np.minimum(np.arange(tile) + 1, np.arange(tile)[::-1] + 1) / overlap
    line = np.clip(edge, 0, 1).astype(np.float32)
    return np.outer(line, line)
