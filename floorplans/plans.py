"""From stored rows to geometry and back: the merged plan, the final plan, the drawings.

``geometry``, ``areas`` and ``layout`` work on plain values; this module loads
a session's rooms into them, runs merge and calibration, and keeps the
session's JSON (positions, shared walls, calibration) and SVGs up to date.
"""

from config.ai import registry
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from config.ai.llm.base import LLMRequest, Message
from config.errors import ValidationFailed
from floorplans import areas, geometry, layout
from floorplans.choices import AnalysisSource
from floorplans.errors import AnalysisFailed, RoomNotFound
from floorplans.models import FloorplanSession, Room
from floorplans.render_svg import render_svg


def room_svg(room: Room) -> str:
    """The review drawing of one analysed room."""
    return render_svg(layout.room_drawing(room.analysis, room.label)) if room.analysis else ""


def placed_plan(session: FloorplanSession) -> geometry.Plan:
    """The rooms merged so far, at their stored positions, with their shared walls."""
    rows = {str(room.pk): room for room in session.rooms.all()}
    placed = [geometry.make_room(room_id, rows[room_id].analysis, label=rows[room_id].label, position=position)
              for room_id, position in sorted(session.room_positions.items(),
                                              key=lambda item: rows[item[0]].index if item[0] in rows else 0)
              if room_id in rows and rows[room_id].analysis]
    walls = tuple(geometry.SharedWall.from_dict(wall) for wall in session.shared_walls)
    return geometry.Plan(tuple(placed), walls)


def area_report(session: FloorplanSession, plan: geometry.Plan) -> areas.AreaReport:
    rows = {str(room.pk): room for room in session.rooms.all()}
    return areas.calculate_areas([
        areas.AreaRoom.from_room(room, type=rows[room.room_id].type, finished=rows[room.room_id].finished,
                                 grade=rows[room.room_id].grade) for room in plan.rooms
    ])


def drawing_of(session: FloorplanSession, plan: geometry.Plan):
    """The vector drawing of ``plan`` with the session's title and area notes."""
    return layout.build_drawing(plan, title=session.address, subtitle="Floor plan",
                                areas=area_report(session, plan) if plan.rooms else None)


def _analysed_room(session: FloorplanSession, room_id) -> Room:
    room = session.rooms.filter(pk=room_id).first()
    if room is None:
        raise RoomNotFound(f"Room {room_id} not found in session {session.pk}.")
    if not room.analysis:
        raise ValidationFailed(f"{room.label} has no analysis yet; analyse it or enter its measurements.")
    return room


def merge(session: FloorplanSession, *, new_room_id, adjacent_room_id, direction: str, connection_type: str) -> dict:
    """Place the new room against the adjacent one; update positions, shared walls and the merged SVG."""
    new_room = _analysed_room(session, new_room_id)
    adjacent = _analysed_room(session, adjacent_room_id)
    plan = placed_plan(session)
    if not plan.rooms:  # the first merge places the adjacent room at the origin
        plan = geometry.Plan((geometry.make_room(str(adjacent.pk), adjacent.analysis, label=adjacent.label),))
    elif str(adjacent.pk) not in session.room_positions:
        raise ValidationFailed(f"{adjacent.label} is not on the plan yet; merge it first.")
    try:
        result = geometry.merge(plan, geometry.make_room(str(new_room.pk), new_room.analysis, label=new_room.label),
                                str(adjacent.pk), direction, connection_type)
    except geometry.GeometryError as exc:
        raise ValidationFailed(str(exc)) from None
    _store_plan(session, result.plan)
    body = result.to_dict()
    return {"mergedPlanSvg": session.merged_plan_svg, **body,
            "overlaps": [overlap.to_dict() for overlap in result.overlaps], "changesApplied": list(result.changes)}


def _store_plan(session: FloorplanSession, plan: geometry.Plan) -> None:
    session.room_positions = plan.room_positions()
    session.shared_walls = [wall.to_dict() for wall in plan.shared_walls]
    session.merged_plan_svg = render_svg(drawing_of(session, plan))
    for room in session.rooms.all():
        position = session.room_positions.get(str(room.pk))
        if position != room.position:
            Room.objects.filter(pk=room.pk).update(position=position)


