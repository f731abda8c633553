"""From stored rows to geometry to drawings: the merged plan, the final plan, their SVGs.

``geometry``, ``areas`` and ``layout`` work on plain values; this module reads
a session's rooms into them, runs merge, revision moves and calibration, and
renders the results. It writes nothing: ``floorplans.services`` stores what it
returns.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from config.errors import ValidationFailed
from floorplans import areas, layout
from floorplans.drawing import Drawing
from floorplans.errors import AnalysisFailed
from floorplans.geometry.calibration import Calibration, calibrate
from floorplans.geometry.measures import GeometryError
from floorplans.geometry.merging import MergeResult, merge, touching_walls
from floorplans.geometry.parsing import parse_analysis
from floorplans.geometry.plan import Plan, SharedWall, make_room
from floorplans.models import FloorplanSession, Room
from floorplans.render_svg import render_svg

# A scan measures rooms to their wall faces: two rooms either side of one wall are its thickness apart
# (a 2x6 wall with drywall is 0.55 ft); a foot also takes the scan's few centimetres of error.
SCANNED_WALL_GAP_FT = 1.0


@dataclass(frozen=True)
class Move:
    """Shift a placed room: ``dx`` feet east, ``dy`` feet south."""

    room_id: str
    dx: float
    dy: float


@dataclass(frozen=True)
class Resize:
    """New interior size of a room: ``width`` east-west, ``height`` north-south, in feet."""

    room_id: str
    width: float
    height: float


def room_svg(room: Room) -> str:
    """The review drawing of one analysed room ("" before its analysis)."""
    return render_svg(layout.room_drawing(room.analysis, room.label)) if room.analysis else ""


def placed_plan(session: FloorplanSession) -> Plan:
    """The rooms merged so far, at their stored positions, with their shared walls."""
    rows = {str(room.pk): room for room in session.rooms.all()}
    placed = [make_room(room_id, rows[room_id].analysis, label=rows[room_id].label, position=position)
              for room_id, position in sorted(session.room_positions.items(),
                                              key=lambda item: rows[item[0]].index if item[0] in rows else 0)
              if room_id in rows and rows[room_id].analysis]
    walls = tuple(SharedWall.from_dict(wall) for wall in session.shared_walls)
    return Plan(tuple(placed), walls)


def area_report(session: FloorplanSession, plan: Plan) -> areas.AreaReport:
    """ANSI Z765 areas of the rooms on ``plan``, with each row's type, finish and grade."""
    rows = {str(room.pk): room for room in session.rooms.all()}
    return areas.calculate_areas([
        areas.AreaRoom.from_room(room, type=rows[room.room_id].type, finished=rows[room.room_id].finished,
                                 grade=rows[room.room_id].grade) for room in plan.rooms
    ])


def drawing_of(session: FloorplanSession, plan: Plan) -> Drawing:
    """The vector drawing of ``plan`` with the session's title and area notes."""
    return layout.build_drawing(plan, title=session.address, subtitle="Floor plan",
                                areas=area_report(session, plan) if plan.rooms else None)


def plan_svg(session: FloorplanSession, plan: Plan) -> str:
    return render_svg(drawing_of(session, plan))


def merged(session: FloorplanSession, new_room: Room, adjacent: Room, *, direction: str,
           connection_type: str) -> MergeResult:
    """The plan with ``new_room`` placed against ``adjacent``; ``ValidationFailed`` says why it cannot be."""
    for room in (new_room, adjacent):
        require_analysis(room)
    plan = placed_plan(session)
    if not plan.rooms:  # the first merge places the adjacent room at the origin
        plan = Plan((make_room(str(adjacent.pk), adjacent.analysis, label=adjacent.label),))
    elif str(adjacent.pk) not in session.room_positions:
        raise ValidationFailed(f"{adjacent.label} is not on the plan yet; merge it first.")
    try:
        return merge(plan, make_room(str(new_room.pk), new_room.analysis, label=new_room.label), str(adjacent.pk),
                     direction, connection_type)
    except GeometryError as exc:
        raise ValidationFailed(str(exc)) from None


def scanned(rooms: Iterable[tuple[Room, dict[str, float]]]) -> Plan:
    """Rooms of one scanned structure at the positions the scan measured (no merge guess), with their shared
    walls: facing walls at most ``SCANNED_WALL_GAP_FT`` apart."""
    plan = Plan(tuple(make_room(str(room.pk), room.analysis, label=room.label, position=position)
                      for room, position in rooms))
    return replace(plan, shared_walls=touching_walls(plan, max_gap=SCANNED_WALL_GAP_FT))


def moved(session: FloorplanSession, moves: Iterable[Move]) -> Plan:
    """The merged plan with the model's moves applied; ``AnalysisFailed`` for a room not on the plan."""
    plan = placed_plan(session)
    placed = {room.room_id for room in plan.rooms}
    for move in moves:
        if move.room_id not in placed:
            raise AnalysisFailed(f"The revision moved a room that is not on the plan ({move.room_id}).")
        room = plan.room(move.room_id)
        plan = plan.with_room(room.at(room.x + move.dx, room.y + move.dy))
    return plan


def resized(session: FloorplanSession, resizes: Iterable[Resize]) -> list[tuple[Room, dict[str, Any]]]:
    """Each room the model resized with its new analysis; ``AnalysisFailed`` for a room without one."""
    rows = {str(room.pk): room for room in session.rooms.all()}
    changed = []
    for resize in resizes:
        room = rows.get(resize.room_id)
        if room is None or not room.analysis:
            raise AnalysisFailed(f"The revision resized a room that is not on the plan ({resize.room_id}).")
        dimensions = {**room.analysis["dimensions"], "width": resize.width, "height": resize.height}
        if room.analysis.get("shape") == "polygon":  # its vertices span the box: they stretch with it
            try:
                stretched = parse_analysis(room.analysis).stretched(resize.width, resize.height)
            except GeometryError as exc:
                raise AnalysisFailed(f"The revised size of {room.label} does not add up: {exc}") from None
            changed.append((room, stretched.to_dict()))
            continue
        changed.append((room, {**room.analysis, "dimensions": dimensions}))
    return changed


def calibrated(session: FloorplanSession) -> Calibration:
    """The merged plan scaled to the house footprint; ``ValidationFailed`` without rooms, footprint or sense."""
    plan = placed_plan(session)
    if not plan.rooms:
        raise ValidationFailed("Merge at least one room before finalizing.")
    if not session.house_bounds:
        raise ValidationFailed("The house footprint is missing: run the satellite lookup or enter it "
                               "(PUT /sessions/{id}/house-bounds).")
    try:
        return calibrate(plan, session.house_bounds)
    except GeometryError as exc:
        raise ValidationFailed(str(exc)) from None


def final_plan(session: FloorplanSession) -> Plan:
    """The plan exports draw: calibrated when finalized, else as merged."""
    plan = placed_plan(session)
    if session.is_finalized and session.calibration:
        plan = plan.scaled(session.calibration["scaleFactor"])
    return plan


def room_summaries(session: FloorplanSession) -> list[dict[str, Any]]:
    """The analysed rooms as the language model reads them: id, label, position and size in feet."""
    return [{"roomId": str(room.pk), "label": room.label, "position": room.position,
             "width": room.analysis["dimensions"]["width"], "height": room.analysis["dimensions"]["height"]}
            for room in session.rooms.all() if room.analysis]


def require_analysis(room: Room) -> None:
    if not room.analysis:
        raise ValidationFailed(f"{room.label} has no analysis yet; analyse it or enter its measurements.")
