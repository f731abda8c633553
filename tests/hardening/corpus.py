"""A corpus of bad uploads, generated in memory: nothing binary is committed.

Each ``Sample`` says what a careful server must make of it (``verdict``):

- ``INVALID``: not an acceptable still picture (broken, wrong type, animated, empty);
- ``TOO_LARGE``: too many bytes or too many pixels;
- ``ACCEPTABLE``: a sound picture whose metadata lies; it is stored with the
  metadata dropped, since refusing a photo for what a camera wrote in its EXIF
  would refuse real phones' photos.

The 60 MB file is never held in memory: ``LazyBytes`` produces it chunk by
chunk, and ``multipart_stream`` / ``json_stream`` wrap it in a request body
that is read as the server reads it.
"""

import base64
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from PIL import Image

BIG_FILE_BYTES = 60 * 1024 * 1024
CHUNK = 64 * 1024


class Verdict(Enum):
    INVALID = "invalid"
    TOO_LARGE = "too_large"
    ACCEPTABLE = "acceptable"


def _noise(size: tuple[int, int]) -> Image.Image:
    # Noise does not compress, so half the file is half the picture.
    return Image.frombytes("RGB", size, bytes((i * 7919) % 251 for i in range(size[0] * size[1] * 3)))


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (96, 64), **options) -> bytes:
    """A sound JPEG photo."""
    return _encoded(_noise(size), "JPEG", quality=90, **options)


def png(size: tuple[int, int] = (96, 64)) -> bytes:
    return _encoded(_noise(size), "PNG")


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose IHDR (with a valid CRC) claims ``width`` x ``height``: a pixel bomb."""
    raw = _encoded(Image.new("RGB", (1, 1)), "PNG")
    start = raw.index(b"IHDR")
    chunk = b"IHDR" + struct.pack(">II", width, height) + raw[start + 12: start + 17]
    return raw[:start] + chunk + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF) + raw[start + 21:]


def absurd_exif() -> bytes:
    """EXIF (little-endian TIFF) that lies: orientation 65535 (only 1..8 exist), a 4-gigapixel width,
    a 2-gigabyte string past the end of the block, and an EXIF IFD pointing back at itself."""
    entries = [
        (0x0100, 4, 1, 0xFFFFFFFF),  # ImageWidth (LONG)
        (0x0112, 3, 1, 65535),  # Orientation (SHORT)
        (0x010F, 2, 0x7FFFFFFF, 0x100),  # Make: ASCII, count and offset beyond the data
        (0x8769, 4, 1, 8),  # ExifIFD pointer: back to this very IFD
    ]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *entry) for entry in entries)
    return b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"X" * 64


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (16, 16), color) for color in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    return _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("room.jpg", jpeg((8, 8)))
    return out.getvalue()


@dataclass(frozen=True)
class Sample:
    """One corpus item: a file name as the client sends it, its bytes (or a lazy big body) and the verdict."""

    id: str
    filename: str
    verdict: Verdict
    data: bytes = b""
    size: int | None = None  # set for a lazily generated file

    @property
    def length(self) -> int:
        return self.size if self.size is not None else len(self.data)

    def open(self) -> "io.RawIOBase":
        """A readable file of the sample's bytes (lazy for the big file)."""
        return LazyBytes(self.size) if self.size is not None else io.BytesIO(self.data)


def samples() -> list[Sample]:
    """The corpus, in a stable order (test ids are the ``id``s)."""
    whole_jpeg, whole_png = jpeg((256, 192)), png((256, 192))
    return [
        Sample("truncated-jpeg", "room.jpg", Verdict.INVALID, whole_jpeg[: len(whole_jpeg) // 2]),
        Sample("truncated-png", "room.png", Verdict.INVALID, whole_png[: len(whole_png) // 2]),
        Sample("png-declaring-100k-square", "room.png", Verdict.TOO_LARGE, png_claiming(100_000, 100_000)),
        Sample("jpeg-absurd-exif", "room.jpg", Verdict.ACCEPTABLE, jpeg(exif=absurd_exif())),
        Sample("svg-named-jpg", "room.jpg", Verdict.INVALID,
               b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'><rect width='9' height='9'/></svg>"),
        Sample("html-named-jpg", "room.jpg", Verdict.INVALID,
               b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"),
        Sample("zip", "rooms.zip", Verdict.INVALID, a_zip()),
        Sample("animated-gif", "room.gif", Verdict.INVALID, animated_gif()),
        Sample("empty", "room.jpg", Verdict.INVALID, b""),
        Sample("60mb", "huge.jpg", Verdict.TOO_LARGE, size=BIG_FILE_BYTES),
    ]


SAMPLES = samples()


class LazyBytes(io.RawIOBase):
    """``size`` bytes of a JPEG start followed by filler, made as they are read."""

    HEAD = jpeg((8, 8))[:-2]  # a JPEG that never ends: a client streaming a huge photo

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.position)
        if count <= 0:
            return 0
        head = self.HEAD[self.position: self.position + count]
        buffer[: len(head)] = head
        buffer[len(head): count] = b"\0" * (count - len(head))
        self.position += count
        return count


class BodyStream(io.RawIOBase):
    """A request body made of byte strings and readable files, read lazily and counted."""

    def __init__(self, parts: list) -> None:
        self.parts = [io.BytesIO(p) if isinstance(p, bytes) else p for p in parts]
        self.length = sum(_length(p) for p in parts)
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self.parts:
            count = self.parts[0].readinto(buffer)
            if count:
                self.read_bytes += count
                return count
            self.parts.pop(0)
        return 0


def _length(part) -> int:
    return len(part) if isinstance(part, bytes) else part.size


BOUNDARY = "hardeningBoundary7MA4YWxkTrZu0gW"


def multipart_stream(fields: dict[str, str | bytes], files: list[tuple[str, Sample]]) -> BodyStream:
    """A multipart/form-data body (``BOUNDARY``) with text fields and (name, file)s, file bytes read lazily."""
    parts: list = []
    for name, value in fields.items():
        raw = value if isinstance(value, bytes) else value.encode()
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + raw + b"\r\n")
    for name, sample in files:
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{sample.filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode())
        parts.append(sample.open() if sample.size is not None else sample.data)
        parts.append(b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return BodyStream(parts)


class Base64Stream(io.RawIOBase):
    """The base64 text of a lazily made file, without holding it."""

    def __init__(self, source: LazyBytes) -> None:
        self.source = source
        self.size = (source.size + 2) // 3 * 4
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self.pending) < len(buffer):
            chunk = self.source.read(CHUNK * 3)  # a multiple of 3: no padding mid-stream
            if not chunk:
                break
            self.pending += base64.b64encode(chunk)
        count = min(len(buffer), len(self.pending))
        buffer[:count], self.pending = self.pending[:count], self.pending[count:]
        return count


def data_url(sample: Sample) -> str:
    """The sample as the ``data:`` URL a JSON client sends (small samples only)."""
    return "data:image/jpeg;base64," + base64.b64encode(sample.data).decode()


def json_stream(prefix: str, sample: Sample, suffix: str) -> BodyStream:
    """``prefix`` + the big sample as a base64 data URL + ``suffix``, produced lazily."""
    return BodyStream([prefix.encode() + b"data:image/jpeg;base64,", Base64Stream(LazyBytes(sample.length)),
                       suffix.encode()])


def chunks(stream: io.RawIOBase) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk
