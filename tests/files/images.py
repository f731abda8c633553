"""Images the tests draw, in the shapes uploads arrive in."""

import io

from PIL import Image


def jpeg(size=(64, 48), color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def png(size=(64, 48), color=(30, 200, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


def exif_with_gps_and_orientation(orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: 6 = rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-123"  # BodySerialNumber
    gps = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    exif[0x8825] = gps
    return exif.tobytes()


def png_header_claiming(width: int, height: int) -> bytes:
    """A valid PNG of 1x1 whose header is rewritten to claim a huge size (a pixel bomb)."""
    import struct
    import zlib

    raw = png((1, 1))
    ihdr_start = raw.index(b"IHDR")
    fields = struct.pack(">II", width, height) + raw[ihdr_start + 12 : ihdr_start + 17]
    chunk = b"IHDR" + fields
    crc = struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    return raw[: ihdr_start] + chunk + crc + raw[ihdr_start + 21 :]
