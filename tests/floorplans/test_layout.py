"""Plans to drawings (floorplans/layout.py): walls, openings, labels, dimensions."""

import pytest

from floorplans.areas import AreaRoom, calculate_areas
from floorplans.drawing import DIMENSIONS, DOOR, GLAZING, NOTES, ROOM_NAMES, WALL, Arc, Line, Polygon, Text
from floorplans.geometry import EXTERIOR_WALL_FT, INTERIOR_WALL_FT, Plan, Room, merge, parse_analysis
from floorplans.layout import build_drawing, feet_inches, room_drawing

HALF = INTERIOR_WALL_FT / 2  # 0.1875


def analysis(width=12.0, height=14.0, **walls):
    return parse_analysis({"dimensions": {"width": width, "height": height}, "walls": walls})


def two_rooms() -> Plan:
    """The document's pair: Bedroom#1 with a north window and an east door, Bedroom#2 east of it."""
    first = Room("room_abc456", analysis(north=[{"type": "window", "position": 3.0, "width": 4.0}],
                                         east=[{"type": "door", "position": 5.0, "width": 2.67}]), "Bedroom#1")
    second = Room("room_xyz789", analysis(west=[{"type": "door", "position": 5.0, "width": 2.67}]), "Bedroom#2")
    return merge(Plan((first,)), second, "room_abc456", "east", "door").plan


def box(polygon):
    xs, ys = [p[0] for p in polygon.points], [p[1] for p in polygon.points]
    return min(xs), min(ys), max(xs), max(ys)


def area(polygon):
    x0, y0, x1, y1 = box(polygon)
    return (x1 - x0) * (y1 - y0)


def wall_at(drawing, x, y):
    return any(x0 < x < x1 and y0 < y < y1 for x0, y0, x1, y1 in map(box, drawing.on(WALL)))


@pytest.mark.parametrize(
    ("feet", "text"),
    [(12.5, "12'-6\""), (12.0, "12'-0\""), (2.67, "2'-8\""), (0.5, "0'-6\""), (11.99, "12'-0\""),
     (25.0, "25'-0\""), (-1.5, "-1'-6\""), (0.0, "0'-0\"")],
)
def test_feet_inches_writes_feet_and_the_nearest_inch(feet, text):
    assert feet_inches(feet) == text


def test_walls_are_rectangles_that_run_past_both_rooms_to_the_exterior_faces():
    drawing = build_drawing(two_rooms())

    assert all(isinstance(item, Polygon) and item.filled and len(item.points) == 4 for item in drawing.on(WALL))
    # The south wall has no opening: one run from the west face to the east face, 6" thick, below y = -14.
    assert (-0.5, -14.5, 24.5, -14.0) in [box(p) for p in drawing.on(WALL)]
    assert drawing.bounds == (-0.5, -14.5, 24.5, 0.5)


def test_walls_do_not_overlap_and_leave_gaps_for_the_window_and_the_door():
    drawing = build_drawing(two_rooms())

    ring = 25 * 15 - 24 * 14 - 4 * EXTERIOR_WALL_FT  # exterior walls less the window gap
    partition = (14 - 2.67) * INTERIOR_WALL_FT  # less the door gap
    assert sum(area(p) for p in drawing.on(WALL)) == pytest.approx(ring + partition)
    assert not wall_at(drawing, 5.0, 0.25)  # the window
    assert not wall_at(drawing, 12.0, -6.0)  # the door
    assert wall_at(drawing, 12.0, -3.0)  # the partition, centred on x = 12
    assert wall_at(drawing, 12.0 - HALF + 0.01, -10.0) and not wall_at(drawing, 12.0 - HALF - 0.01, -10.0)


def test_the_door_swings_into_the_room_that_recorded_it_and_is_drawn_once():
    drawing = build_drawing(two_rooms())

    arcs = [item for item in drawing.on(DOOR) if isinstance(item, Arc)]
    assert arcs == [Arc(DOOR, (12.0 - HALF, -5.0), 2.67, 180.0, 270.0)]
    assert Line(DOOR, (12.0 - HALF, -5.0), (12.0 - HALF - 2.67, -5.0)) in drawing.on(DOOR)


def test_the_window_is_three_lines_across_the_wall():
    drawing = build_drawing(two_rooms())

    assert drawing.on(GLAZING) == [Line(GLAZING, (3.0, y), (7.0, y)) for y in (0.0, 0.25, 0.5)]


def test_a_door_on_an_exterior_wall_hinges_at_the_inside_face():
    room = analysis(10, 10, south=[{"type": "door", "position": 2.0, "width": 3.0}],
                    west=[{"type": "door", "position": 1.0, "width": 2.5, "hinge": "end"}])

    arcs = [item for item in room_drawing(room, "Hall").on(DOOR) if isinstance(item, Arc)]

    # South door: hinge at its west jamb (2, -10), leaf north, closed towards the east.
    # West door: hinge at its south jamb (0, -3.5), leaf east, closed towards the north.
    assert arcs == [Arc(DOOR, (2.0, -10.0), 3.0, 0.0, 90.0), Arc(DOOR, (0.0, -3.5), 2.5, 0.0, 90.0)]


