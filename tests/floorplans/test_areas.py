"""ANSI Z765-2021 square footage (floorplans/areas.py), on worked examples."""

import pytest

from floorplans.areas import AreaRoom, SlopedCeiling, calculate_areas
from floorplans.geometry import GeometryError, Notch, Room, parse_analysis


def only(room, **kwargs):
    return calculate_areas([room], **kwargs)


def test_a_garage_and_a_porch_are_left_out_of_gross_living_area():
    report = calculate_areas([
        AreaRoom("Living", "living_room", 20, 15),
        AreaRoom("Garage", "garage", 20, 22),
        AreaRoom("Porch", "porch", 8, 6),
    ])

    assert report.gross_living_area_interior == 300
    assert report.gross_living_area == 21 * 16  # grown by the 0.5 ft exterior wall on each side
    garage, porch = report.rows[1], report.rows[2]
    assert (garage.included_in_gla, garage.counted_area, garage.area) == (False, 0.0, 440.0)
    assert garage.reason == "Garage: not living area under ANSI Z765-2021"
    assert porch.category == "excluded"


def test_a_finished_garage_is_still_excluded():
    assert only(AreaRoom("Garage", "garage", 20, 22, finished=True)).gross_living_area == 0


def test_a_basement_is_reported_below_grade_and_not_in_gla():
    report = calculate_areas([AreaRoom("Kitchen", "kitchen", 12, 15),
                              AreaRoom("Basement", "basement", 30, 25, grade="below")])

    assert report.gross_living_area == 13 * 16
    assert report.below_grade_finished_area == 31 * 26
    assert report.below_grade_finished_area_interior == 750
    basement = report.row("Basement")
    assert basement.category == "below_grade"
    assert basement.included_in_gla is False
    assert basement.reason == "Finished, below grade: reported separately, not in GLA"


def test_an_unfinished_basement_counts_nowhere():
    report = only(AreaRoom("Basement", "basement", 30, 25, finished=False, grade="below"))

    assert (report.below_grade_finished_area, report.rows[0].reason) == (0, "Unfinished")


def test_a_sloped_attic_room_counts_only_where_the_ceiling_is_5_ft_or_more():
    # 4 ft rising to 10 ft over 15 ft: 7 ft is reached half way (exactly the 50% the standard asks),
    # 5 ft a sixth of the way in, so 12 x 2.5 = 30 sq ft under 5 ft drops out.
    report = only(AreaRoom("Bedroom#3", "bedroom", 12, 15, sloped_ceiling=SlopedCeiling(4, 10)))

    row = report.rows[0]
    assert (row.area, row.counted_area, row.included_in_gla) == (180.0, 150.0, True)
    assert row.reason == ("Finished, above grade; sloped ceiling 4-10 ft, 50% at 7 ft or more, "
                          "30.0 sq ft under 5 ft not counted")
    assert report.gross_living_area_interior == 150
    assert report.gross_living_area == 13 * 16 - 30


def test_a_steep_attic_room_with_under_half_at_7_ft_is_excluded():
    # 1 ft rising to 8 ft: only the last seventh of the depth reaches 7 ft.
    report = only(AreaRoom("Loft", "bedroom", 12, 14, sloped_ceiling=SlopedCeiling(1, 8)))

    row = report.rows[0]
    assert (row.category, row.counted_area) == ("excluded", 0.0)
    assert row.reason == "Sloped ceiling: only 14% of the floor has 7 ft or more (at least 50% required)"
    assert report.gross_living_area == 0


def test_the_low_side_of_a_slope_matters_in_an_l_shaped_room():
    notch = Notch("NE", 4, 3)  # 12 x 10 less 4 x 3 = 108 sq ft; 7 ft is reached half way across the depth
    low_north = only(AreaRoom("Attic", "bedroom", 12, 10, notch=notch, sloped_ceiling=SlopedCeiling(4, 10)))
    low_south = only(AreaRoom("Attic", "bedroom", 12, 10, notch=notch,
                              sloped_ceiling=SlopedCeiling(4, 10, low_side="south")))

    # Low side north: the full-width south half (60 sq ft) is at 7 ft or more; under 5 ft is the first
    # 1 2/3 ft of the 8 ft wide northern strip, 13.3 sq ft.
    assert low_north.rows[0].counted_area == 94.7
    # Low side south: only 12 x 2 + 8 x 3 = 48 sq ft (44%) reaches 7 ft.
    assert low_south.rows[0].reason.startswith("Sloped ceiling: only 44%")


def test_a_ceiling_under_7_ft_excludes_the_room():
    report = only(AreaRoom("Den", "other", 10, 10, ceiling_height=6.5))

    assert report.rows[0].reason == "Ceiling 6.5 ft is under 7 ft"
    assert only(AreaRoom("Den", "other", 10, 10, ceiling_height=7.0)).gross_living_area_interior == 100


def test_an_opening_to_the_floor_below_is_not_counted():
    report = only(AreaRoom("Landing", "hallway", 12, 10, open_to_below=40, level=2))

    assert report.rows[0].counted_area == 80.0
    assert report.rows[0].reason == "Finished, above grade; 40.0 sq ft open to below not counted"
    assert report.gross_living_area == 13 * 11 - 40


def test_dimensions_are_rounded_to_a_tenth_and_totals_to_the_square_foot_half_up():
    # 12.46 -> 12.5 and 12.25 -> 12.3 (not 12.2 as round-half-even would give)...
    row = only(AreaRoom("Bedroom", "bedroom", 12.46, 12.25)).rows[0]
    assert (row.width, row.depth, row.dimensions) == (12.5, 12.3, "12.5 ft x 12.3 ft")
    assert row.area == 153.8  # 153.75
    # ... and 12.5 x 12.2 = 152.5 sq ft totals 153.
    assert only(AreaRoom("Bedroom", "bedroom", 12.5, 12.2)).gross_living_area_interior == 153


