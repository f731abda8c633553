"""Analyses, outlines, merging and calibration (the floorplans/geometry package)."""

import copy
import math

import pytest

from floorplans import geometry
from floorplans.geometry import GeometryError, Plan, Room, calibrate, merge, parse_analysis
from floorplans.geometry.walls import MITRE_LIMIT, outer_corners

# The document's analysis example, with the "..." filled in by keys a model might add.
DOCUMENT_ANALYSIS = {
    "dimensions": {"width": 12.0, "height": 14.0, "confidence": 0.7},
    "ceilingHeight": 8.0,
    "walls": {
        "north": [{"type": "window", "position": 3.0, "width": 4.0, "sillHeight": 3.0}],
        "east": [{"type": "door", "position": 5.0, "width": 2.67, "swing": "in"}],
        "south": [{"type": "closet", "position": 1.0, "width": 6.0}],
        "west": [],
    },
    "referenceObject": {"type": "door", "knownSize": 80, "scaleFactor": 0.12},
    "shape": "rectangle",
}


def analysis(width=12.0, height=14.0, **walls):
    return {"dimensions": {"width": width, "height": height}, "walls": walls}


def room(room_id, width=12.0, height=14.0, label="", **walls):
    return Room(room_id, parse_analysis(analysis(width, height, **walls)), label)


def door(position, width=3.0):
    return {"type": "door", "position": position, "width": width}


def l_shape(corner="NE", width=12.0, height=10.0, notch_width=4.0, notch_depth=3.0, notch_walls=None, **walls):
    data = {**analysis(width, height, **walls), "shape": "L-shape",
            "notch": {"corner": corner, "width": notch_width, "depth": notch_depth}}
    if notch_walls:
        data["notch"]["walls"] = notch_walls
    return parse_analysis(data)


# -- Parsing ------------------------------------------------------------------------------------


def test_the_document_analysis_round_trips_with_its_extra_keys():
    assert parse_analysis(DOCUMENT_ANALYSIS).to_dict() == DOCUMENT_ANALYSIS


def test_parsing_does_not_change_the_input():
    data = copy.deepcopy(DOCUMENT_ANALYSIS)
    parse_analysis(data)
    assert data == DOCUMENT_ANALYSIS


def test_missing_walls_are_empty():
    parsed = parse_analysis({"dimensions": {"width": 10, "height": 11}})
    assert parsed.to_dict()["walls"] == {"north": [], "east": [], "south": [], "west": []}
    assert parsed.shape == "rectangle"


def test_north_and_south_positions_run_from_the_west_end():
    parsed = parse_analysis(DOCUMENT_ANALYSIS)
    assert parsed.wall("north").span(parsed.walls["north"][0]) == ((3.0, 0.0), (7.0, 0.0))
    assert parsed.wall("south").span(parsed.walls["south"][0]) == ((1.0, 14.0), (7.0, 14.0))


def test_east_and_west_positions_run_from_the_north_end():
    parsed = parse_analysis(DOCUMENT_ANALYSIS)
    start, end = parsed.wall("east").span(parsed.walls["east"][0])
    assert start == (12.0, 5.0)
    assert end == pytest.approx((12.0, 7.67))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (analysis(0, 14), "dimensions.width must be more than 0"),
        (analysis(12, -3), "dimensions.height must be more than 0"),
        (analysis(north=[{"type": "door", "position": 1, "width": 0}]), "width must be more than 0"),
        ({"dimensions": {"width": "12", "height": 14}}, "must be a number"),
        ({"dimensions": {"width": True, "height": 14}}, "must be a number"),
        ({"walls": {}}, "dimensions must be an object"),
        ({**analysis(), "ceilingHeight": 0}, "ceilingHeight must be more than 0"),
    ],
)
def test_impossible_sizes_are_refused(data, message):
    with pytest.raises(GeometryError, match=message):
        parse_analysis(data)


def test_unknown_wall_names_are_refused():
    with pytest.raises(GeometryError, match="Unknown wall 'northeast'"):
        parse_analysis(analysis(northeast=[door(1)]))


def test_unknown_opening_types_are_refused():
    with pytest.raises(GeometryError, match="Unknown opening type"):
        parse_analysis(analysis(north=[{"type": "skylight", "position": 1, "width": 2}]))


