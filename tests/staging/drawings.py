"""Rooms the staging tests draw, where the right answer is known.

One-point perspective, as a level camera sees a room: the horizon sits at
mid-frame, the back wall is a rectangle and the side walls, ceiling and floor
meet it along lines that run to the vanishing point. A window with mullions and
a door stand on the back wall. Fixed-seed noise makes the surfaces photo-like
without adding line segments.
"""

from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

CEILING = (236, 234, 228)
BACK_WALL = (204, 193, 176)
LEFT_WALL = (184, 173, 157)
RIGHT_WALL = (192, 181, 165)
FLOOR = (138, 100, 70)
BASEBOARD = (242, 240, 234)
FRAME = (246, 246, 244)
GLASS = (168, 198, 224)
DOOR = (118, 84, 58)


@dataclass(frozen=True)
class Room:
    """Where everything was drawn, in pixels: boxes are (left, top, right, bottom)."""

    width: int = 960
    height: int = 640
    back_wall: tuple[int, int, int, int] = (240, 150, 720, 440)
    window: tuple[int, int, int, int] = (300, 190, 460, 340)
    door: tuple[int, int, int, int] = (560, 230, 660, 440)

    @property
    def vanishing_point(self) -> tuple[float, float]:
        return self.width / 2, self.height / 2

    @property
    def floor_row(self) -> int:
        return self.back_wall[3]

    def with_left_corner_moved(self, dx: int) -> "Room":
        left, top, right, bottom = self.back_wall
        return replace(self, back_wall=(left + dx, top, right, bottom))


def draw_room(room: Room = Room(), *, seed: int = 0) -> Image.Image:
    """The empty room as an RGB photo."""
    image = np.zeros((room.height, room.width, 3), np.uint8)
    left, top, right, bottom = room.back_wall
    corners = {"tl": (left, top), "tr": (right, top), "br": (right, bottom), "bl": (left, bottom)}
    far = {name: _to_frame_edge(room, point) for name, point in corners.items()}
    w, h = room.width, room.height
    # The side walls, ceiling and floor are drawn as polygons out to the frame and
    # beyond, so each surface meets its neighbours along one straight line.
    _fill(image, [(0, 0), (w, 0), far["tr"], corners["tr"], corners["tl"], far["tl"]], CEILING)
    _fill(image, [(0, h), (w, h), far["br"], corners["br"], corners["bl"], far["bl"]], FLOOR)
    _fill(image, [(0, 0), far["tl"], corners["tl"], corners["bl"], far["bl"], (0, h)], LEFT_WALL)
    _fill(image, [(w, 0), far["tr"], corners["tr"], corners["br"], far["br"], (w, h)], RIGHT_WALL)
    cv2.rectangle(image, (left, top), (right, bottom), BACK_WALL, thickness=-1)
    cv2.rectangle(image, (left, bottom - 8), (right, bottom), BASEBOARD, thickness=-1)
    _draw_window(image, room.window)
    _draw_door(image, room.door)
    noise = np.random.default_rng(seed).normal(0, 2.5, image.shape)
    return Image.fromarray(np.clip(image + noise, 0, 255).astype(np.uint8))


