"""Product photos drawn in code together with their exact product masks.

A shaded cup (body, rim, handle, soft contact shadow) on a plain backdrop or on
a wooden table whose grain runs across the whole frame, the case where the
border's median colour does not separate product from backdrop.
"""

import cv2
import numpy as np

WHITE = (255, 255, 255)
GREY = (200, 200, 205)


def wood(size: tuple[int, int], *, seed: int = 7) -> np.ndarray:
    """A wooden-table texture: warm brown with wavy grain lines and fine noise."""
    width, height = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    wave = np.sin(y / height * 40 + 3 * np.sin(x / width * 6) + rng.uniform(0, 6))
    grain = 0.5 + 0.5 * wave
    # Light and dark rings as far apart as oak's: too far for one median colour to cover both.
    light = np.array([196, 146, 96], np.float32)
    dark = np.array([100, 58, 30], np.float32)
    texture = light[None, None] * (1 - grain[..., None]) + dark[None, None] * grain[..., None]
    texture += rng.normal(0, 6, texture.shape)
    return np.clip(texture, 0, 255).astype(np.uint8)


def cup_scene(size: tuple[int, int] = (1200, 900), *, fill: float = 0.6, backdrop: str = "wood",
              colour: tuple[int, int, int] = (40, 90, 170)) -> tuple[np.ndarray, np.ndarray]:
    """An RGB photo of a cup whose box spans ``fill`` of the frame (its longer share), and its mask.

    ``backdrop`` is ``"wood"``, ``"white"`` or ``"grey"``.
    """
    width, height = size
    if backdrop == "wood":
        photo = wood(size)
    else:
        photo = np.full((height, width, 3), WHITE if backdrop == "white" else GREY, np.uint8)
    # The cup's box: height = fill of the frame's height (or width, whichever is the limit),
    # body 0.72 of the box's width, the handle the rest.
    box_h = fill * height if height / width <= 1 else fill * width
    box_w = box_h * 0.95
    if box_w > fill * width:
        box_w = fill * width
        box_h = box_w / 0.95
    left, top = (width - box_w) / 2, (height - box_h) / 2
    body_w = box_w * 0.72
    mask = np.zeros((height, width), np.uint8)
    ellipse_h = max(2, int(box_h * 0.08))
    cv2.rectangle(mask, (int(left), int(top + ellipse_h)), (int(left + body_w), int(top + box_h - ellipse_h)), 255, -1)
    cx = int(left + body_w / 2)
    cv2.ellipse(mask, (cx, int(top + ellipse_h)), (int(body_w / 2), ellipse_h), 0, 0, 360, 255, -1)
    cv2.ellipse(mask, (cx, int(top + box_h - ellipse_h)), (int(body_w / 2), ellipse_h), 0, 0, 360, 255, -1)
    handle_centre = (int(left + body_w), int(top + box_h * 0.45))
    outer = (int(box_w - body_w), int(box_h * 0.22))
    thickness = max(2, int(outer[0] * 0.35))
    cv2.ellipse(mask, handle_centre, (outer[0] - thickness // 2, outer[1]), 0, -90, 90, 255, thickness)

    # A soft contact shadow under the cup, darker than the backdrop but not part of the product.
    # Drawn and blurred at an eighth of the size: a blur this wide costs seconds on 12 MP.
    k = 8
    shadow = np.zeros((max(1, height // k), max(1, width // k)), np.float32)
    cv2.ellipse(shadow, (cx // k, int(top + box_h - ellipse_h * 0.5) // k),
                (max(1, int(body_w * 0.6) // k), max(1, ellipse_h * 2 // k)), 0, 0, 360, 0.35, -1)
    shadow = cv2.resize(cv2.GaussianBlur(shadow, (0, 0), max(1.0, ellipse_h / k)), (width, height),
                        interpolation=cv2.INTER_LINEAR)
    photo = (photo * (1 - shadow[..., None])).astype(np.uint8)

    # Cylindrical shading across the body and a highlight stripe, as under a studio light.
    across = (np.arange(width, dtype=np.float32) - cx) / max(1.0, body_w / 2)
    shade = 0.6 + 0.4 * np.cos(np.clip(across, -1, 1) * np.pi / 2)
    shade += 0.25 * np.exp(-((across + 0.4) ** 2) / 0.01)
    cup = np.clip(np.asarray(colour, np.float32)[None, None] * shade[None, :, None] + 40 * (shade[None, :, None] > 1),
                  0, 255)
    cup = np.broadcast_to(cup, (height, width, 3))
    inside = mask > 0
    photo[inside] = cup[inside].astype(np.uint8)
    return photo, inside