def test_names_are_matched_without_regard_to_case():
    parsed = parse_analysis(analysis(North=[{"type": "Window", "position": 1, "width": 2}]))
    assert parsed.walls["north"][0].type == "window"


def test_an_opening_past_the_end_of_its_wall_is_refused():
    with pytest.raises(GeometryError, match="ends at 13 ft but the wall is 12 ft long"):
        parse_analysis(analysis(north=[door(10)]))


def test_an_opening_that_starts_before_its_wall_is_refused():
    with pytest.raises(GeometryError, match="starts before the wall"):
        parse_analysis(analysis(east=[door(-0.5)]))


def test_an_opening_may_fill_its_wall_exactly():
    parsed = parse_analysis(analysis(north=[{"type": "opening", "position": 0, "width": 12.0}]))
    assert parsed.walls["north"][0].end == 12.0


def test_overlapping_openings_on_one_wall_are_refused():
    with pytest.raises(GeometryError, match="the window at 4 ft overlaps the door at 2 ft"):
        parse_analysis(analysis(north=[{"type": "window", "position": 4, "width": 3}, door(2)]))


def test_touching_openings_are_fine():
    parsed = parse_analysis(analysis(north=[door(2), {"type": "window", "position": 5, "width": 3}]))
    assert len(parsed.walls["north"]) == 2


def test_the_notch_shortens_the_walls_it_touches():
    with pytest.raises(GeometryError, match="the wall is 8 ft long \\(the NE notch shortens it\\)"):
        l_shape(north=[{"type": "window", "position": 6, "width": 3}])
    with pytest.raises(GeometryError, match="the wall is 7 ft long"):
        l_shape(east=[door(5)])
    assert l_shape(south=[door(9)]).walls["south"][0].position == 9


# -- Shapes -------------------------------------------------------------------------------------


def test_a_rectangle_outline_runs_clockwise_from_the_north_west():
    parsed = parse_analysis(analysis(12, 14))
    assert parsed.outline() == ((0, 0), (12, 0), (12, 14), (0, 14))
    assert parsed.area == 168


@pytest.mark.parametrize(
    ("corner", "outline"),
    [
        ("NE", ((0, 0), (8, 0), (8, 3), (12, 3), (12, 10), (0, 10))),
        ("NW", ((0, 3), (4, 3), (4, 0), (12, 0), (12, 10), (0, 10))),
        ("SE", ((0, 0), (12, 0), (12, 7), (8, 7), (8, 10), (0, 10))),
        ("SW", ((0, 0), (12, 0), (12, 10), (4, 10), (4, 7), (0, 7))),
    ],
)
def test_an_l_shape_outline_cuts_its_notch_corner(corner, outline):
    parsed = l_shape(corner)
    assert parsed.outline() == outline
    assert parsed.area == 120 - 12
    assert sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in parsed.rectangles()) == 108


def test_an_l_shape_has_six_walls_with_their_lengths():
    walls = {(w.side, w.inner): (w.start, w.length) for w in l_shape("NE").wall_segments()}
    assert walls == {
        ("north", False): ((0, 0), 8),
        ("east", False): ((12, 3), 7),
        ("south", False): ((0, 10), 12),
        ("west", False): ((0, 0), 10),
        ("north", True): ((8, 3), 4),
        ("east", True): ((8, 0), 3),
    }


def test_openings_on_the_notch_walls_are_kept_and_checked():
    parsed = l_shape("SW", notch_walls={"west": [door(0.5, 2.5)]})
    inner_west = next(w for w in parsed.wall_segments() if w.inner and w.side == "west")
    assert inner_west.span(inner_west.openings[0]) == ((4.0, 7.5), (4.0, 10.0))
    assert parsed.to_dict()["notch"]["walls"] == {"west": [door(0.5, 2.5)]}
    with pytest.raises(GeometryError, match="inner walls facing south and west, not north"):
        l_shape("SW", notch_walls={"north": [door(0.5, 2)]})
    with pytest.raises(GeometryError, match="notch's inner west wall"):
        l_shape("SW", notch_walls={"west": [door(1, 2.5)]})


def test_an_l_shape_without_a_notch_is_drawn_as_its_bounding_rectangle():
    parsed = parse_analysis({**analysis(), "shape": "L-shape"})
    assert parsed.outline() == ((0, 0), (12, 0), (12, 14), (0, 14))
    assert parsed.to_dict()["shape"] == "L-shape"


