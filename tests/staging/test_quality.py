"""The quality score from measured sharpness, exposure, noise and integrity."""

import json

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from staging.quality import WEIGHTS, noise_sigma, quality_score
from staging.structure import furnished_area_mask
from tests.staging.drawings import add_furniture, draw_room


@pytest.fixture(scope="module")
def staged() -> Image.Image:
    room = draw_room()
    return add_furniture(room, furnished_area_mask(room).mask)


def test_a_blurred_copy_scores_lower_than_the_sharp_one(staged):
    sharp = quality_score(staged, integrity_score=1.0)
    blurred = quality_score(staged.filter(ImageFilter.GaussianBlur(4)), integrity_score=1.0)

    assert blurred.parts["sharpness"]["score"] < sharp.parts["sharpness"]["score"] - 0.3
    assert blurred.score < sharp.score


def test_an_over_exposed_copy_scores_lower_on_exposure(staged):
    sharp = quality_score(staged, integrity_score=1.0)
    washed_out = quality_score(ImageEnhance.Brightness(staged).enhance(2.2), integrity_score=1.0)

    assert washed_out.parts["exposure"]["highlights_clipped"] > 0.5
    assert washed_out.parts["exposure"]["score"] < sharp.parts["exposure"]["score"] - 0.5
    assert washed_out.score < sharp.score


def test_grain_is_not_taken_for_detail(staged):
    grainy = Image.fromarray(np.clip(
        np.asarray(staged) + np.random.default_rng(0).normal(0, 8, (640, 960, 3)), 0, 255).astype(np.uint8))

    clean, noisy = quality_score(staged, integrity_score=1.0), quality_score(grainy, integrity_score=1.0)

    assert noisy.parts["noise"]["score"] < clean.parts["noise"]["score"]
    assert noisy.parts["sharpness"]["laplacian_variance"] > clean.parts["sharpness"]["laplacian_variance"]
    assert noisy.score < clean.score


def test_a_poor_integrity_score_lowers_the_score_by_its_weight(staged):
    kept = quality_score(staged, integrity_score=1.0)
    broken = quality_score(staged, integrity_score=0.5)

    assert kept.score - broken.score == pytest.approx(WEIGHTS["integrity"] * 0.5, abs=0.001)


def test_every_part_carries_its_score_and_raw_measurement_as_json(staged):
    report = quality_score(staged, integrity_score=0.97)

    assert set(report.parts) == set(WEIGHTS) == {"sharpness", "exposure", "noise", "integrity"}
    assert {"laplacian_variance", "detail_variance"} <= set(report.parts["sharpness"])
    assert {"mean", "shadows_clipped", "highlights_clipped"} <= set(report.parts["exposure"])
    assert "sigma" in report.parts["noise"]
    assert all(0 <= part["score"] <= 1 for part in report.parts.values())
    assert 0 <= report.score <= 1
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    json.dumps(report.parts)


def test_the_noise_estimate_finds_added_gaussian_noise():
    flat = np.full((400, 600, 3), 128, np.float64)
    noisy = np.clip(flat + np.random.default_rng(1).normal(0, 5, flat.shape), 0, 255).astype(np.uint8)

    assert noise_sigma(flat.astype(np.uint8)) == 0.0
    # Greyscale conversion averages the three channels' independent noise.
    assert noise_sigma(noisy) == pytest.approx(5 * np.sqrt(0.299**2 + 0.587**2 + 0.114**2), rel=0.15)
