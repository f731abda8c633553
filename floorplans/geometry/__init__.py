"""Room geometry for floor plans (seeds/004): analyses, outlines, merging, calibration.

Plain values, no database and no HTTP; one topic per module:

* ``measures``: units, wall thicknesses, ``GeometryError`` and the value checks;
* ``rooms``: one room's openings, notch and walls (``RoomAnalysis``);
* ``parsing``: the document's ``analysis`` object in and out, and what changed;
* ``plan``: rooms placed on a ``Plan``, shared walls and overlaps;
* ``merging``: placing a room against a neighbour;
* ``calibration``: scaling the plan to the house footprint.

This package re-exports their public names, so callers write
``geometry.merge(...)``; the modules import each other directly, never this
package, so there is no cycle.

Every floor plan module that takes plan data follows these conventions:

* Units are feet. Room dimensions are INTERIOR (wall face to wall face), as
  the agent or the vision model measures them.
* ``analysis`` is the document's room object. ``dimensions.width`` is the
  room's east-west extent, ``dimensions.height`` its north-south extent.
* Opening positions: on the north and south walls ``position`` is the
  distance from the wall's WEST end to the opening's west edge; on the east
  and west walls, from the wall's NORTH end to the opening's north edge. A
  wall's end is where that wall stops, so on an L-shaped room the notch
  shortens the walls it touches and their positions start at the notch.
* L-shapes: ``"shape": "L-shape"`` plus an optional
  ``"notch": {"corner": "NE", "width": 4.0, "depth": 5.0}``, the rectangle
  cut out of that corner (``width`` east-west, ``depth`` north-south).
  Openings on the notch's two inner walls go in ``notch.walls``, keyed by the
  way those walls face (an NE notch has a north- and an east-facing one). An
  L-shape without a notch (the vision schema has none) is drawn as its
  bounding rectangle until someone enters the notch.
* Room-local coordinates: origin at the room's north-west bounding corner,
  x east, y SOUTH.
* Plan (API) coordinates: x east, y SOUTH, like the screen. A room's
  ``position`` is the north-west corner of its bounding box. The first room
  sits at (0, 0); rooms merged north or west of it get negative coordinates,
  and merging never moves rooms already placed. ``floorplans.layout``
  converts to the drawing's y-north.
* Rooms abut along shared lines (the document's second 12 ft room sits at
  x = 12.0). The layout draws interior walls (``INTERIOR_WALL_FT``) centred
  on those lines and exterior walls (``EXTERIOR_WALL_FT``) outside the rooms.
"""

from floorplans.geometry.calibration import (
    ANNOTATION_ALLOWANCE_FT,
    SCALE_LIMITS,
    Calibration,
    HouseBounds,
    calibrate,
    preferred_print_scale,
    scale_reference,
)
from floorplans.geometry.measures import (
    CONNECTION_TYPES,
    EXTERIOR_WALL_FT,
    INTERIOR_WALL_FT,
    MAX_FEET,
    NOTCH_CORNERS,
    OPENING_TYPES,
    OPPOSITE,
    SHAPES,
    WALLS,
    GeometryError,
    Point,
    Rect,
    round_half_up,
)
from floorplans.geometry.merging import RECONCILE_TOLERANCE_FT, MergeResult, merge
from floorplans.geometry.parsing import describe_changes, parse_analysis
from floorplans.geometry.plan import (
    OVERLAP_EPSILON_SQFT,
    Overlap,
    Plan,
    Room,
    SharedWall,
    find_overlaps,
    make_room,
    overlap_area,
)
from floorplans.geometry.rooms import Notch, Opening, RoomAnalysis, WallSegment, notch_rect, room_rectangles

__all__ = [
    "ANNOTATION_ALLOWANCE_FT", "CONNECTION_TYPES", "EXTERIOR_WALL_FT", "INTERIOR_WALL_FT", "MAX_FEET", "NOTCH_CORNERS",
    "OPENING_TYPES", "OPPOSITE", "OVERLAP_EPSILON_SQFT", "RECONCILE_TOLERANCE_FT", "SCALE_LIMITS", "SHAPES", "WALLS",
    "Calibration", "GeometryError", "HouseBounds", "MergeResult", "Notch", "Opening", "Overlap", "Plan", "Point",
    "Rect", "Room", "RoomAnalysis", "SharedWall", "WallSegment", "calibrate", "describe_changes", "find_overlaps",
    "make_room", "merge", "notch_rect", "overlap_area", "parse_analysis", "preferred_print_scale", "room_rectangles",
    "round_half_up", "scale_reference",
]