def test_a_notch_needs_an_l_shape_and_must_fit():
    with pytest.raises(GeometryError, match="Only an L-shape has a notch"):
        parse_analysis({**analysis(), "notch": {"corner": "NE", "width": 2, "depth": 2}})
    with pytest.raises(GeometryError, match="must be smaller than the room"):
        l_shape(notch_width=12)
    with pytest.raises(GeometryError, match="Unknown notch corner"):
        l_shape(corner="N")


def test_describe_changes_lists_added_and_removed_openings():
    before = analysis(north=[door(1)])
    after = {**analysis(12.5, north=[{"type": "window", "position": 8, "width": 3}]), "ceilingHeight": 9}
    assert geometry.describe_changes(before, after) == [
        "Changed room width from 12.0 ft to 12.5 ft",
        "Changed ceiling height from unknown to 9.0 ft",
        "Added window on north wall at position 8.0 ft, width 3.0 ft",
        "Removed door on north wall at position 1.0 ft, width 3.0 ft",
    ]


# -- Merge ----------------------------------------------------------------------------------------


def first_plan(*rooms):
    return Plan(tuple(rooms))


def test_two_rooms_joined_east_west_match_the_document_example():
    plan = first_plan(Room("room_abc456", parse_analysis(DOCUMENT_ANALYSIS), "Bedroom#1"))
    new = room("room_xyz789", label="Bedroom#2", west=[door(5.0, 2.67)])

    result = merge(plan, new, "room_abc456", "east", "door")

    assert result.to_dict() == {
        "roomPositions": {"room_abc456": {"x": 0, "y": 0}, "room_xyz789": {"x": 12.0, "y": 0}},
        "totalDimensions": {"width": 24.0, "height": 14.0},
        "sharedWalls": [{"rooms": ["room_abc456", "room_xyz789"], "wall": "east/west", "reconciled": True,
                         "lengthDiscrepancy": 0.0}],
    }
    assert result.aligned_on == "door"
    assert result.overlaps == ()


def test_half_a_foot_of_discrepancy_is_reported_and_reconciled():
    plan = first_plan(room("a", 12, 14))

    result = merge(plan, room("b", 12, 14.5), "a", "east", "door")

    assert result.shared_wall.to_dict() == {"rooms": ["a", "b"], "wall": "east/west", "reconciled": True,
                                            "lengthDiscrepancy": 0.5}
    assert result.reconciled_length == 14.25
    assert "Reconciled the east/west wall to 14.25 ft (measured 14 ft and 14.5 ft)" in result.changes
    assert result.plan.total_dimensions() == {"width": 24.0, "height": 14.5}


def test_a_discrepancy_beyond_the_tolerance_is_reported_but_not_reconciled():
    result = merge(first_plan(room("a", 12, 14)), room("b", 10, 16), "a", "east", "wall")

    assert result.shared_wall.reconciled is False
    assert result.shared_wall.length_discrepancy == 2.0
    assert result.reconciled_length is None
    assert merge(first_plan(room("a", 12, 14)), room("b", 10, 16), "a", "east", "wall",
                 tolerance=2.0).shared_wall.reconciled is True


def test_connecting_doors_are_lined_up_centre_to_centre():
    plan = first_plan(room("a", east=[door(5.0)]))

    result = merge(plan, room("b", west=[door(2.0)]), "a", "east", "door")

    assert result.plan.room("b").position() == {"x": 12.0, "y": 3.0}
    assert result.aligned_on == "door"
    assert "Lined up the door centres on the east/west wall, shifting b south by 3.0 ft" in result.changes


def test_of_several_door_pairs_the_smallest_shift_wins():
    plan = first_plan(room("a", 12, 20, south=[door(1.0), door(8.0)]))

    result = merge(plan, room("b", 12, 10, north=[door(7.0)]), "a", "south", "door")

    assert result.plan.room("b").position() == {"x": 1.0, "y": 20.0}


def test_without_doors_on_both_walls_the_north_edges_align():
    plan = first_plan(room("a", east=[door(5.0)]))

    result = merge(plan, room("b", 10, 10), "a", "east", "door")

    assert result.plan.room("b").position() == {"x": 12.0, "y": 0.0}
    assert result.aligned_on == "edges"
    assert "Aligned the north edges of a and b (no door on both facing walls)" in result.changes


