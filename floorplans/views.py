"""Floor plan pages, phone first: sessions, the step-by-step session hub, and one room's capture and review."""

import io
import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from config.ai import readiness
from config.errors import ApplicationError
from config.files.signing import media_url
from floorplans import exports, files, forms, scans, selectors, services
from floorplans.choices import AnalysisSource, Direction, ReviewStatus
from floorplans.errors import RoomNotFound, SessionExpired, SessionNotFound
from floorplans.geometry.parsing import parse_analysis
from floorplans.models import FloorplanSession

# The hub's steps in order; the keys are what ``current_step`` stores (the API's
# PATCH may store others: "capture" and "review-room" mean the agent is on a room page).
STEPS = {
    "starting-corner": "Starting corner",
    "room-type": "Rooms",
    "footprint": "House footprint",
    "merge": "Merge rooms",
    "finalize": "Final plan",
}
ROOM_STEPS = {"capture": "Taking photos", "review-room": "Reviewing a room"}
HEADINGS = {"north": 0, "east": 90, "south": 180, "west": 270}


def floorplan_page(view):
    """Sign-in required; another user's (or a missing) session or room is a 404, an expired session a 410."""
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (SessionNotFound, RoomNotFound):
            raise Http404 from None
        except SessionExpired as exc:
            return render(request, "floorplans/expired.html", {"message": exc.message}, status=410)
    return wrapper


@login_required
def session_list(request):
    form = forms.SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(request.user, address=form.cleaned_data["address"])
        except ApplicationError as exc:
            form.add_error("address", exc.message)
        else:
            return redirect("floorplans:session", session_id=session.pk)
    sessions = selectors.sessions_for(request.user)
    for session in sessions:
        # A finalized plan is done, whatever page the agent last stood on.
        session.step_label = "Final plan ready" if session.is_finalized else \
            STEPS.get(session.current_step) or ROOM_STEPS.get(session.current_step, "Rooms")
    return render(request, "floorplans/sessions.html", {"sessions": sessions, "form": form})


@floorplan_page
def session_hub(request, session_id):
    session = selectors.session_for(request.user, session_id)
    # Showing a step writes nothing (no GET writes): the session resumes at the
    # step of the agent's last action, which the POST views remember.
    step = request.GET.get("step")
    return _render_hub(request, session, step=step if step in STEPS else None)


