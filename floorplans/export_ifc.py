"""Export a placed plan as an IFC4 building model for BIM tools, with IfcOpenShell.

One IfcProject / IfcSite / IfcBuilding / IfcBuildingStorey, in metres. Walls
follow the same rule as the drawing (``floorplans.geometry.walls``): a stretch
two rooms share is one interior IfcWall (``INTERIOR_WALL_FT``) centred on their
line; every other stretch is an exterior IfcWall (``EXTERIOR_WALL_FT``) outside
the room, lengthened by its thickness at the room's corners so corners close.
Each wall carries Qto_WallBaseQuantities (Length, Width, Height).

A polygon room (a scan with walls off square) has one exterior IfcWall per
segment, along the segment's direction and outside the room, reaching to the
mitre where its outer face meets its neighbour's so corners close. A stretch
where it is one wall with another room's (``floorplans.geometry.walls.
shared_stretches``) is one interior IfcWall centred between the faces, carrying
both rooms' openings; the two rooms' own walls are split around it.

Doors (and closet doors) become IfcDoor, windows IfcWindow, each filling an
IfcOpeningElement that voids its wall; a plain opening is the void alone.
Sill and head heights are the opening's ``sillHeight``/``headHeight`` when it
has them (scanned rooms), else the usual US residential ones (6'-8" door
head, 3'-0" window sill); a room's ceiling height is its wall height (8'-0"
when the analysis has none).

Each room is an IfcSpace named by its label, its footprint extruded to its
ceiling, with Qto_SpaceBaseQuantities.NetFloorArea = its ANSI Z765 interior
area (``floorplans.areas``).
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ifcopenshell
import ifcopenshell.api
import numpy as np
from ifcopenshell.util.shape_builder import ShapeBuilder

from floorplans.areas import AreaRow
from floorplans.geometry.measures import EXTERIOR_WALL_FT, Point
from floorplans.geometry.plan import Plan, Room
from floorplans.geometry.rooms import Opening
from floorplans.geometry.walls import (
    EPS,
    Face,
    PlacedWall,
    Shared,
    SharedStretch,
    across,
    corner_reach,
    faces,
    free_intervals,
    is_shared,
    outer_corners,
    placed_walls,
    shared_intervals,
    shared_stretches,
    stretches_of,
)

M_PER_FT = 0.3048
DEFAULT_CEILING_FT = 8.0
DOOR_HEAD_FT = 6 + 8 / 12
WINDOW_SILL_FT = 3.0
OPENING_MARGIN_FT = 0.1  # an opening's void is this much thicker than its wall, so it cuts cleanly
_WallId = tuple[str, Point, Point]  # a rectangle wall: its room and ends


@dataclass(frozen=True, eq=False)  # hashed by identity: it keys the IfcWall made from it
class _Body:
    """A straight IfcWall: from ``origin`` (plan feet, on its centre line) along the unit ``direction``."""

    name: str
    origin: Point
    direction: Point
    length: float
    thickness: float
    height: float


@dataclass(frozen=True, eq=False)
class _Run:
    """A wall of a rectangle or L-shape: along one wall line from ``lo`` to ``hi`` (plan feet), centred on
    ``middle``."""

    wall: PlacedWall
    lo: float
    hi: float
    middle: float
    thickness: float
    height: float

    def body(self) -> _Body:
        horizontal = self.wall.segment.horizontal
        return _Body(f"{self.wall.room.name} {self.wall.segment.side} wall",
                     (self.lo, self.middle) if horizontal else (self.middle, self.lo),
                     (1.0, 0.0) if horizontal else (0.0, 1.0), self.hi - self.lo, self.thickness, self.height)


def export_ifc(plan: Plan, rows: Sequence[AreaRow], *, name: str) -> bytes:
    """The plan as an IFC4 STEP file; ``rows`` are the ANSI area rows of ``plan.rooms``, in order."""
    model = _Model(name)
    walls = placed_walls(plan)
    shared = shared_intervals(walls)
    stretches = shared_stretches(plan)
    taken = _taken_by_stretches(walls, [face for face in faces(plan) if not face.room.analysis.is_polygon],
                                stretches)
    runs = _runs(walls, shared, taken)
    bodies = {run: run.body() for run in runs}
    for body in bodies.values():
        model.wall(body)
    drawn: dict[tuple[bool, float], list[tuple[float, float]]] = {}
    for wall in walls:
        for opening in wall.segment.openings:
            lo, hi = wall.segment.along + opening.position, wall.segment.along + opening.end
            if any(min(hi, b) - max(lo, a) > EPS for a, b in drawn.get(wall.key, ())) or _inside(
                    taken.get(_wall_id(wall), ()), (lo + hi) / 2):
                continue  # both rooms recorded it, or it is on a wall shared with a polygon room
            drawn.setdefault(wall.key, []).append((lo, hi))
            run = next(r for r in runs if r.wall.key == wall.key and r.lo - EPS <= (lo + hi) / 2 <= r.hi + EPS
                       and math.isclose(r.middle, across(shared, wall, (lo + hi) / 2)[1], abs_tol=EPS))
            model.opening(bodies[run], opening, lo - run.lo)
    for room in plan.rooms:
        _polygon_walls(model, room, stretches)
    for stretch in stretches:
        _shared_wall(model, stretch)
    for room, row in zip(plan.rooms, rows, strict=True):
        model.space(room, row)
    return model.file.to_string().encode()


def _polygon_walls(model: "_Model", room: Room, stretches: list[SharedStretch]) -> None:
    """A polygon room's walls, each outside the room along its segment, reaching its outer mitre corners; a
    stretch shared with a neighbour (``stretches``) is left out, one wall of its own (``_shared_wall``)."""
    walls = room.polygon_walls()
    corners = outer_corners(walls, EXTERIOR_WALL_FT)
    for k, wall in enumerate(walls):
        face = Face(room, wall.index, wall.start, wall.end, wall.outward, wall.openings)
        pieces = free_intervals(wall.length, [(lo, hi) for _, lo, hi in stretches_of(stretches, face)])
        for s0, s1 in pieces:
            before = corner_reach(wall, corners[k], at_start=True) if s0 <= EPS else 0.0
            after = corner_reach(wall, corners[(k + 1) % len(walls)], at_start=False) if (
                s1 >= wall.length - EPS) else 0.0
            name = f"{room.name} wall {k + 1}" + (f" part {pieces.index((s0, s1)) + 1}" if len(pieces) > 1 else "")
            body = _Body(name, wall.point_at(s0 - before, EXTERIOR_WALL_FT / 2), wall.direction,
                         s1 - s0 + before + after, EXTERIOR_WALL_FT, _ceiling(room))
            model.wall(body)
            for opening in wall.openings:
                if s0 - EPS <= opening.centre <= s1 + EPS:
                    model.opening(body, opening, before + opening.position - s0)


def _shared_wall(model: "_Model", stretch: SharedStretch) -> None:
    """One interior IfcWall where two rooms' faces meet (one a polygon room's), centred between them, with both
    sides' openings; its ends as the drawing's (``SharedStretch.extent``)."""
    first, second = stretch.first, stretch.second
    lo, hi = stretch.extent()
    body = _Body(f"{first.room.name} / {second.room.name} wall",
                 first.point_at(lo, (stretch.gap_lo + stretch.gap_hi) / 4), first.direction, hi - lo,
                 stretch.thickness, max(_ceiling(first.room), _ceiling(second.room)))
    model.wall(body)
    for _, opening, ends in stretch.openings():
        model.opening(body, opening, min(ends) - lo)


def _taken_by_stretches(walls: list[PlacedWall], square_faces: list[Face],
                        stretches: list[SharedStretch]) -> dict[_WallId, list[tuple[float, float]]]:
    """Per rectangle wall, the stretches (on its axis) it shares with a polygon room."""
    taken: dict[_WallId, list[tuple[float, float]]] = {}
    for wall in walls:
        seg = wall.segment
        for face in square_faces:
            if (face.room.room_id, face.start, face.end) == _wall_id(wall):
                for _, lo, hi in stretches_of(stretches, face):
                    taken.setdefault(_wall_id(wall), []).append((seg.along + lo, seg.along + hi))
    return taken


def _wall_id(wall: PlacedWall) -> _WallId:
    """A rectangle wall by its room and ends (``PlacedWall`` holds a room's mappings, so it is not hashable)."""
    return wall.room.room_id, wall.segment.start, wall.segment.end


def _inside(intervals: Sequence[tuple[float, float]], at: float) -> bool:
    return any(lo - EPS <= at <= hi + EPS for lo, hi in intervals)


def _ceiling(room: Room) -> float:
    return room.analysis.ceiling_height or DEFAULT_CEILING_FT


def _runs(walls: list[PlacedWall], shared: Shared, taken: dict[_WallId, list[tuple[float, float]]]) -> list[_Run]:
    """Each wall segment split where sharing starts or stops; a shared stretch only once, and none that a
    polygon room's wall shares (``taken``: that is one wall of its own)."""
    runs: list[_Run] = []
    for wall in walls:
        lo, hi = wall.interval
        bounds = [*shared.get(wall.key, ()), *taken.get(_wall_id(wall), ())]
        cuts = sorted({lo, hi, *(v for a, b in bounds for v in (a, b) if lo < v < hi)})
        for a, b in itertools.pairwise(cuts):
            if _inside(taken.get(_wall_id(wall), ()), (a + b) / 2):
                continue
            face, middle, far = across(shared, wall, (a + b) / 2)
            if is_shared(shared, wall, (a + b) / 2):
                if any(r.wall.key == wall.key and abs(r.lo - a) < EPS and abs(r.hi - b) < EPS for r in runs):
                    continue  # the other room's side of the same partition
                height = max(_ceiling(w.room) for w in walls
                             if w.key == wall.key and w.interval[0] - EPS <= a and b <= w.interval[1] + EPS)
                runs.append(_Run(wall, a, b, middle, abs(far - face), height))
                continue
            # An exterior stretch reaching the segment's end turns the room's corner: lengthen it to close it.
            a -= EXTERIOR_WALL_FT if abs(a - lo) < EPS else 0.0
            b += EXTERIOR_WALL_FT if abs(b - hi) < EPS else 0.0
            runs.append(_Run(wall, a, b, middle, abs(far - face), _ceiling(wall.room)))
    return runs


def _sill_and_head(opening: Opening, wall_height: float) -> tuple[float, float]:
    """Feet above the floor: the opening's own ``sillHeight``/``headHeight`` when it has usable ones, else the
    usual ones; the head never above the wall."""
    sill = WINDOW_SILL_FT if opening.type == "window" else 0.0
    head = DOOR_HEAD_FT
    given_sill, given_head = opening.extra.get("sillHeight"), opening.extra.get("headHeight")
    if all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
           for v in (given_sill, given_head)) and 0 <= given_sill < given_head:
        sill, head = float(given_sill), float(given_head)
    head = min(head, wall_height)
    return (sill, head) if head > sill else (0.0, wall_height)