@pytest.mark.parametrize(
    ("direction", "position", "wall"),
    [("south", (0.0, 14.0), "south/north"), ("north", (0.0, -10.0), "north/south"),
     ("west", (-10.0, 0.0), "west/east")],
)
def test_rooms_merged_on_other_sides_align_west_or_north_edges(direction, position, wall):
    result = merge(first_plan(room("a")), room("b", 10, 10), "a", direction, "wall")

    assert result.plan.room("b").position() == {"x": position[0], "y": position[1]}
    assert result.shared_wall.wall == wall


def test_placed_rooms_do_not_move_when_a_room_joins_to_the_west():
    result = merge(first_plan(room("a")), room("b", 10, 14), "a", "west", "wall")

    assert result.plan.room_positions() == {"a": {"x": 0.0, "y": 0.0}, "b": {"x": -10.0, "y": 0.0}}
    assert result.plan.total_dimensions() == {"width": 22.0, "height": 14.0}


def test_overlaps_are_reported_when_a_room_is_forced_onto_another():
    plan = merge(first_plan(room("a")), room("b", label="Kitchen"), "a", "east", "wall").plan

    result = merge(plan, room("c", 6, 14, label="Hall"), "a", "east", "wall")

    assert [o.to_dict() for o in result.overlaps] == [{"rooms": ["b", "c"], "area": 84.0}]
    assert "Hall overlaps Kitchen by 84 sq ft" in result.changes
    assert geometry.find_overlaps(result.plan) == result.overlaps


def test_rooms_that_only_touch_do_not_overlap():
    plan = merge(first_plan(room("a")), room("b"), "a", "east", "wall").plan
    plan = merge(plan, room("c", 24, 10), "a", "south", "wall").plan

    assert geometry.find_overlaps(plan) == ()


def test_l_shaped_rooms_merge_against_their_outer_walls():
    # NE notch 4 x 3: the east wall runs from y=3, so its door's centre is at 3 + 2 + 1.5.
    living = Room("living", l_shape("NE", 12, 10, east=[door(2.0)]), "Living")
    plan = first_plan(living)

    result = merge(plan, room("hall", 5, 7, west=[door(0.5)]), "living", "east", "door")

    assert result.plan.room("hall").position() == {"x": 12.0, "y": 4.5}
    assert result.shared_wall.length_discrepancy == 0.0
    assert result.overlaps == ()


def test_a_room_merged_into_the_notch_of_an_l_overlaps_nothing():
    plan = first_plan(Room("living", l_shape("NE", 12, 10)))
    plan = merge(plan, room("den", 4, 3), "living", "north", "wall").plan
    den = plan.room("den").at(8.0, 0.0)  # moved into the notch by hand

    assert geometry.find_overlaps(plan.with_room(den)) == ()
    assert geometry.find_overlaps(plan.with_room(den.at(7.0, 0.0))) == (geometry.Overlap(("living", "den"), 3.0),)


def test_merging_a_room_again_moves_it_and_replaces_its_shared_wall():
    plan = merge(first_plan(room("a")), room("b"), "a", "east", "wall").plan

    result = merge(plan, room("b"), "a", "south", "wall")

    assert result.plan.room("b").position() == {"x": 0.0, "y": 14.0}
    assert [w.wall for w in result.plan.shared_walls] == ["south/north"]


def test_merging_needs_a_placed_neighbour_and_a_known_direction():
    plan = first_plan(room("a"))
    with pytest.raises(GeometryError, match="Room nowhere is not on the plan"):
        merge(plan, room("b"), "nowhere", "east")
    with pytest.raises(GeometryError, match="Unknown direction 'up'"):
        merge(plan, room("b"), "a", "up")
    with pytest.raises(GeometryError, match="Unknown connection type"):
        merge(plan, room("b"), "a", "east", "portal")
    with pytest.raises(GeometryError, match="against itself"):
        merge(plan, room("a"), "a", "east")


def test_stored_rooms_and_shared_walls_load_back():
    stored = geometry.make_room("r1", DOCUMENT_ANALYSIS, label="Bedroom#1", position={"x": 12.0, "y": 0})
    wall = {"rooms": ["r0", "r1"], "wall": "east/west", "reconciled": True, "lengthDiscrepancy": 0.5}

    assert (stored.x, stored.y, stored.width) == (12.0, 0.0, 12.0)
    assert geometry.SharedWall.from_dict(wall).to_dict() == wall


