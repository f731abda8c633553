"""Merging a room into the plan against a neighbour: placement, alignment, wall reconciliation.

Shared wall lengths are reconciled for rectangles and L-shapes only. A polygon
room (a scan with walls off square) has no north, east, south or west wall to
compare: it is placed by its bounding box against its neighbour, its edges
aligned, and the wall between the two is recorded as not reconciled (no
length is moved). Its walls are still one wall with a neighbour's wherever
they face each other within 2° and one wall apart
(``floorplans.geometry.walls.shared_stretches``): drawn and modelled once, as
an interior wall. Rooms of one scanned structure are placed by the scan, never
by ``merge``; ``touching_walls`` records their shared walls, polygon rooms'
included.
"""

from dataclasses import dataclass, replace
from typing import Any

from floorplans.geometry.measures import (
    CONNECTION_TYPES,
    EPS,
    OPPOSITE,
    WALLS,
    GeometryError,
    check_choice,
    round_half_up,
)
from floorplans.geometry.plan import Overlap, Plan, Room, SharedWall, find_overlaps
from floorplans.geometry.rooms import WallSegment
from floorplans.geometry.walls import Face, shared_stretches

# Two measurements of one wall this close are the same wall, measured twice.
RECONCILE_TOLERANCE_FT = 1.0


@dataclass(frozen=True)
class MergeResult:
    plan: Plan
    shared_wall: SharedWall
    overlaps: tuple[Overlap, ...]  # the new room against every other room; empty when it fits
    aligned_on: str  # "door" or "opening" when the connecting openings were lined up, else "edges"
    reconciled_length: float | None  # the shared wall's agreed length (mean of the two), when reconciled
    changes: tuple[str, ...]  # what was done, in sentences

    def to_dict(self) -> dict[str, Any]:
        """The document's merge response without ``mergedPlanSvg`` (the renderer adds it)."""
        return {"roomPositions": self.plan.room_positions(), "totalDimensions": self.plan.total_dimensions(),
                "sharedWalls": [wall.to_dict() for wall in self.plan.shared_walls]}


def merge(plan: Plan, new_room: Room, adjacent_room_id: str, direction: str, connection_type: str = "door", *,
          tolerance: float = RECONCILE_TOLERANCE_FT) -> MergeResult:
    """Place ``new_room`` on the ``direction`` side of the adjacent room and record their shared wall.

    The new room's own position is ignored; if it is already on the plan it is
    moved (its old shared walls dropped). Connecting doors (or openings) on the
    two facing walls are lined up centre to centre when both rooms have one,
    else the rooms' north edges (east/west merges) or west edges (north/south)
    line up. Wall lengths within ``tolerance`` feet are reconciled to their
    mean. Overlaps are reported, not refused: the caller decides.
    """
    direction = check_choice(direction, WALLS, "direction")
    connection_type = check_choice(connection_type, CONNECTION_TYPES, "connection type")
    if new_room.room_id == str(adjacent_room_id):
        raise GeometryError("A room cannot be merged against itself")
    base = plan.without_room(new_room.room_id)
    adjacent = base.room(adjacent_room_id)
    if adjacent.analysis.is_polygon or new_room.analysis.is_polygon:
        return _merge_unreconciled(base, new_room, adjacent, direction)
    facing, back = adjacent.analysis.wall(direction), new_room.analysis.wall(OPPOSITE[direction])
    vertical = direction in ("east", "west")

    x = {"east": adjacent.x + adjacent.width, "west": adjacent.x - new_room.width}.get(direction, adjacent.x)
    y = {"south": adjacent.y + adjacent.height, "north": adjacent.y - new_room.height}.get(direction, adjacent.y)
    wall_name = f"{direction}/{OPPOSITE[direction]}"
    changes = [f"Placed {new_room.name} {direction} of {adjacent.name}"]
    shift = _connection_shift(facing, back, connection_type)
    if shift is None:
        aligned_on = "edges"
        edge = "north" if vertical else "west"
        changes.append(f"Aligned the {edge} edges of {adjacent.name} and {new_room.name}"
                       + (f" (no {connection_type} on both facing walls)" if connection_type != "wall" else ""))
    else:
        aligned_on = connection_type
        if vertical:
            y += shift
        else:
            x += shift
        way = ("south" if shift > 0 else "north") if vertical else ("east" if shift > 0 else "west")
        moved = f", shifting {new_room.name} {way} by {abs(shift):.1f} ft" if abs(shift) >= 0.05 else ""
        changes.append(f"Lined up the {connection_type} centres on the {wall_name} wall{moved}")
    placed = new_room.at(x, y)

    discrepancy = round_half_up(abs(facing.length - back.length), 1)
    reconciled = discrepancy <= tolerance + EPS
    length = round_half_up((facing.length + back.length) / 2, 2) if reconciled else None
    if reconciled and discrepancy:
        changes.append(f"Reconciled the {wall_name} wall to {length:g} ft (measured {facing.length:g} ft and "
                       f"{back.length:g} ft)")
    elif not reconciled:
        changes.append(f"The {wall_name} wall lengths differ by {discrepancy:g} ft, more than {tolerance:g} ft; "
                       "not reconciled")
    shared = SharedWall((adjacent.room_id, placed.room_id), wall_name, reconciled, discrepancy)
    return _placed(base, placed, shared, changes, aligned_on=aligned_on, length=length)


