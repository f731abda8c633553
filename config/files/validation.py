"""Upload checks by content: format, bytes, pixels, orientation, metadata.

``clean_image`` is the one gate every app's image uploads pass through. It
trusts nothing the client says (name, extension, content type): it sniffs the
bytes with Pillow, refuses decompression bombs before decoding, decodes the
whole image (a truncated file fails here, not later in a worker), applies the
EXIF orientation and re-encodes without EXIF, so GPS position, camera serial
numbers and similar identifying data never reach storage.

``check_image`` is its first half alone (magic bytes, header dimensions, byte
size) for an upload whose decoding is a job's work: staging stores the bytes
untouched under a key no URL is ever made for, and its job cleans them.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from config.errors import InvalidUpload, UploadTooLarge

try:  # HEIC/HEIF support is optional (pillow-heif).
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - depends on the installation
    pass

ORIENTATION = 0x0112  # the EXIF tag
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif",
              "HEIF": "image/heic", "MPO": "image/jpeg"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Formats we store as they came (after re-encoding); anything else is converted to one of these.
STORED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# Formats whose animations a caller may accept (``animated=``): stored with every frame.
ANIMATED_FORMATS = ("GIF", "WEBP")
# An accepted animation may decode to as many pixels, all frames together, as one still may
# (``max_pixels``); the frame cap bounds the per-frame work of many tiny frames.
MAX_FRAMES = 1000


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str  # Pillow's name of the stored format, e.g. "JPEG"
    width: int
    height: int
    source_format: str
    frames: int = 1  # more than one for an accepted animation

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class ImageHeader:
    """What an image's header says, read without decoding a pixel (``check_image``)."""

    format: str  # Pillow's name of the source format, e.g. "JPEG"
    width: int  # upright: the EXIF orientation applied, as ``clean_image`` will store it
    height: int
    size: int  # bytes


def read_limited(upload, max_bytes: int) -> bytes:
    """Read an uploaded file, refusing it as soon as it passes ``max_bytes``."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadTooLarge(f"The file is {size} bytes; the limit is {max_bytes}.",
                             details={"size": size, "max_bytes": max_bytes})
    if hasattr(upload, "seek"):
        upload.seek(0)
    # read(n) allocates n bytes up front: ask for what the file holds, not for the limit.
    data = upload.read((max_bytes if size is None else min(size, max_bytes)) + 1)
    if len(data) > max_bytes:
        raise UploadTooLarge(f"The file is larger than {max_bytes} bytes.", details={"max_bytes": max_bytes})
    return data


def sniff_format(data: bytes) -> str:
    """Pillow's name for the image format of ``data``, or raise ``InvalidUpload``."""
    if not data:
        raise InvalidUpload("The file is empty.", details="0 bytes received")
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.format or ""
    except Image.DecompressionBombError:
        raise UploadTooLarge("The image has too many pixels.", details="decompression bomb") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise InvalidUpload("The file is not a recognised image.", details="unrecognised content") from None


def check_image(data: bytes, *, allowed: tuple[str, ...] = ("JPEG", "PNG"), max_bytes: int | None = None,
                max_pixels: int | None = None) -> ImageHeader:
    """Check image bytes by their magic bytes, header dimensions and byte size only.

    The cheap half of ``clean_image``, for a request that stores the bytes
    untouched and leaves the decoding and cleaning to a job: nothing is
    decoded, so a body that is corrupt behind a sound header passes here and
    fails in ``clean_image``. Bytes that pass must never be served as they are.
    Raises ``InvalidUpload`` (wrong content) or ``UploadTooLarge`` (bytes or pixels).
    """
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.UPLOAD_MAX_PIXELS
    if len(data) > max_bytes:
        raise UploadTooLarge(f"The file is larger than {max_bytes} bytes.", details={"max_bytes": max_bytes})
    source_format = sniff_format(data)
    if source_format == "MPO":  # multi-picture JPEG from phones: first frame is the photo
        source_format = "JPEG"
    if source_format not in allowed:
        names = ", ".join(allowed)
        received = MIME_TYPES.get(source_format, source_format or "unknown")
        raise InvalidUpload(f"Image must be one of: {names}.", details=f"Received {received} format")
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width * height > max_pixels:
            raise UploadTooLarge(f"The image has {width * height} pixels; the limit is {max_pixels}.",
                                 details={"width": width, "height": height, "max_pixels": max_pixels})
        try:
            # Read from the header's EXIF block; orientations 5 to 8 turn the photo a quarter.
            turned = image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)
        except (OSError, SyntaxError, ValueError):
            turned = False  # a broken EXIF block is the decode's to refuse, in ``clean_image``
    return ImageHeader(source_format, *((height, width) if turned else (width, height)), len(data))


