"""staging.consistency: the same furniture in two photos scores above different furniture."""

import pytest
from PIL import Image

from config.ai import registry
from staging import consistency, structure
from tests.staging.drawings import Room, draw_room, paint_pieces, piece_colours


def staged(seed: int, colours: list) -> tuple[Image.Image, Image.Image]:
    room = draw_room(Room(), seed=seed)
    mask = structure.furnished_area_mask(room).mask.resize(room.size)
    return paint_pieces(room, mask, colours), mask


def test_the_same_furniture_scores_above_other_furniture(labeler_present):
    labeler = registry.labeler()
    reference, reference_mask = staged(0, piece_colours(5))
    same, same_mask = staged(1, piece_colours(5))
    other, other_mask = staged(1, piece_colours(90))

    alike = consistency.measure(same, same_mask, reference, reference_mask, labeler=labeler)
    unlike = consistency.measure(other, other_mask, reference, reference_mask, labeler=labeler)

    assert alike.score > unlike.score and alike.colour > unlike.colour
    assert alike.score > 0.8 > unlike.score >= 0


@pytest.mark.parametrize("runtime", ["onnx", "torch"])
def test_the_embedding_is_the_penultimate_layer_on_both_runtimes(labeler_present, settings, tmp_path, runtime):
    settings.AI_LABELER_RUNTIME, settings.VAR_DIR = runtime, tmp_path
    features = registry.labeler().embed([draw_room(), draw_room(seed=3)])
    assert features.shape == (2, 1280)
    assert abs(float((features ** 2).sum(axis=1)[0]) - 1) < 1e-6