def _merge_unreconciled(base: Plan, new_room: Room, adjacent: Room, direction: str) -> MergeResult:
    """A polygon room against a neighbour: bounding boxes side by side, edges aligned, the wall left unmerged."""
    x = {"east": adjacent.x + adjacent.width, "west": adjacent.x - new_room.width}.get(direction, adjacent.x)
    y = {"south": adjacent.y + adjacent.height, "north": adjacent.y - new_room.height}.get(direction, adjacent.y)
    placed = new_room.at(x, y)
    wall_name = f"{direction}/{OPPOSITE[direction]}"
    vertical = direction in ("east", "west")
    discrepancy = round_half_up(abs(adjacent.height - new_room.height if vertical
                                    else adjacent.width - new_room.width), 1)
    edge = "north" if vertical else "west"
    changes = [f"Placed {new_room.name} {direction} of {adjacent.name}",
               f"Aligned the {edge} edges of {adjacent.name} and {new_room.name}",
               f"The {wall_name} wall is not reconciled: a room with walls off square keeps its walls as measured "
               "(where they meet the neighbour's they are drawn as one wall)"]
    shared = SharedWall((adjacent.room_id, placed.room_id), wall_name, False, discrepancy)
    return _placed(base, placed, shared, changes, aligned_on="edges", length=None)


def _placed(base: Plan, placed: Room, shared: SharedWall, changes: list[str], *, aligned_on: str,
            length: float | None) -> MergeResult:
    """``base`` with ``placed`` and its shared wall added; the overlaps it makes are named in ``changes``."""
    merged = replace(base.with_room(placed), shared_walls=(*base.shared_walls, shared))
    overlaps = find_overlaps(merged, placed.room_id)
    for overlap in overlaps:
        other = merged.room(next(r for r in overlap.rooms if r != placed.room_id))
        changes.append(f"{placed.name} overlaps {other.name} by {overlap.area:g} sq ft")
    return MergeResult(merged, shared, overlaps, aligned_on, length, tuple(changes))


def _connection_shift(facing: WallSegment, back: WallSegment, connection_type: str) -> float | None:
    """How far to slide the new room along the wall so a pair of connecting openings line up.

    Both walls are measured from the rooms' aligned edges, so the shift is the
    difference of the centres; of several pairs, the smallest shift wins.
    """
    if connection_type == "wall":
        return None
    shifts = [(facing.along + a.centre) - (back.along + b.centre)
              for a in facing.openings if a.type == connection_type
              for b in back.openings if b.type == connection_type]
    return min(shifts, key=abs) if shifts else None



def touching_walls(plan: Plan, *, max_gap: float, tolerance: float = RECONCILE_TOLERANCE_FT) -> tuple[SharedWall, ...]:
    """The shared walls of rooms placed where they were measured, reconciled as ``merge`` does: a polygon
    room's walls where they are one wall with a neighbour's (``floorplans.geometry.walls.shared_stretches``,
    named ``wall k`` from 1, or a rectangle's side), then rectangles' and L-shapes' outer walls facing each
    other across at most ``max_gap`` feet (the wall between them) and overlapping along their length."""
    shared = []
    for stretch in shared_stretches(plan):
        first, second = stretch.first, stretch.second
        discrepancy = round_half_up(abs(first.length - second.length), 1)
        shared.append(SharedWall((first.room.room_id, second.room.room_id),
                                 f"{_face_name(first)}/{_face_name(second)}", discrepancy <= tolerance + EPS,
                                 discrepancy))
    square = [room for room in plan.rooms if not room.analysis.is_polygon]
    for first in square:
        for second in square:
            for side in ("east", "south"):
                a, b = first.analysis.wall(side), second.analysis.wall(OPPOSITE[side])
                horizontal = side == "south"
                across = (first.y, second.y) if horizontal else (first.x, second.x)
                shift = (first.x, second.x) if horizontal else (first.y, second.y)
                gap = (across[1] + b.line) - (across[0] + a.line)
                overlap = (min(shift[0] + a.along + a.length, shift[1] + b.along + b.length)
                           - max(shift[0] + a.along, shift[1] + b.along))
                if first is not second and -EPS <= gap <= max_gap + EPS and overlap > EPS:
                    discrepancy = round_half_up(abs(a.length - b.length), 1)
                    shared.append(SharedWall((first.room_id, second.room_id), f"{side}/{OPPOSITE[side]}",
                                             discrepancy <= tolerance + EPS, discrepancy))
    return tuple(shared)


def _face_name(face: Face) -> str:
    """A polygon room's wall by its number from 1 (as the IFC model names it), a rectangle's by its side."""
    if face.room.analysis.is_polygon:
        return f"wall {face.index + 1}"
    return face.room.analysis.wall_segments()[face.index].side