def test_a_closet_gets_a_line_across_its_opening():
    room = analysis(10, 10, north=[{"type": "closet", "position": 1.0, "width": 6.0},
                                   {"type": "opening", "position": 8.0, "width": 2.0}])

    drawing = room_drawing(room, "Bedroom")

    assert drawing.on(DOOR) == [Line(DOOR, (1.0, 0.25), (7.0, 0.25))]
    assert not wall_at(drawing, 9.0, 0.25)  # the plain opening is a gap and nothing else


def test_room_names_sizes_and_areas_are_at_the_room_centres():
    drawing = build_drawing(two_rooms())

    texts = [(t.position, t.text) for t in drawing.on(ROOM_NAMES)]
    assert ((6.0, -7.0), "Bedroom#1") in texts
    assert ((18.0, -7.0), "Bedroom#2") in texts
    assert ((18.0, -7.8), "12'-0\" x 14'-0\"") in texts
    assert ((18.0, -8.6), "168 sq ft") in texts


def test_dimension_strings_chain_the_rooms_and_give_the_overall_to_the_exterior_faces():
    drawing = build_drawing(two_rooms())

    dims = [(d.start, d.end, d.offset, d.text) for d in drawing.on(DIMENSIONS)]
    assert dims == [
        ((0.0, 0.5), (12.0, 0.5), 2.0, "12'-0\""),
        ((12.0, 0.5), (24.0, 0.5), 2.0, "12'-0\""),
        ((-0.5, 0.5), (24.5, 0.5), 3.5, "25'-0\""),  # 24'-0" of rooms and two 6" walls
        ((-0.5, -14.0), (-0.5, 0.0), 2.0, "14'-0\""),
        ((-0.5, -14.5), (-0.5, 0.5), 3.5, "15'-0\""),
    ]


def test_an_l_shaped_room_has_walls_around_its_notch():
    room = parse_analysis({"dimensions": {"width": 12, "height": 10}, "shape": "L-shape",
                           "notch": {"corner": "NE", "width": 4, "depth": 3}})

    drawing = room_drawing(room, "Living")

    # The outline grown by 0.5 ft (13 x 8 + 9 x 4, overlapping 9 x 1) less the room's 108 sq ft.
    assert sum(area(p) for p in drawing.on(WALL)) == pytest.approx(131 - 108)
    assert wall_at(drawing, 8.25, -1.0) and wall_at(drawing, 10.0, -2.75)
    assert not wall_at(drawing, 10.0, -1.0)  # inside the notch, outdoors
    assert drawing.on(ROOM_NAMES)[0].position == (6.0, -6.5)  # centre of the full-width band


def test_rooms_west_of_the_first_are_drawn_at_negative_x():
    plan = merge(Plan((Room("a", analysis(), "A"),)), Room("b", analysis(10, 14), "B"), "a", "west", "wall").plan

    drawing = build_drawing(plan)

    assert drawing.bounds == (-10.5, -14.5, 12.5, 0.5)
    assert [d.text for d in drawing.on(DIMENSIONS)][:3] == ["10'-0\"", "12'-0\"", "23'-0\""]


def test_title_north_angle_and_area_notes_reach_the_sheet():
    plan = two_rooms()
    areas = calculate_areas([AreaRoom.from_room(room, type="bedroom") for room in plan.rooms])

    drawing = build_drawing(plan, title="123 Main St", subtitle="Main floor", north_angle=12.0, areas=areas)

    assert (drawing.title, drawing.subtitle, drawing.north_angle) == ("123 Main St", "Main floor", 12.0)
    assert drawing.notes[0] == "Gross living area: 375 sq ft (finished, above grade, exterior)"
    assert drawing.notes == areas.plan_notes()
    assert drawing.disclaimer == "Plan is approximate, verify actual conditions before use"
    assert drawing.on(NOTES) == []  # the sheet prints notes and disclaimer once, from the fields above
    assert not any(isinstance(item, Text) and "sofa" in item.text.lower() for item in drawing.items)


def test_an_empty_plan_draws_nothing():
    drawing = build_drawing(Plan(), title="Nothing yet")

    assert (drawing.items, drawing.title) == ([], "Nothing yet")


def test_a_room_drawing_accepts_the_analysis_as_stored():
    drawing = room_drawing({"dimensions": {"width": 10, "height": 11}, "walls": {}}, "Office#1")

    assert drawing.title == "Office#1"
    assert [d.text for d in drawing.on(DIMENSIONS)] == ["10'-0\"", "11'-0\"", "11'-0\"", "12'-0\""]