def finalize(session: FloorplanSession) -> dict:
    """Calibrate the merged plan to the house footprint; store and return the final plan."""
    plan = placed_plan(session)
    if not plan.rooms:
        raise ValidationFailed("Merge at least one room before finalizing.")
    if not session.house_bounds:
        raise ValidationFailed("The house footprint is missing: run the satellite lookup or enter it "
                               "(PUT /sessions/{id}/house-bounds).")
    try:
        calibration = geometry.calibrate(plan, session.house_bounds)
    except geometry.GeometryError as exc:
        raise ValidationFailed(str(exc)) from None
    session.calibration = calibration.to_dict()
    session.final_plan_svg = render_svg(drawing_of(session, calibration.plan))
    return {"finalPlanSvg": session.final_plan_svg, "calibration": session.calibration, "isFinalized": True}


def final_plan(session: FloorplanSession) -> geometry.Plan:
    """The plan exports draw: calibrated when finalized, else as merged."""
    plan = placed_plan(session)
    if session.is_finalized and session.calibration:
        plan = plan.scaled(session.calibration["scaleFactor"])
    return plan


MOVES_SCHEMA = {
    "type": "object",
    "properties": {
        "moves": {"type": "array", "items": {
            "type": "object",
            "properties": {"roomId": {"type": "string"}, "dx": {"type": "number"}, "dy": {"type": "number"}},
            "required": ["roomId", "dx", "dy"], "additionalProperties": False}},
        "changesApplied": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["moves", "changesApplied"],
    "additionalProperties": False,
}
RESIZE_SCHEMA = {
    "type": "object",
    "properties": {
        "resizes": {"type": "array", "items": {
            "type": "object",
            "properties": {"roomId": {"type": "string"}, "width": {"type": "number"}, "height": {"type": "number"}},
            "required": ["roomId", "width", "height"], "additionalProperties": False}},
        "changesApplied": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["resizes", "changesApplied"],
    "additionalProperties": False,
}


def _ask(session: FloorplanSession, instruction: str, feedback: str, schema: dict, name: str) -> dict:
    try:
        model = registry.language_model()
    except EngineUnavailable as exc:
        raise AnalysisFailed(f"No language model is configured ({exc.message}) Move rooms with PATCH position "
                             "or correct measurements with PUT .../analysis instead.",
                             details={"reason": "not_configured"}) from None
    rooms = [{"roomId": str(r.pk), "label": r.label, "position": r.position,
              "width": r.analysis["dimensions"]["width"], "height": r.analysis["dimensions"]["height"]}
             for r in session.rooms.all() if r.analysis]
    try:
        return model.complete(LLMRequest(
            [Message("user", f"Rooms (feet; x east, y south; position = north-west corner): {rooms}\n\n"
                             f"Agent's feedback: {feedback}")],
            system=instruction, schema=schema, schema_name=name, max_tokens=1000)).data
    except (EngineUnavailable, EngineOutputInvalid) as exc:
        raise AnalysisFailed(f"The language model gave no usable revision: {exc.message}") from None


def revise_merge(session: FloorplanSession, *, feedback: str, annotation: bytes | None = None) -> dict:
    """Shift rooms as the agent asks (read by the language model), then redraw."""
    answer = _ask(session, "You adjust room positions on a floor plan as the agent asks. Answer only moves.",
                  feedback, MOVES_SCHEMA, "moves")
    plan = placed_plan(session)
    for move in answer["moves"]:
        if move["roomId"] not in session.room_positions:
            raise AnalysisFailed(f"The revision moved a room that is not on the plan ({move['roomId']}).")
        room = plan.room(move["roomId"])
        plan = plan.with_room(room.at(room.x + move["dx"], room.y + move["dy"]))
    _store_plan(session, plan)
    session.save()
    return {"mergedPlanSvg": session.merged_plan_svg, "roomPositions": session.room_positions,
            "changesApplied": answer["changesApplied"]}


def revise_final(session: FloorplanSession, *, feedback: str) -> dict:
    """Correct room sizes as the agent asks (new analysis revisions), then finalize again."""
    from floorplans import services  # services imports this module

    answer = _ask(session, "You correct room sizes on a floor plan as the agent asks. Answer only resizes.",
                  feedback, RESIZE_SCHEMA, "resizes")
    for resize in answer["resizes"]:
        room = _analysed_room(session, resize["roomId"])
        analysis = {**room.analysis, "dimensions": {**room.analysis["dimensions"], "width": resize["width"],
                                                    "height": resize["height"]}}
        services.save_analysis(room, analysis=analysis, source=AnalysisSource.VISION, author=session.owner,
                               confidence=room.analysis_confidence, feedback=feedback,
                               changes=answer["changesApplied"])
    result = finalize(session)
    session.save()
    return {**result, "changesApplied": answer["changesApplied"]}
