"""A hand-built ``Drawing`` with known geometry for the export tests.

Two rooms 14 ft (east-west) by 12 ft (north-south) side by side, measured to
the outside faces of 6" exterior walls, split by a 4 1/2" partition:

    y=12 +------[window]------------+-------------------------+
         |                          |                         |
         |   LIVING ROOM            )  BEDROOM                |
         |                          |                         |
    y=0  +--------------------------+--------[door]-----------+
         x=0                       x=14                      x=28

The WEST wall is the one to measure: a solid 6" x 12'-0" poché with no
opening in it, so on paper it is the only thick vertical run 12 ft long apart
from the east wall (same length).
"""

from floorplans.drawing import (
    DIMENSIONS,
    DOOR,
    GLAZING,
    NOTES,
    ROOM_NAMES,
    WALL,
    Arc,
    Dimension,
    Drawing,
    Line,
    Polygon,
    Text,
)

EXTERIOR = 0.5
PARTITION_WEST, PARTITION_EAST = 13.8125, 14.1875
WIDTH, DEPTH = 28.0, 12.0

MEASURED_WALL_FT = 12.0
WEST_WALL = ((0.0, 0.0), (0.5, 0.0), (0.5, 12.0), (0.0, 12.0))

ROOM_LABELS = ("LIVING ROOM", "13'-3\" x 11'-0\"", "BEDROOM", "13'-3\" x 11'-0\"")
DIMENSION_TEXTS = ("14'-0\"", "14'-0\"", "28'-0\"", "12'-0\"")
TITLE = "Floor Plan"
SUBTITLE = "Main floor <ground> & entry"  # markup characters on purpose: they must be escaped
NOTE = "Dimensions are to the outside face of exterior walls."


def _rect(x0: float, y0: float, x1: float, y1: float) -> tuple[tuple[float, float], ...]:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def sample_drawing(*, north_angle: float = 20.0) -> Drawing:
    """The two-room plan described in the module docstring."""
    drawing = Drawing(title=TITLE, subtitle=SUBTITLE, north_angle=north_angle, notes=[NOTE])
    walls = [
        WEST_WALL,
        _rect(27.5, 0.0, 28.0, 12.0),  # east
        _rect(0.5, 0.0, 20.0, 0.5),  # south, up to the entry door
        _rect(23.0, 0.0, 27.5, 0.5),  # south, past the entry door
        _rect(0.5, 11.5, 5.0, 12.0),  # north, up to the window
        _rect(9.0, 11.5, 27.5, 12.0),  # north, past the window
        _rect(PARTITION_WEST, 0.5, PARTITION_EAST, 2.0),  # partition, below the door
        _rect(PARTITION_WEST, 4.5, PARTITION_EAST, 11.5),  # partition, above the door
    ]
    for points in walls:
        drawing.add(Polygon(WALL, points))

    # Entry door: 3'-0" leaf hinged on the west jamb, open 90° into the bedroom.
    drawing.add(Line(DOOR, (20.0, 0.5), (20.0, 3.5)))
    drawing.add(Arc(DOOR, (20.0, 0.5), 3.0, 0.0, 90.0))
    # Interior door: 2'-6" leaf in the partition, swinging east into the bedroom.
    drawing.add(Line(DOOR, (PARTITION_EAST, 2.0), (PARTITION_EAST + 2.5, 2.0)))
    drawing.add(Arc(DOOR, (PARTITION_EAST, 2.0), 2.5, 0.0, 90.0))

    # 4'-0" window in the living room's north wall: both wall faces and the glass.
    for y in (11.5, 11.75, 12.0):
        drawing.add(Line(GLAZING, (5.0, y), (9.0, y)))

    drawing.add(Text(ROOM_NAMES, (7.0, 6.4), ROOM_LABELS[0], 0.5))
    drawing.add(Text(ROOM_NAMES, (7.0, 5.5), ROOM_LABELS[1], 0.35))
    drawing.add(Text(ROOM_NAMES, (21.0, 6.4), ROOM_LABELS[2], 0.5))
    drawing.add(Text(ROOM_NAMES, (21.0, 5.5), ROOM_LABELS[3], 0.35))

    # Exterior dimensions only: a room string and the overall below, the depth on the west.
    drawing.add(Dimension(DIMENSIONS, (0.0, 0.0), (14.0, 0.0), -2.0, DIMENSION_TEXTS[0]))
    drawing.add(Dimension(DIMENSIONS, (14.0, 0.0), (28.0, 0.0), -2.0, DIMENSION_TEXTS[1]))
    drawing.add(Dimension(DIMENSIONS, (0.0, 0.0), (28.0, 0.0), -3.5, DIMENSION_TEXTS[2]))
    drawing.add(Dimension(DIMENSIONS, (0.0, 0.0), (0.0, 12.0), 2.5, DIMENSION_TEXTS[3]))
    return drawing


def oversized_drawing() -> Drawing:
    """A 120 x 80 ft outline: too big for letter at 1/4" (and even tabloid at 1/8")."""
    drawing = Drawing(title="Warehouse")
    drawing.add(Polygon(WALL, _rect(0.0, 0.0, 120.0, 80.0), filled=False))
    drawing.add(Text(NOTES, (60.0, 40.0), "OPEN FLOOR", 1.0))
    return drawing
