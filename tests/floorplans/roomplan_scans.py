"""CapturedRoom JSON built as Apple's RoomPlan ``JSONEncoder`` writes it (see floorplans/roomplan.py).

Transforms are 16 floats, column-major; ``category`` and ``confidence`` are
single-key objects; y is up and a wall's local x runs along it.
"""

import math
import uuid


def transform(*, x: float, y: float, z: float, yaw_deg: float = 0.0) -> list[float]:
    """A rotation about y by ``yaw_deg`` then a translation, as 4 columns of 4 floats, flattened."""
    c, s = math.cos(math.radians(yaw_deg)), math.sin(math.radians(yaw_deg))
    columns = [[c, 0.0, -s, 0.0], [0.0, 1.0, 0.0, 0.0], [s, 0.0, c, 0.0], [x, y, z, 1.0]]
    return [value for column in columns for value in column]


def surface(kind: str, *, length: float, height: float, centre: tuple[float, float], y: float, yaw_deg: float,
            parent: str | None = None, curve: dict | None = None) -> dict:
    category = {"door": {"isOpen": False}} if kind == "door" else {kind: {}}
    return {"identifier": str(uuid.uuid4()).upper(), "category": category, "confidence": {"high": {}},
            "dimensions": [length, height, 0.0], "transform": transform(x=centre[0], y=y, z=centre[1], yaw_deg=yaw_deg),
            "parentIdentifier": parent, "polygonCorners": [], "completedEdges": [], "curve": curve, "story": 0}


def walls_around(corners: list[tuple[float, float]], *, height: float = 2.5, rotate_deg: float = 0.0,
                 offset: tuple[float, float] = (0.0, 0.0)) -> list[dict]:
    """One wall per edge of ``corners`` (x, z in metres), the room turned and moved as a whole."""
    c, s = math.cos(math.radians(rotate_deg)), math.sin(math.radians(rotate_deg))

    def place(p: tuple[float, float]) -> tuple[float, float]:
        # A turn by +yaw about y maps local x (1, 0) to world (cos, -sin) in x-z.
        return offset[0] + p[0] * c + p[1] * s, offset[1] - p[0] * s + p[1] * c

    placed = [place(p) for p in corners]
    walls = []
    for a, b in zip(placed, placed[1:] + placed[:1], strict=True):
        yaw = -math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
        walls.append(surface("wall", length=math.dist(a, b), height=height, centre=((a[0] + b[0]) / 2,
                                                                                     (a[1] + b[1]) / 2),
                             y=height / 2, yaw_deg=yaw))
    return walls


def captured_room(walls: list[dict], *, doors: list[dict] = (), windows: list[dict] = ()) -> dict:
    return {"version": 2, "story": 0, "walls": walls, "doors": list(doors), "windows": list(windows),
            "openings": [], "objects": [], "floors": [], "sections": [],
            "referenceOriginTransform": transform(x=0.0, y=0.0, z=0.0)}
