"""A spec as a picture: an isometric drawing of its objects' boxes, in their colours.

The API's ``preview_url`` is an image URL (seed 002); the 3D page at
``/preview/{spec_id}`` stays for people. Each object is drawn as its bounding
box (metres, base-centre position, y up, as specs are) with the three faces an
isometric camera above the +x/+z corner sees, shaded so the shape reads, far
boxes first (painter's algorithm). Pillow only: no GPU, no browser.
"""

import io
import math

from PIL import Image, ImageDraw

from designs.gltf import base_color
from designs.vocabulary import UNIT_FACTORS

SIZE = (800, 600)
MARGIN = 40
BACKGROUND = (246, 246, 244)
# Light from above and the left: the top is brightest, the +x face next.
SHADES = {"top": 1.0, "x": 0.78, "z": 0.6}
COS30, SIN30 = math.cos(math.radians(30)), 0.5


def render_png(spec_json: dict) -> bytes:
    """PNG bytes of ``spec_json``'s objects drawn isometrically (a blank canvas when it has none)."""
    boxes = [_box(obj) for obj in spec_json.get("objects") or []]
    image = Image.new("RGB", SIZE, BACKGROUND)
    if boxes:
        draw = ImageDraw.Draw(image)
        project = _fit([corner for box in boxes for corner in _corners(box)])
        # Far first: smaller x + z is farther from the camera, lower y under higher.
        for box in sorted(boxes, key=lambda b: (b["centre"][0] + b["centre"][2], b["centre"][1])):
            _draw_box(draw, box, project)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _box(obj: dict) -> dict:
    dimensions, position = obj["dimensions"], obj["position"]
    factor = UNIT_FACTORS.get(str(dimensions.get("units", "meters")).lower(), 1.0)
    width, height, depth = (float(dimensions[field]) * factor for field in ("width", "height", "depth"))
    x, y, z = (float(position[axis]) * factor for axis in ("x", "y", "z"))
    colour = tuple(round(channel * 255) for channel in base_color(obj))
    return {"min": (x - width / 2, y, z - depth / 2), "max": (x + width / 2, y + height, z + depth / 2),
            "centre": (x, y + height / 2, z), "colour": colour}


def _corners(box: dict) -> list[tuple[float, float, float]]:
    (x0, y0, z0), (x1, y1, z1) = box["min"], box["max"]
    return [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]


def _iso(point: tuple[float, float, float]) -> tuple[float, float]:
    x, y, z = point
    return (x - z) * COS30, (x + z) * SIN30 - y


def _fit(points: list[tuple[float, float, float]]):
    """A projection from metres to canvas pixels that fits every point inside the margins."""
    flat = [_iso(point) for point in points]
    us, vs = [u for u, _ in flat], [v for _, v in flat]
    span_u, span_v = max(max(us) - min(us), 1e-6), max(max(vs) - min(vs), 1e-6)
    scale = min((SIZE[0] - 2 * MARGIN) / span_u, (SIZE[1] - 2 * MARGIN) / span_v)
    offset_u = (SIZE[0] - span_u * scale) / 2 - min(us) * scale
    offset_v = (SIZE[1] - span_v * scale) / 2 - min(vs) * scale

    def project(point: tuple[float, float, float]) -> tuple[float, float]:
        u, v = _iso(point)
        return u * scale + offset_u, v * scale + offset_v

    return project


def _draw_box(draw: ImageDraw.ImageDraw, box: dict, project) -> None:
    (x0, y0, z0), (x1, y1, z1) = box["min"], box["max"]
    faces = {
        "top": [(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)],
        "x": [(x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)],
        "z": [(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)],
    }
    outline = tuple(round(channel * 0.45) for channel in box["colour"])
    for name, corners in faces.items():
        fill = tuple(min(255, round(channel * SHADES[name])) for channel in box["colour"])
        draw.polygon([project(corner) for corner in corners], fill=fill, outline=outline)