class _Model:
    """An IFC4 file with one storey; plan feet (y south) in, IFC metres (y north) out."""

    def __init__(self, name: str) -> None:
        run = ifcopenshell.api.run
        self.file = run("project.create_file", version="IFC4")
        project = run("root.create_entity", self.file, ifc_class="IfcProject", name=name or "Floor plan")
        run("unit.assign_unit", self.file, length={"is_metric": True, "raw": "METERS"},
            area={"is_metric": True, "raw": "SQUARE_METERS"}, volume={"is_metric": True, "raw": "CUBIC_METERS"})
        model = run("context.add_context", self.file, context_type="Model")
        self.body = run("context.add_context", self.file, context_type="Model", context_identifier="Body",
                        target_view="MODEL_VIEW", parent=model)
        site = run("root.create_entity", self.file, ifc_class="IfcSite", name="Site")
        building = run("root.create_entity", self.file, ifc_class="IfcBuilding", name=name or "Building")
        self.storey = run("root.create_entity", self.file, ifc_class="IfcBuildingStorey", name="Ground floor")
        run("aggregate.assign_object", self.file, products=[site], relating_object=project)
        run("aggregate.assign_object", self.file, products=[building], relating_object=site)
        run("aggregate.assign_object", self.file, products=[self.storey], relating_object=building)
        for product in (site, building, self.storey):
            run("geometry.edit_object_placement", self.file, product=product)
        self.builder = ShapeBuilder(self.file)
        self.walls: dict[_Run, ifcopenshell.entity_instance] = {}

    def _place(self, product: ifcopenshell.entity_instance, body: _Body, along: float, z_ft: float) -> None:
        """Local x along the wall, y across, z up; origin ``along`` feet from the body's origin."""
        (dx, dy), (ox, oy) = body.direction, body.origin
        x_axis = np.array([dx, -dy, 0.0])  # plan y grows south, IFC y north
        z_axis = np.array([0.0, 0.0, 1.0])
        plan_x, plan_y = ox + dx * along, oy + dy * along
        matrix = np.eye(4)
        matrix[:3, 0], matrix[:3, 1], matrix[:3, 2] = x_axis, np.cross(z_axis, x_axis), z_axis
        matrix[:3, 3] = (plan_x * M_PER_FT, -plan_y * M_PER_FT, z_ft * M_PER_FT)
        ifcopenshell.api.run("geometry.edit_object_placement", self.file, product=product, matrix=matrix)

    def _box(self, product: ifcopenshell.entity_instance, *, length: float, height: float, thickness: float) -> None:
        """A body of ``length`` x ``thickness`` x ``height`` feet centred across the local x axis."""
        representation = ifcopenshell.api.run(
            "geometry.add_wall_representation", self.file, context=self.body, length=length * M_PER_FT,
            height=height * M_PER_FT, thickness=thickness * M_PER_FT, offset=-thickness / 2 * M_PER_FT)
        ifcopenshell.api.run("geometry.assign_representation", self.file, product=product,
                             representation=representation)

    def wall(self, body: _Body) -> None:
        wall = ifcopenshell.api.run("root.create_entity", self.file, ifc_class="IfcWall", name=body.name)
        ifcopenshell.api.run("spatial.assign_container", self.file, products=[wall], relating_structure=self.storey)
        self._place(wall, body, 0.0, 0.0)
        self._box(wall, length=body.length, height=body.height, thickness=body.thickness)
        self._quantities(wall, "Qto_WallBaseQuantities", {"Length": body.length * M_PER_FT,
                                                          "Width": body.thickness * M_PER_FT,
                                                          "Height": body.height * M_PER_FT})
        self.walls[body] = wall

    def opening(self, body: _Body, opening: Opening, along: float) -> None:
        """A void in ``body``'s wall from ``along`` feet along it, ``opening.width`` wide, filled by a door or
        window."""
        kind = opening.type
        sill, head = _sill_and_head(opening, body.height)
        width, height = opening.width, head - sill
        void = ifcopenshell.api.run("root.create_entity", self.file, ifc_class="IfcOpeningElement",
                                    name=f"{kind} opening")
        self._place(void, body, along, sill)
        self._box(void, length=width, height=height, thickness=body.thickness + OPENING_MARGIN_FT)
        ifcopenshell.api.run("feature.add_feature", self.file, feature=void, element=self.walls[body])
        if kind == "opening":
            return
        ifc_class = "IfcWindow" if kind == "window" else "IfcDoor"
        filler = ifcopenshell.api.run("root.create_entity", self.file, ifc_class=ifc_class,
                                      name=f"{body.name.rsplit(' wall', 1)[0]} {kind}")
        filler.OverallWidth, filler.OverallHeight = width * M_PER_FT, height * M_PER_FT
        ifcopenshell.api.run("spatial.assign_container", self.file, products=[filler], relating_structure=self.storey)
        self._place(filler, body, along, sill)
        ifcopenshell.api.run("feature.add_filling", self.file, opening=void, element=filler)

    def space(self, room: Room, row: AreaRow) -> None:
        space = ifcopenshell.api.run("root.create_entity", self.file, ifc_class="IfcSpace", name=room.name)
        space.LongName = row.type
        ifcopenshell.api.run("aggregate.assign_object", self.file, products=[space], relating_object=self.storey)
        ifcopenshell.api.run("geometry.edit_object_placement", self.file, product=space)
        outline = [(x * M_PER_FT, -y * M_PER_FT) for x, y in room.outline()]
        profile = self.builder.profile(self.builder.polyline(outline, closed=True))
        solid = self.builder.extrude(profile, magnitude=_ceiling(room) * M_PER_FT)
        ifcopenshell.api.run("geometry.assign_representation", self.file, product=space,
                             representation=self.builder.get_representation(self.body, [solid]))
        self._quantities(space, "Qto_SpaceBaseQuantities", {"NetFloorArea": row.area * M_PER_FT**2,
                                                            "Height": _ceiling(room) * M_PER_FT})

    def _quantities(self, product: ifcopenshell.entity_instance, name: str, values: dict[str, float]) -> None:
        qto = ifcopenshell.api.run("pset.add_qto", self.file, product=product, name=name)
        ifcopenshell.api.run("pset.edit_qto", self.file, qto=qto, properties=values)