def clean_image(data: bytes, *, allowed: tuple[str, ...] = ("JPEG", "PNG"), max_bytes: int | None = None,
                max_pixels: int | None = None, convert_to: str | None = None,
                keep: tuple[str, ...] = STORED_FORMATS, animated: tuple[str, ...] = ()) -> CleanImage:
    """Validate and normalise image bytes.

    ``allowed`` are the accepted source formats (Pillow names, e.g. ``HEIF``).
    Sources in ``keep`` are stored in their own format, others as JPEG;
    ``convert_to`` forces one format for all.
    Animations are refused unless their format is in ``animated`` (of
    ``ANIMATED_FORMATS``): those keep their format and every frame, each
    decoded and re-encoded without metadata, within ``max_pixels`` for all
    frames together and ``MAX_FRAMES``; ``CleanImage.frames`` says how many.
    Raises ``InvalidUpload`` (wrong or broken content) or ``UploadTooLarge``
    (bytes or pixels over the limit).
    """
    max_pixels = max_pixels or settings.UPLOAD_MAX_PIXELS
    # Format, bytes and pixels from the header, before any pixel is decoded.
    source_format = check_image(data, allowed=allowed, max_bytes=max_bytes, max_pixels=max_pixels).format
    with Image.open(io.BytesIO(data)) as image:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise InvalidUpload("The image is truncated or corrupt.", details="decode failed") from None
        # Every app stores stills (room, product, face, floor plan photos). An animation would
        # be stored as its first frame at best, so it is refused like any other wrong content.
        # A phone's MPO also has several frames, but its first is the photo itself.
        if getattr(image, "is_animated", False) and source_format in animated and source_format in ANIMATED_FORMATS:
            return _encode_animation(image, source_format, max_pixels, image.info.get("icc_profile"))
        if getattr(image, "is_animated", False) and image.format != "MPO":
            raise InvalidUpload("The image must be a still picture, not an animation.",
                                details=f"{getattr(image, 'n_frames', 0)} frames")
        target = convert_to or (source_format if source_format in keep else "JPEG")
        oriented = ImageOps.exif_transpose(image)
        return _encode(oriented, target, source_format, image.info.get("icc_profile"))


def _encode(image: Image.Image, target: str, source_format: str, icc_profile: bytes | None) -> CleanImage:
    if target == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    options: dict = {}
    if target == "JPEG":
        options = {"quality": 92, "optimize": True}
    elif target == "WEBP":
        options = {"quality": 92}
    if icc_profile:  # colour profile is not identifying and changes how colours look
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    image.save(out, format=target, **options)  # no exif= argument: metadata is dropped
    return CleanImage(out.getvalue(), target, image.width, image.height, source_format)


def _encode_animation(image: Image.Image, target: str, max_pixels: int, icc_profile: bytes | None) -> CleanImage:
    frames: list[Image.Image] = []
    durations: list[int] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                # Checked before each frame is decoded, so the work stays within the limits.
                if index >= MAX_FRAMES:
                    raise UploadTooLarge(f"The animation has more than {MAX_FRAMES} frames.",
                                         details={"max_frames": MAX_FRAMES})
                if (index + 1) * image.width * image.height > max_pixels:
                    raise UploadTooLarge(f"The animation's frames have more than {max_pixels} pixels together.",
                                         details={"width": image.width, "height": image.height,
                                                  "frames": index + 1, "max_pixels": max_pixels})
                frames.append(ImageOps.exif_transpose(frame))  # decodes the frame: a copy, upright
                durations.append(frame.info.get("duration", 0))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise InvalidUpload("The image is truncated or corrupt.", details="decode failed") from None
    # No exif= or xmp= argument, and an empty GIF comment: metadata is dropped, as for stills.
    options: dict = {"save_all": True, "append_images": frames[1:], "duration": durations}
    if "loop" in image.info:
        options["loop"] = image.info["loop"]
    if target == "WEBP":
        options["quality"] = 92
    if target == "GIF":
        options["comment"] = b""
    if icc_profile:
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    frames[0].save(out, format=target, **options)
    return CleanImage(out.getvalue(), target, frames[0].width, frames[0].height, target, frames=len(frames))
