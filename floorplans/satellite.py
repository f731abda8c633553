"""Satellite footprint lookup: geocode the address, fetch an aerial image, let the vision model measure it.

Two HTTP services, each configured by URL (no vendor is assumed):

* a geocoder answering ``GET {FLOORPLANS_GEOCODER_URL}?q=<address>&format=json&limit=1``
  with ``[{"lat": "...", "lon": "..."}]`` (Nominatim's search API; other geocoders
  behind a small adapter speak it too);
* a static-maps API answering ``GET {FLOORPLANS_SATELLITE_URL}?center=<lat>,<lon>&zoom=20
  &size=640x640&maptype=satellite&key=<FLOORPLANS_SATELLITE_KEY>`` with an image
  (Google's Static Maps API parameters).

The vision model reads the footprint off the image; the ground resolution of
Web-Mercator tiles at that latitude and zoom turns pixels into feet. Any
failure raises ``SatelliteUnavailable`` and the agent enters the footprint.
"""

import io
import math

import httpx
from PIL import Image

from config import net
from config.ai import overrides, registry
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from config.ai.llm.base import ImageInput, LLMRequest, Message
from floorplans.errors import SatelliteUnavailable

ZOOM = 20
SIZE_PX = 640
TIMEOUT_SECONDS = 20
EARTH_METRES_PER_PIXEL_AT_ZOOM_0 = 156543.03392
FEET_PER_METRE = 3.28084

FOOTPRINT_SCHEMA = {
    "type": "object",
    "properties": {
        "widthPx": {"type": "number", "description": "east-west extent of the roof in pixels"},
        "heightPx": {"type": "number", "description": "north-south extent of the roof in pixels"},
        "shape": {"type": "string", "enum": ["rectangle", "L-shape", "T-shape", "U-shape", "irregular"]},
        "shapeVerticesPx": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
        "roofOverhangEstimateFt": {"type": "number"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["widthPx", "heightPx", "shape", "shapeVerticesPx", "roofOverhangEstimateFt", "confidence"],
    "additionalProperties": False,
}


def ensure_configured() -> None:
    """Raise ``SatelliteUnavailable`` at once when a service or the vision model is missing."""
    if not overrides.setting("FLOORPLANS_GEOCODER_URL") or not overrides.setting("FLOORPLANS_SATELLITE_URL"):
        raise SatelliteUnavailable("No satellite imagery service is configured (FLOORPLANS_GEOCODER_URL, "
                                   "FLOORPLANS_SATELLITE_URL). Enter the house footprint instead.")
    try:
        registry.language_model()
    except EngineUnavailable as exc:
        raise SatelliteUnavailable(f"No vision model to read the footprint: {exc.message}") from None


def feet_per_pixel(latitude: float, zoom: int = ZOOM) -> float:
    """Ground size of one Web-Mercator pixel at this latitude and zoom, in feet."""
    metres = EARTH_METRES_PER_PIXEL_AT_ZOOM_0 * math.cos(math.radians(latitude)) / (2 ** zoom)
    return metres * FEET_PER_METRE


def geocode(address: str, client: httpx.Client) -> tuple[float, float]:
    response = client.get(overrides.setting("FLOORPLANS_GEOCODER_URL"),
                          params={"q": address, "format": "json", "limit": 1})
    response.raise_for_status()
    hits = response.json()
    if not hits:
        raise SatelliteUnavailable(f"The address {address!r} was not found.")
    return float(hits[0]["lat"]), float(hits[0]["lon"])


def aerial_image(latitude: float, longitude: float, client: httpx.Client) -> bytes:
    response = client.get(overrides.setting("FLOORPLANS_SATELLITE_URL"), params={
        "center": f"{latitude:.7f},{longitude:.7f}", "zoom": ZOOM, "size": f"{SIZE_PX}x{SIZE_PX}",
        "maptype": "satellite", "key": overrides.setting("FLOORPLANS_SATELLITE_KEY"),
    })
    response.raise_for_status()
    if not response.headers.get("content-type", "").startswith("image/"):
        raise SatelliteUnavailable("The imagery service did not answer with an image.")
    return response.content


def house_bounds(address: str) -> tuple[dict, bytes]:
    """Find the footprint of the house at ``address``: (houseBounds without the image URL, image bytes)."""
    ensure_configured()
    try:
        # The URLs are operator settings, still fetched only where the outbound policy allows.
        with httpx.Client(timeout=TIMEOUT_SECONDS, transport=net.transport()) as client:
            latitude, longitude = geocode(address, client)
            image_bytes = aerial_image(latitude, longitude, client)
    except httpx.HTTPStatusError as exc:
        # Not str(exc): it quotes the request URL, and with it FLOORPLANS_SATELLITE_KEY.
        raise SatelliteUnavailable(f"Satellite imagery could not be fetched: the service answered HTTP "
                                   f"{exc.response.status_code}.") from None
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise SatelliteUnavailable(f"Satellite imagery could not be fetched: {exc}") from None
    scale = feet_per_pixel(latitude)
    image = Image.open(io.BytesIO(image_bytes)).convert("RGB")
    try:
        reading = registry.language_model().complete(LLMRequest(
            [Message("user", "Measure the house at the centre of this aerial image, in pixels.",
                     images=(ImageInput.from_pil(image),))],
            system="You read building footprints off aerial images: the roof outline of the house at the centre.",
            schema=FOOTPRINT_SCHEMA, schema_name="footprint", max_tokens=800,
        )).data
    except (EngineUnavailable, EngineOutputInvalid) as exc:
        raise SatelliteUnavailable(f"The footprint could not be read: {exc.message}") from None
    bounds = {
        "width": round(reading["widthPx"] * scale, 1),
        "height": round(reading["heightPx"] * scale, 1),
        "shape": reading["shape"],
        "shapeVertices": [[round(x * scale, 1), round(y * scale, 1)] for x, y in reading["shapeVerticesPx"]],
        "satelliteScale": round(scale, 4),
        "roofOverhangEstimate": reading["roofOverhangEstimateFt"],
        "confidence": reading["confidence"],
    }
    return bounds, image_bytes