def test_rooms_placed_side_by_side_share_their_walls_in_the_exterior_total():
    placed = [AreaRoom("Living", "living_room", 20, 15, x=0, y=0), AreaRoom("Kitchen", "kitchen", 12, 15, x=20, y=0)]
    loose = [AreaRoom("Living", "living_room", 20, 15), AreaRoom("Kitchen", "kitchen", 12, 15)]

    assert calculate_areas(placed).gross_living_area == 33 * 16
    assert calculate_areas(loose).gross_living_area == 21 * 16 + 13 * 16
    assert calculate_areas(placed, exterior_wall=0).gross_living_area == 480


def test_rooms_on_different_levels_are_separate_outlines():
    rooms = [AreaRoom("Living", "living_room", 20, 15, x=0, y=0),
             AreaRoom("Bedroom", "bedroom", 20, 15, x=0, y=0, level=2)]

    assert calculate_areas(rooms).gross_living_area == 2 * 21 * 16


def test_the_report_says_which_convention_each_area_uses_and_declares_the_standard():
    report = calculate_areas([AreaRoom("Living", "living_room", 20, 15)])

    assert report.conventions == {"rooms": "interior", "grossLivingArea": "exterior",
                                  "belowGradeFinishedArea": "exterior"}
    assert report.declaration.startswith("Calculated in accordance with ANSI Z765-2021")
    assert "0.5 ft exterior wall" in report.declaration
    data = report.to_dict()
    assert data["rooms"][0]["convention"] == "interior"
    assert (data["grossLivingArea"], data["grossLivingAreaInterior"]) == (336, 300)
    assert report.summary()[:2] == ["Gross living area: 336 sq ft (finished, above grade, exterior)",
                                    "Below-grade finished area: 0 sq ft (exterior)"]
    assert report.summary()[2] == report.declaration
    assert report.plan_notes()[2] == ("Calculated in accordance with ANSI Z765-2021; room areas interior, "
                                      "totals to exterior faces.")
    assert report.table()[1] == ["Living", "20.0 ft x 15.0 ft", "300.0", "300.0", "yes", "Finished, above grade"]


def test_a_placed_plan_room_becomes_an_area_room():
    room = Room("r1", parse_analysis({"dimensions": {"width": 12, "height": 14}, "ceilingHeight": 8}), "Bedroom#1",
                12.0, 0.0)

    area_room = AreaRoom.from_room(room, type="bedroom", grade="above")

    assert (area_room.label, area_room.width, area_room.depth, area_room.ceiling_height) == ("Bedroom#1", 12, 14, 8)
    assert (area_room.x, area_room.y) == (12.0, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"width": 0}, "width and depth must be more than 0"),
        ({"grade": "partial"}, "grade is above or below"),
        ({"open_to_below": 500}, "open to below"),
    ],
)
def test_impossible_rooms_are_refused(kwargs, message):
    with pytest.raises(GeometryError, match=message):
        AreaRoom(**{"label": "Room", "type": "bedroom", "width": 10, "depth": 10, **kwargs})


def test_a_slope_runs_from_low_to_high_across_the_depth():
    with pytest.raises(GeometryError, match="from low to high"):
        SlopedCeiling(10, 4)
    with pytest.raises(GeometryError, match="low side is north or south"):
        SlopedCeiling(4, 10, low_side="east")


# A 20 x 15 ft room whose south-east corner is cut by a slanted wall: 300 less a 6 x 4 ft triangle.
CUT = ((0.0, 0.0), (20.0, 0.0), (20.0, 11.0), (14.0, 15.0), (0.0, 15.0))


def test_a_polygon_rooms_area_is_its_shoelace_not_its_box():
    row, = only(AreaRoom("Bay", "bedroom", 20, 15, polygon=CUT)).rows
    assert row.area == 288.0 and row.counted_area == 288.0
    assert row.dimensions == "polygon of 5 walls within 20.0 ft x 15.0 ft"


def test_a_polygon_room_grows_by_the_wall_with_mitred_corners():
    report = only(AreaRoom("Bay", "bedroom", 20, 15, polygon=CUT))
    box = only(AreaRoom("Box", "bedroom", 20, 15))
    assert report.gross_living_area_interior == 288
    # The grown outline adds the wall's band (0.5 ft times the perimeter, about 33 sq ft) and mitre corners.
    assert 288 + 0.5 * 67.2 <= report.gross_living_area < box.gross_living_area


def test_a_polygon_room_under_a_slope_counts_the_part_with_5_ft_or_more():
    # The ceiling falls from 10 ft on the north to 4 ft on the south: under 5 ft are the last 2.5 ft, where the
    # slanted wall already narrows the room to 17.75 then 14 ft.
    row, = only(AreaRoom("Attic", "bedroom", 20, 15, polygon=CUT,
                         sloped_ceiling=SlopedCeiling(4, 10, "south"))).rows
    assert row.category == "gla" and row.counted_area == pytest.approx(288.0 - 2.5 * (17.75 + 14) / 2, abs=0.05)


def test_a_polygon_plan_room_becomes_an_area_room_with_its_vertices():
    analysis = parse_analysis({"dimensions": {"width": 20, "height": 15}, "walls": {}, "shape": "polygon",
                               "polygon": {"vertices": [list(p) for p in CUT], "openings": []}})
    room = AreaRoom.from_room(Room("r", analysis, "Bay", 3.0, 4.0), type="bedroom")
    assert room.polygon == CUT and calculate_areas([room]).rows[0].area == 288.0
