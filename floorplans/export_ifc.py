"""Export a placed plan as an IFC4 building model for BIM tools, with IfcOpenShell.

One IfcProject / IfcSite / IfcBuilding / IfcBuildingStorey, in metres. Walls
follow the same rule as the drawing (``floorplans.geometry.walls``): a stretch
two rooms share is one interior IfcWall (``INTERIOR_WALL_FT``) centred on their
line; every other stretch is an exterior IfcWall (``EXTERIOR_WALL_FT``) outside
the room, lengthened by its thickness at the room's corners so corners close.
Each wall carries Qto_WallBaseQuantities (Length, Width, Height).

Doors (and closet doors) become IfcDoor, windows IfcWindow, each filling an
IfcOpeningElement that voids its wall; a plain opening is the void alone. The
plan records widths only, so heights are the usual US residential ones
(6'-8" door head, 3'-0" window sill), and a room's ceiling height is its
wall height (8'-0" when the analysis has none).

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
from floorplans.geometry.measures import EXTERIOR_WALL_FT
from floorplans.geometry.plan import Plan, Room
from floorplans.geometry.walls import EPS, PlacedWall, Shared, across, is_shared, placed_walls, shared_intervals

M_PER_FT = 0.3048
DEFAULT_CEILING_FT = 8.0
DOOR_HEAD_FT = 6 + 8 / 12
WINDOW_SILL_FT = 3.0
OPENING_MARGIN_FT = 0.1  # an opening's void is this much thicker than its wall, so it cuts cleanly


@dataclass(frozen=True, eq=False)  # hashed by identity: it keys the IfcWall made from it
class _Run:
    """A straight IfcWall: along one wall line from ``lo`` to ``hi`` (plan feet), centred on ``middle``."""

    wall: PlacedWall
    lo: float
    hi: float
    middle: float
    thickness: float
    height: float


def export_ifc(plan: Plan, rows: Sequence[AreaRow], *, name: str) -> bytes:
    """The plan as an IFC4 STEP file; ``rows`` are the ANSI area rows of ``plan.rooms``, in order."""
    model = _Model(name)
    walls = placed_walls(plan)
    shared = shared_intervals(walls)
    runs = _runs(walls, shared)
    for run in runs:
        model.wall(run)
    drawn: dict[tuple[bool, float], list[tuple[float, float]]] = {}
    for wall in walls:
        for opening in wall.segment.openings:
            lo, hi = wall.segment.along + opening.position, wall.segment.along + opening.end
            if any(min(hi, b) - max(lo, a) > EPS for a, b in drawn.get(wall.key, ())):
                continue  # both rooms recorded it
            drawn.setdefault(wall.key, []).append((lo, hi))
            run = next(r for r in runs if r.wall.key == wall.key and r.lo - EPS <= (lo + hi) / 2 <= r.hi + EPS
                       and math.isclose(r.middle, across(shared, wall, (lo + hi) / 2)[1], abs_tol=EPS))
            model.opening(run, opening.type, lo, hi)
    for room, row in zip(plan.rooms, rows, strict=True):
        model.space(room, row)
    return model.file.to_string().encode()


def _ceiling(room: Room) -> float:
    return room.analysis.ceiling_height or DEFAULT_CEILING_FT


def _runs(walls: list[PlacedWall], shared: Shared) -> list[_Run]:
    """Each wall segment split where sharing starts or stops; a shared stretch only once."""
    runs: list[_Run] = []
    for wall in walls:
        lo, hi = wall.interval
        cuts = sorted({lo, hi, *(v for a, b in shared.get(wall.key, ()) for v in (a, b) if lo < v < hi)})
        for a, b in itertools.pairwise(cuts):
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

    def _place(self, product: ifcopenshell.entity_instance, run: _Run, along: float, z_ft: float) -> None:
        """Local x along the wall (its ``lo`` to ``hi``), y across, z up; origin ``along`` feet from ``lo``."""
        horizontal = run.wall.segment.horizontal
        x_axis = np.array([1.0, 0.0, 0.0]) if horizontal else np.array([0.0, -1.0, 0.0])
        z_axis = np.array([0.0, 0.0, 1.0])
        at = run.lo + along
        plan_x, plan_y = (at, run.middle) if horizontal else (run.middle, at)
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

    def wall(self, run: _Run) -> None:
        wall = ifcopenshell.api.run("root.create_entity", self.file, ifc_class="IfcWall",
                                    name=f"{run.wall.room.name} {run.wall.segment.side} wall")
        ifcopenshell.api.run("spatial.assign_container", self.file, products=[wall], relating_structure=self.storey)
        self._place(wall, run, 0.0, 0.0)
        self._box(wall, length=run.hi - run.lo, height=run.height, thickness=run.thickness)
        self._quantities(wall, "Qto_WallBaseQuantities", {"Length": (run.hi - run.lo) * M_PER_FT,
                                                          "Width": run.thickness * M_PER_FT,
                                                          "Height": run.height * M_PER_FT})
        self.walls[run] = wall

    def opening(self, run: _Run, kind: str, lo: float, hi: float) -> None:
        """A void in ``run``'s wall from ``lo`` to ``hi`` along it, filled by a door or window."""
        sill = WINDOW_SILL_FT if kind == "window" else 0.0
        width, height = hi - lo, min(DOOR_HEAD_FT, run.height) - sill
        void = ifcopenshell.api.run("root.create_entity", self.file, ifc_class="IfcOpeningElement",
                                    name=f"{kind} opening")
        self._place(void, run, lo - run.lo, sill)
        self._box(void, length=width, height=height, thickness=run.thickness + OPENING_MARGIN_FT)
        ifcopenshell.api.run("feature.add_feature", self.file, feature=void, element=self.walls[run])
        if kind == "opening":
            return
        ifc_class = "IfcWindow" if kind == "window" else "IfcDoor"
        filler = ifcopenshell.api.run("root.create_entity", self.file, ifc_class=ifc_class,
                                      name=f"{run.wall.room.name} {kind}")
        filler.OverallWidth, filler.OverallHeight = width * M_PER_FT, height * M_PER_FT
        ifcopenshell.api.run("spatial.assign_container", self.file, products=[filler], relating_structure=self.storey)
        self._place(filler, run, lo - run.lo, sill)
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