# -- Calibration ----------------------------------------------------------------------------------


def two_rooms():
    return merge(first_plan(room("a")), room("b"), "a", "east", "wall").plan  # 24 x 14 inside


def test_calibration_scales_to_the_satellite_footprint_less_the_overhang():
    # Walls at 0.95 x (24 x 14) + two 0.5 ft exterior walls, roof 1.5 ft beyond them.
    bounds = {"width": 26.8, "height": 17.3, "roofOverhangEstimate": 1.5, "dataSource": "satellite"}

    result = calibrate(two_rooms(), bounds)

    assert result.to_dict() == {
        "scaleFactor": 0.95,
        "adjustments": [
            "Scaled all rooms by 0.95x to match satellite footprint",
            "Width ratio 0.95 and depth ratio 0.95; used their mean",
            "Applied 1.5 ft roof overhang offset",
            "Added 0.5 ft exterior walls around the interior room measurements",
        ],
        "overallDimensions": {"width": 23.8, "height": 14.3},
        "scaleReference": "1 inch = 4 feet",
    }
    assert result.plan.room("b").position() == {"x": 11.4, "y": 0.0}
    assert result.plan.room("b").width == pytest.approx(11.4)


def test_calibration_averages_the_width_and_depth_ratios():
    result = calibrate(two_rooms(), {"width": 22.0, "height": 15.0})

    assert (result.width_ratio, result.height_ratio) == (0.88, 1.0)  # 21/24 = 0.875 and 14/14
    assert result.scale_factor == 0.94
    assert "Applied" not in " ".join(result.adjustments)


def test_a_footprint_that_matches_is_not_scaled():
    result = calibrate(two_rooms(), {"width": 25.0, "height": 15.0, "dataSource": "agent"})

    assert result.scale_factor == 1.0
    assert result.adjustments[0] == "Rooms already match the measured house footprint; no scaling applied"


@pytest.mark.parametrize("bounds", [{"width": 60.0, "height": 40.0}, {"width": 10.0, "height": 6.0}])
def test_absurd_scale_factors_are_refused(bounds):
    with pytest.raises(GeometryError, match=r"outside 0\.5-1\.5x"):
        calibrate(two_rooms(), bounds)


def test_calibration_needs_rooms_and_a_house():
    with pytest.raises(GeometryError, match="no rooms"):
        calibrate(Plan(), {"width": 20, "height": 20})
    with pytest.raises(GeometryError, match="leaves no house"):
        calibrate(two_rooms(), {"width": 20, "height": 20, "roofOverhangEstimate": 10})
    with pytest.raises(GeometryError, match=r"houseBounds\.width must be more than 0"):
        calibrate(two_rooms(), {"width": 0, "height": 20})


def test_the_documents_house_prints_at_one_inch_to_eight_feet():
    assert geometry.preferred_print_scale(49.4, 36.1) == "eighth"
    assert geometry.scale_reference("eighth") == "1 inch = 8 feet"
    assert geometry.scale_reference("quarter") == "1 inch = 4 feet"


def test_half_way_values_round_up():
    assert geometry.round_half_up(12.25, 1) == 12.3
    assert geometry.round_half_up(0.125, 2) == 0.13
    assert geometry.round_half_up(152.5, 0) == 153.0
    assert str(geometry.round_half_up(-0.001, 1)) == "0.0"


# -- Polygon rooms --------------------------------------------------------------------------------

CUT_CORNER = [[0.0, 0.0], [20.0, 0.0], [20.0, 11.0], [14.0, 15.0], [0.0, 15.0]]


def polygon(vertices=CUT_CORNER, openings=(), width=20.0, height=15.0) -> dict:
    return {"dimensions": {"width": width, "height": height}, "walls": {}, "shape": "polygon",
            "polygon": {"vertices": [list(v) for v in vertices], "openings": list(openings)}}