@floorplan_page
@require_POST
def starting_corner(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = forms.StartingCornerForm(request.POST)
    if not form.is_valid():
        return _render_hub(request, session, corner_form=form, step="starting-corner")
    services.update_session(session, fields={"starting_corner": form.cleaned_data["starting_corner"],
                                             "current_step": "room-type"})
    return redirect("floorplans:session", session_id=session.pk)


@floorplan_page
@require_POST
def add_room(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = forms.RoomForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            room = services.create_room(session, type=data["type"], custom_label=data["label"])
        except ApplicationError as exc:
            form.add_error("label", exc.message)
        else:
            _remember(session, step="capture", room_index=room.index)
            return redirect("floorplans:room", session_id=session.pk, room_id=room.pk)
    return _render_hub(request, session, room_form=form, step="room-type")


@floorplan_page
@require_POST
def scan_preview(request, session_id):
    """Read an uploaded RoomPlan scan and show the rooms it would make; nothing is stored yet."""
    session = selectors.session_for(request.user, session_id)
    form = forms.ScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            scan = files.read_scan(form.cleaned_data["file"])
            imports = scans.read_scan(scan, max_surfaces=settings.FLOORPLANS_SCAN_MAX_SURFACES)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            accept = forms.ScanAcceptForm(initial={**form.cleaned_data, "scan": json.dumps(scan)})
            return render(request, "floorplans/scan_preview.html", {
                "session": session, "accept_form": accept, "structure": scans.is_structure(scan),
                **_scan_drawing(imports)})
    return _render_hub(request, session, scan_form=form, step="room-type")


@floorplan_page
@require_POST
def scan_accept(request, session_id):
    """Create the previewed scan's rooms (the scan is read and checked again)."""
    session = selectors.session_for(request.user, session_id)
    form = forms.ScanAcceptForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rooms = services.import_scan(request.user, session, scan=files.scan_from_text(data["scan"]),
                                         type=data["type"], custom_label=data["label"])
        except ApplicationError as exc:
            messages.error(request, f"The scan was not imported: {exc.message}")
        else:
            messages.success(request, f"Imported from the scan: {', '.join(r.display_label for r in rooms)}.")
            _remember(session, step="room-type")
    return redirect("floorplans:session", session_id=session.pk)


def _scan_drawing(imports: list) -> dict:
    """The previewed rooms' outlines as SVG polygon points (feet, y south), each at its scanned place: the squared
    rectangle or L, or a polygon room's own vertices."""
    origin = (min(i.corner[0] for i in imports), min(i.corner[1] for i in imports))
    rooms, placed = [], []
    for imported in imports:
        at = imported.position(origin)
        points = [(x + at["x"], y + at["y"]) for x, y in imported.outline]
        placed.extend(points)
        analysis = imported.analysis
        notch_walls = (analysis.get("notch") or {}).get("walls", {})
        polygon_openings = (analysis.get("polygon") or {}).get("openings", [])
        rooms.append({"points": " ".join(f"{x:.2f},{y:.2f}" for x, y in points),
                      "width": analysis["dimensions"]["width"], "depth": analysis["dimensions"]["height"],
                      "ceiling": analysis["ceilingHeight"], "shape": analysis["shape"],
                      "area": parse_analysis(analysis).area, "notes": imported.notes,
                      "confidence": imported.confidence,
                      "openings": len(polygon_openings) + sum(len(o) for o in [*analysis["walls"].values(),
                                                                                *notch_walls.values()])})
    width, height = max(x for x, _ in placed), max(y for _, y in placed)
    margin = 2.0  # feet around the outlines, so their strokes are not cut
    return {"rooms": rooms, "viewbox": f"{-margin:g} {-margin:g} {width + 2 * margin:.2f} {height + 2 * margin:.2f}"}


@floorplan_page
@require_POST
def house_footprint(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = forms.HouseBoundsForm(request.POST)
    if form.is_valid():
        services.set_house_bounds(session, bounds=form.bounds(), source="manual")
        _remember(session, step="merge")
        messages.success(request, "House footprint saved.")
        return redirect("floorplans:session", session_id=session.pk)
    return _render_hub(request, session, bounds_form=form, step="footprint")


@floorplan_page
@require_POST
def merge(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = forms.MergeForm(request.POST, rooms=_analysed_rooms(session))
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.merge_room(session, new_room_id=data["new_room"], adjacent_room_id=data["adjacent_room"],
                                         direction=data["direction"], connection_type=data["connection_type"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            rooms = list(session.rooms.all())
            for change in result.changes:  # the service speaks the API's labels; the page says names
                for room in rooms:
                    change = change.replace(room.label, room.display_label)
                messages.success(request, change)
            labels = {str(room.pk): room.display_label for room in rooms}
            for overlap in result.overlaps:
                names = " and ".join(labels.get(room_id, "a room") for room_id in overlap.rooms)
                messages.warning(request, f"{names} overlap by {overlap.area:g} sq ft; check the side you "
                                          "chose and the measurements.")
            return redirect(f"{reverse('floorplans:session', args=[session.pk])}?step=merge#merge-result")
    return _render_hub(request, session, merge_form=form, step="merge")


@floorplan_page
@require_POST
def finalize(request, session_id):
    session = selectors.session_for(request.user, session_id)
    try:
        services.finalize(session)
    except ApplicationError as exc:
        return _render_hub(request, session, step="finalize", finalize_error=exc.message)
    _remember(session, step="finalize")
    return redirect(f"{reverse('floorplans:session', args=[session.pk])}#final-result")


@floorplan_page
def export(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = forms.ExportForm(request.GET)
    if not form.is_valid():
        return _render_hub(request, session, step="finalize", export_form=form)
    fmt = form.cleaned_data["format"]
    try:
        content = exports.export(session, fmt, scale=form.cleaned_data["scale"], paper=form.cleaned_data["paper"])
    except ApplicationError as exc:
        return _render_hub(request, session, step="finalize", export_form=form, export_error=exc.message)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=export_filename(session, fmt),
                        content_type=exports.CONTENT_TYPES[fmt])


def export_filename(session: FloorplanSession, fmt: str) -> str:
    """``12-oak-street-floor-plan.pdf``: named after the address, as the agent files it."""
    return f"{slugify(session.address)[:80] or 'floorplan'}-floor-plan.{fmt}"


@floorplan_page
def room_page(request, session_id, room_id):
    room = selectors.room_for(request.user, session_id, room_id)
    return _render_room(request, room)


@floorplan_page
@require_POST
def upload_photo(request, session_id, room_id, direction):
    room = selectors.room_for(request.user, session_id, room_id)
    if direction not in Direction.values:
        raise Http404
    form = forms.PhotoForm(request.POST, request.FILES, auto_id=f"id_{direction}_%s")
    if form.is_valid():
        try:
            services.upload_photo(room, direction=direction, image=form.cleaned_data["image"],
                                  compass_heading=form.cleaned_data["compassHeading"])
        except ApplicationError as exc:
            form.add_error("image", exc.message)
        else:
            _remember(room.session, step="capture", room_index=room.index)
            messages.success(request, f"{Direction(direction).label} photo saved.")
            return redirect(f"{_room_url(room)}#photo-{direction}")
    return _render_room(request, room, photo_forms={direction: form})


@floorplan_page
@require_POST
def analyse(request, session_id, room_id):
    """Analyse the photos, or revise with the agent's feedback and sketch; shows why when it cannot."""
    room = selectors.room_for(request.user, session_id, room_id)
    form = forms.ReviseForm(request.POST)
    if not form.is_valid():
        return _render_room(request, room, revise_form=form)
    try:
        services.analyse_room(request.user, room, feedback=form.cleaned_data["feedback"],
                              annotation=form.cleaned_data["annotationImage"])
    except ApplicationError as exc:
        revising = bool(form.cleaned_data["feedback"] or form.cleaned_data["annotationImage"])
        return _render_room(request, room, revise_form=form, analysis_error=exc.message, revising=revising)
    _remember(room.session, step="review-room", room_index=room.index)
    messages.success(request, "The room was analysed. Check the drawing and the measurements.")
    return redirect(f"{_room_url(room)}#drawing")


@floorplan_page
@require_POST
def measurements(request, session_id, room_id):
    room = selectors.room_for(request.user, session_id, room_id)
    form, openings = forms.MeasurementsForm(request.POST), forms.opening_formset(data=request.POST)
    if form.is_valid() and openings.is_valid():
        rows = [row.cleaned_data for row in openings if not row.is_blank]
        analysis = forms.analysis_from(form.cleaned_data, rows, current=room.analysis)
        try:
            services.save_analysis(room, analysis=analysis, source=AnalysisSource.MANUAL, author=request.user,
                                   confidence=1.0)
            room.refresh_from_db()  # update_room saves the whole row; keep the analysis just saved
            services.update_room(room, fields={"finished": form.cleaned_data["finished"],
                                               "grade": form.cleaned_data["grade"]})
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Measurements saved as a new revision.")
            return redirect(f"{_room_url(room)}#drawing")
    return _render_room(request, room, measurements_form=form, openings=openings)


@floorplan_page
@require_POST
def restore(request, session_id, room_id, number):
    room = selectors.room_for(request.user, session_id, room_id)
    try:
        services.restore_revision(request.user, room, number=number)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Revision {number} restored.")
    return redirect(f"{_room_url(room)}#drawing")


@floorplan_page
@require_POST
def accept(request, session_id, room_id):
    room = selectors.room_for(request.user, session_id, room_id)
    try:
        services.update_room(room, fields={"review_status": ReviewStatus.ACCEPTED})
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_room_url(room))
    _remember(room.session, step="room-type")
    messages.success(request, f"{room.display_label} accepted.")
    return redirect("floorplans:session", session_id=room.session_id)


def _remember(session: FloorplanSession, *, step: str, room_index: int | None = None) -> None:
    """Record where the agent is, so the session resumes there (on this phone or another)."""
    fields = {"current_step": step} if session.current_step != step else {}
    if room_index is not None and session.current_room_index != room_index:
        fields["current_room_index"] = room_index
    if fields:
        services.update_session(session, fields=fields)


def _analysed_rooms(session: FloorplanSession) -> list:
    return [room for room in session.rooms.all() if room.analysis]


def _room_url(room) -> str:
    return reverse("floorplans:room", kwargs={"session_id": room.session_id, "room_id": room.pk})


def _hub_step(session: FloorplanSession, rooms: list) -> str:
    """The step to open: the stored one, or the first one a new session needs."""
    if session.current_step in STEPS:
        if session.current_step == "room-type" and not session.starting_corner and not rooms:
            return "starting-corner"
        return session.current_step
    return "room-type"


def _render_hub(request, session: FloorplanSession, *, step: str | None = None, **forms_and_errors):
    # Explicit order: Meta.ordering does not apply to aggregate queries, and PostgreSQL
    # returns grouped rows in any order.
    rooms = list(session.rooms.annotate(photo_count=Count("photos")).order_by("index"))
    for room in rooms:
        room.on_plan = str(room.pk) in session.room_positions
    step = step or _hub_step(session, rooms)
    analysed = [room for room in rooms if room.analysis]
    resume = None
    # A finalized plan is done: no "continue taking photos" however the agent last left a room page.
    if session.current_step in ROOM_STEPS and not session.is_finalized:
        resume = next((room for room in rooms if room.index == session.current_room_index), None)
    labels = {str(room.pk): room.display_label for room in rooms}
    shared_walls = [{**wall, "names": " and ".join(labels.get(str(r), "?") for r in wall["rooms"])}
                    for wall in session.shared_walls]
    return render(request, "floorplans/session.html", {
        "session": session, "rooms": rooms, "step": step, "resume": resume, "analysed": analysed,
        "accepted_count": sum(room.review_status == ReviewStatus.ACCEPTED for room in rooms),
        "waiting": [room for room in analysed if not room.on_plan],
        "placed_labels": [room.display_label for room in rooms if room.on_plan], "shared_walls": shared_walls,
        "calibration": session.calibration or {}, **_steps(session, rooms, step),
        **_hub_forms(session, analysed), **forms_and_errors,
    })


def _steps(session: FloorplanSession, rooms: list, step: str) -> dict:
    """The stepper's steps with what is done, and the steps before and after ``step``."""
    done = {"starting-corner": bool(session.starting_corner),
            "room-type": bool(rooms) and all(room.review_status == ReviewStatus.ACCEPTED for room in rooms),
            "footprint": bool(session.house_bounds), "merge": bool(session.merged_plan_svg),
            "finalize": session.is_finalized}
    steps = [{"key": key, "label": label, "number": n, "done": done[key]}
             for n, (key, label) in enumerate(STEPS.items(), start=1)]
    at = list(STEPS).index(step)
    return {"steps": steps, "previous": steps[at - 1] if at else None,
            "next": steps[at + 1] if at + 1 < len(steps) else None}


def _hub_forms(session: FloorplanSession, analysed: list) -> dict:
    bounds = session.house_bounds or {}
    return {
        "corner_form": forms.StartingCornerForm(initial={"starting_corner": session.starting_corner or "SW"}),
        "room_form": forms.RoomForm(),
        "scan_form": forms.ScanForm(),
        "bounds_form": forms.HouseBoundsForm(initial={"width": bounds.get("width"), "height": bounds.get("height"),
                                                      "shape": bounds.get("shape", "rectangle"),
                                                      "roof_overhang": bounds.get("roofOverhangEstimate")}),
        "merge_form": _merge_form(session, analysed),
        "export_form": forms.ExportForm(),
    }


def _merge_form(session: FloorplanSession, analysed: list) -> forms.MergeForm:
    """Suggest the next analysed room not on the plan, next to the last one placed (or the first room)."""
    placed = [room for room in analysed if str(room.pk) in session.room_positions]
    waiting = [room for room in analysed if str(room.pk) not in session.room_positions]
    adjacent = placed[-1] if placed else (analysed[0] if analysed else None)
    new = next((room for room in waiting if room != adjacent), None)
    initial = {"direction": "east", "connection_type": "door",
               "new_room": str(new.pk) if new else "", "adjacent_room": str(adjacent.pk) if adjacent else ""}
    return forms.MergeForm(initial=initial, rooms=analysed)


def _render_room(request, room, **context):
    photos = {photo.direction: photo for photo in room.photos.all()}
    photo_forms = context.pop("photo_forms", {})
    directions = [{
        "value": value, "label": label, "heading": HEADINGS[value], "photo": photos.get(value),
        "url": media_url(photos[value].image.name) if value in photos else "",
        "form": photo_forms.get(value) or forms.PhotoForm(auto_id=f"id_{value}_%s"),
    } for value, label in Direction.choices]
    analysis = room.analysis or {}
    dimensions = analysis.get("dimensions") or {}
    context = {
        "measurements_form": forms.MeasurementsForm(initial={
            "width": dimensions.get("width"), "height": dimensions.get("height"),
            "ceiling_height": analysis.get("ceilingHeight"), "finished": room.finished, "grade": room.grade}),
        "openings": forms.opening_formset(analysis=room.analysis),
        "revise_form": forms.ReviseForm(),
        **context,
    }
    return render(request, "floorplans/room.html", {
        "room": room, "session": room.session, "directions": directions, "photo_count": len(photos),
        # Said before the photos are taken: the analysis needs a vision language model.
        "analysis_readiness": readiness.language_model(),
        "revisions": list(room.revisions.select_related("author").order_by("-number")), **context,
    })
