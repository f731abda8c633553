"""The furnished-area mask and structural maps on drawn rooms, where the answer is known."""

import numpy as np
import pytest
from PIL import Image

from config.ai.image.base import ControlKind
from staging.structure import FALLBACK_BOUNDARY_FRACTION, furnished_area_mask, structural_maps
from tests.staging.drawings import Room, draw_room

ROOM = Room()


def mask_share(mask: Image.Image, box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = box
    return float((np.asarray(mask)[top:bottom, left:right] >= 128).mean())


def test_the_boundary_is_the_back_walls_floor_line():
    area = furnished_area_mask(draw_room())

    assert not area.fell_back
    assert area.boundary_row == pytest.approx(ROOM.floor_row, abs=12)


def test_the_mask_covers_the_floor():
    area = furnished_area_mask(draw_room())

    assert mask_share(area.mask, (0, ROOM.floor_row + 10, ROOM.width, ROOM.height)) == 1.0


def test_the_mask_covers_the_band_of_wall_where_furniture_stands():
    area = furnished_area_mask(draw_room())
    left, _, _, bottom = ROOM.back_wall

    assert mask_share(area.mask, (left, bottom - 40, ROOM.window[2], bottom)) == 1.0
    assert area.band_px > 40


def test_the_mask_never_covers_the_ceiling_or_the_window():
    area = furnished_area_mask(draw_room())

    assert mask_share(area.mask, (0, 0, ROOM.width, ROOM.back_wall[1])) == 0.0
    assert mask_share(area.mask, ROOM.window) == 0.0
    assert area.top_row >= area.horizon_row == ROOM.height // 2


def test_the_door_is_cut_out_of_the_mask():
    area = furnished_area_mask(draw_room())
    left, _, right, bottom = ROOM.door

    assert mask_share(area.mask, (left, area.top_row, right, bottom)) == 0.0
    assert any(box[0] <= left and box[2] >= right for box in area.excluded_boxes)


def test_the_coverage_is_a_sane_share_of_the_frame():
    area = furnished_area_mask(draw_room())

    assert 0.3 <= area.coverage <= 0.55
    assert area.coverage == pytest.approx(mask_share(area.mask, (0, 0, ROOM.width, ROOM.height)), abs=0.001)


def test_a_blank_photo_falls_back_to_the_lower_part_of_the_frame():
    area = furnished_area_mask(Image.new("RGB", (900, 600), (200, 195, 185)))

    assert area.fell_back
    assert area.boundary_row == round(600 * FALLBACK_BOUNDARY_FRACTION)
    assert area.excluded_boxes == []
    assert mask_share(area.mask, (0, area.top_row, 900, 600)) == 1.0
    assert mask_share(area.mask, (0, 0, 900, area.top_row)) == 0.0
    assert 0.3 <= area.coverage <= 0.5


def test_horizontal_lines_high_in_the_frame_are_not_taken_for_the_floor():
    stripes = np.full((600, 900, 3), 210, np.uint8)
    stripes[100:104] = 40
    stripes[250:254] = 40

    area = furnished_area_mask(Image.fromarray(stripes))

    assert area.fell_back
    assert area.top_row >= 300


def test_a_large_photo_gets_a_mask_at_its_own_size():
    photo = draw_room().resize((1920, 1280), Image.Resampling.LANCZOS)

    area = furnished_area_mask(photo)

    assert area.mask.size == (1920, 1280)
    assert area.mask.mode == "L"
    assert area.boundary_row == pytest.approx(ROOM.floor_row * 2, abs=24)


def test_the_structural_maps_are_white_lines_on_black_at_the_photos_size():
    maps = structural_maps(draw_room())

    assert maps.lines.size == maps.edges.size == (ROOM.width, ROOM.height)
    assert set(np.unique(np.asarray(maps.lines))) == {0, 255}
    assert maps.segment_count > 10
    assert maps.condition(ControlKind.MLSD, scale=1.5).image is maps.lines
    assert maps.condition(ControlKind.CANNY).image is maps.edges
    with pytest.raises(ValueError):
        maps.condition(ControlKind.DEPTH)