def test_a_polygon_room_keeps_its_walls_openings_and_shoelace_area():
    door = {"wall": 2, "type": "door", "position": 1.0, "width": 3.0, "headHeight": 6.5}
    parsed = parse_analysis(polygon(openings=[door]))
    assert parsed.area == 288.0 and parsed.rectangles() == () and parsed.wall_segments() == ()
    slanted = parsed.polygon_walls()[2]
    assert slanted.length == pytest.approx(52**0.5) and slanted.openings[0].extra == {"headHeight": 6.5}
    assert parse_analysis(parsed.to_dict()) == parsed  # stored and read back unchanged


@pytest.mark.parametrize(("data", "message"), [
    (polygon([[0, 0], [20, 15], [20, 0], [0, 15]]), "cross each other"),
    (polygon(CUT_CORNER[::-1]), "clockwise"),
    (polygon([*CUT_CORNER[:2], CUT_CORNER[1], *CUT_CORNER[2:]]), "Wall 1 of the polygon has no length"),
    (polygon(width=25.0), "must span"),
    (polygon(openings=[{"wall": 2, "type": "door", "position": 6.0, "width": 3.0}]), "Wall 2 of the polygon"),
    (polygon(openings=[{"wall": 9, "type": "door", "position": 0.0, "width": 3.0}]), "has no wall 9"),
    ({**polygon(), "walls": {"north": [{"type": "door", "position": 1, "width": 3}]}}, "polygon.openings"),
])
def test_impossible_polygon_rooms_are_refused(data, message):
    with pytest.raises(GeometryError, match=message):
        parse_analysis(data)


def test_a_polygon_room_merges_by_its_box_and_its_shared_wall_is_left_unmerged():
    plan = Plan((geometry.make_room("a", analysis(), label="Kitchen"),))
    result = merge(plan, geometry.make_room("b", polygon(), label="Bay"), "a", "east")
    assert result.plan.room("b").position() == {"x": 12.0, "y": 0.0}
    assert (result.shared_wall.reconciled, result.reconciled_length, result.aligned_on) == (False, None, "edges")
    assert any("not reconciled" in change for change in result.changes)
    assert result.overlaps == ()
    # Moved onto the kitchen, the floor both claim is measured on the polygon.
    crowded = result.plan.with_room(result.plan.room("b").at(2.0, 0.0))
    (overlap,) = geometry.find_overlaps(crowded)
    assert overlap.area == pytest.approx(10 * 14)


def test_a_polygon_room_stretches_with_its_box_and_keeps_its_doors_wide():
    door = {"wall": 0, "type": "door", "position": 4.0, "width": 3.0}
    stretched = parse_analysis(polygon(openings=[door])).stretched(30.0, 15.0)
    assert stretched.vertices[1:3] == ((30.0, 0.0), (30.0, 11.0)) and stretched.area == pytest.approx(288 * 1.5)
    (kept,) = stretched.polygon_walls()[0].openings
    assert (kept.centre, kept.width) == (pytest.approx(5.5 * 1.5), 3.0)
    with pytest.raises(GeometryError):
        parse_analysis(polygon(openings=[{**door, "position": 0.0}])).stretched(4.0, 15.0)


def test_a_polygon_room_is_calibrated_with_its_vertices_and_doors():
    door = {"wall": 2, "type": "door", "position": 1.0, "width": 3.0}
    plan = Plan((geometry.make_room("b", polygon(openings=[door]), label="Bay"),))
    result = calibrate(plan, {"width": 25.0, "height": 18.0})
    factor, scaled = result.scale_factor, result.plan.room("b").analysis
    assert factor > 1.05
    assert scaled.area == pytest.approx(288 * factor**2)
    assert scaled.vertices[2] == (pytest.approx(20 * factor), pytest.approx(11 * factor))
    assert scaled.polygon_walls()[2].openings[0].width == pytest.approx(3 * factor)


def test_a_polygon_rooms_outer_corners_are_mitred_and_sharp_ones_cut_back():
    square = parse_analysis(polygon([[0, 0], [10, 0], [10, 10], [0, 10]], width=10, height=10)).polygon_walls()
    assert outer_corners(square, 0.5) == [(-0.5, -0.5), (10.5, -0.5), (10.5, 10.5), (-0.5, 10.5)]
    sliver = parse_analysis(polygon([[0, 0], [40, 4], [0, 5]], width=40, height=5)).polygon_walls()
    tip = outer_corners(sliver, 0.5)[1]
    assert math.dist(tip, (40, 4)) == pytest.approx(MITRE_LIMIT * 0.5)  # not the 7 ft an 8° corner would reach