def paint_box(image: Image.Image, box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> Image.Image:
    """A copy with ``box`` filled flat, as a generator painting over something would."""
    pixels = np.array(image)
    left, top, right, bottom = box
    pixels[top:bottom, left:right] = colour
    return Image.fromarray(pixels)


def add_furniture(image: Image.Image, mask: Image.Image, *, seed: int = 1) -> Image.Image:
    """A copy with a sofa, a rug and a side table painted only where ``mask`` allows."""
    furnished = np.array(image)
    pieces = np.zeros_like(furnished)
    width, height = image.size
    sofa_top = int(height * 0.62)
    cv2.rectangle(pieces, (int(width * 0.3), sofa_top), (int(width * 0.7), int(height * 0.8)), (70, 80, 95), -1)
    cv2.rectangle(pieces, (int(width * 0.32), sofa_top + 8), (int(width * 0.68), sofa_top + 30), (95, 105, 120), -1)
    cv2.ellipse(pieces, (width // 2, int(height * 0.9)), (width // 4, height // 14), 0, 0, 360, (160, 40, 45), -1)
    cv2.rectangle(pieces, (int(width * 0.78), int(height * 0.7)), (int(width * 0.86), int(height * 0.86)),
                  (60, 45, 35), -1)
    painted = pieces.any(axis=2) & (np.asarray(mask) >= 128)
    noise = np.random.default_rng(seed).normal(0, 2.5, furnished.shape)
    furnished[painted] = np.clip(pieces[painted] + noise[painted], 0, 255).astype(np.uint8)
    return Image.fromarray(furnished)


# Where ``paint_pieces`` draws a sofa, a rug and a table, as shares of the frame (left, top, right, bottom).
PIECES = ((0.3, 0.62, 0.7, 0.8), (0.3, 0.84, 0.7, 0.95), (0.78, 0.7, 0.86, 0.86))


def paint_pieces(image: Image.Image, mask: Image.Image, colours) -> Image.Image:
    """A copy with the three ``PIECES`` in ``colours`` (one RGB each), painted only inside ``mask``."""
    room, allowed = np.array(image.convert("RGB")), np.asarray(mask.convert("L")) >= 128
    pieces = np.zeros_like(room)
    width, height = image.size
    for (left, top, right, bottom), colour in zip(PIECES, colours, strict=True):
        cv2.rectangle(pieces, (int(left * width), int(top * height)), (int(right * width), int(bottom * height)),
                      tuple(map(int, colour)), -1)
    painted = pieces.any(axis=2) & allowed
    room[painted] = pieces[painted]
    return Image.fromarray(room)


def piece_colours(seed: int) -> list:
    """Three furniture colours chosen by ``seed``: another seed, other furniture."""
    return [np.random.default_rng(seed + index).integers(20, 235, 3) for index in range(3)]


def repaint_everything(image: Image.Image, *, seed: int = 2) -> Image.Image:
    """What a whole-frame generator returns: every pixel colour-shifted and noisy."""
    pixels = np.asarray(image).astype(np.float64) * 0.92 + np.array([12.0, 4.0, -6.0])
    pixels += np.random.default_rng(seed).normal(0, 6, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _to_frame_edge(room: Room, point: tuple[int, int]) -> tuple[int, int]:
    """Where the ray from the vanishing point through ``point`` leaves the frame (or a bit past)."""
    vx, vy = room.vanishing_point
    dx, dy = point[0] - vx, point[1] - vy
    steps = [abs((edge - vx) / dx) for edge in (0, room.width) if dx and (edge - vx) / dx > 0]
    steps += [abs((edge - vy) / dy) for edge in (0, room.height) if dy and (edge - vy) / dy > 0]
    t = min(steps)
    return round(vx + dx * t), round(vy + dy * t)


def _fill(image: np.ndarray, points: list[tuple[float, float]], colour: tuple[int, int, int]) -> None:
    cv2.fillPoly(image, [np.array(points, np.int32)], colour)


def _draw_window(image: np.ndarray, box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    cv2.rectangle(image, (left, top), (right, bottom), GLASS, thickness=-1)
    cv2.rectangle(image, (left, top), (right, bottom), FRAME, thickness=7)
    middle_x, middle_y = (left + right) // 2, (top + bottom) // 2
    cv2.line(image, (middle_x, top), (middle_x, bottom), FRAME, 5)
    cv2.line(image, (left, middle_y), (right, middle_y), FRAME, 5)


def _draw_door(image: np.ndarray, box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    cv2.rectangle(image, (left, top), (right, bottom), DOOR, thickness=-1)
    cv2.rectangle(image, (left, top), (right, bottom), FRAME, thickness=6)
    cv2.circle(image, (right - 16, (top + bottom) // 2 + 10), 5, (210, 190, 120), -1)
