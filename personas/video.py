"""Videos people upload for publishing: checked with ffprobe, converted with ffmpeg where a platform needs it.

Both tools are Debian's ``ffmpeg`` package (``apt-packages.txt``). A video is
accepted when ffprobe reads it as MP4/MOV or WebM with one H.264, HEVC, VP9 or
AV1 video stream, within ``MAX_SECONDS`` and the byte limit; what it finds
(size, length, codec) is stored with the content so scheduling can check each
platform's rules (``platform_rules``) without reading the file again.
``to_h264`` re-encodes for a platform that takes only H.264/HEVC (an MP4 with
AAC sound and the index up front, as Instagram and X ask).
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from config.errors import ApplicationError, ValidationFailed

CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm"}
CODECS = ("h264", "hevc", "vp9", "av1")
MAX_SECONDS = 15 * 60
PROBE_SECONDS = 30
ENCODE_SECONDS = 600


class VideoToolsMissing(ApplicationError):
    code = "INTERNAL_ERROR"
    status = 503
    default_message = "This server cannot read videos: ffmpeg is not installed."


@dataclass(frozen=True)
class VideoFacts:
    container: str  # "mp4" or "webm"
    codec: str
    width: int
    height: int
    seconds: float
    size: int

    @property
    def extension(self) -> str:
        return self.container

    @property
    def mime_type(self) -> str:
        return f"video/{self.container}"


def probe(data: bytes, *, field: str = "video", max_bytes: int) -> VideoFacts:
    """Read ``data`` with ffprobe; ``ValidationFailed`` naming ``field`` unless it is a video we accept."""
    if len(data) > max_bytes:
        raise ValidationFailed(f"{field}: the video is larger than {max_bytes // (1024 * 1024)} MB.",
                               details={"field": field, "max_bytes": max_bytes})
    with tempfile.NamedTemporaryFile(suffix=".video") as source:
        source.write(data)
        source.flush()
        found = _run([_tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                      source.name], PROBE_SECONDS)
    try:
        info = json.loads(found.stdout or b"{}")
    except ValueError:
        info = {}
    container = CONTAINERS.get(info.get("format", {}).get("format_name", ""))
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if found.returncode != 0 or container is None or len(streams) != 1:
        raise ValidationFailed(f"{field}: not a video StageCraft can publish (MP4, MOV or WebM with one video "
                               "track).", details={"field": field})
    stream = streams[0]
    if stream.get("codec_name") not in CODECS:
        raise ValidationFailed(f"{field}: {stream.get('codec_name')} video cannot be published; use H.264, HEVC, "
                               "VP9 or AV1.", details={"field": field, "codec": stream.get("codec_name")})
    seconds = float(info["format"].get("duration") or stream.get("duration") or 0)
    if not 0 < seconds <= MAX_SECONDS:
        raise ValidationFailed(f"{field}: videos last up to {MAX_SECONDS // 60} minutes; this one lasts "
                               f"{seconds:.0f} seconds.", details={"field": field, "seconds": seconds})
    return VideoFacts(container=container, codec=stream["codec_name"], width=int(stream.get("width") or 0),
                      height=int(stream.get("height") or 0), seconds=round(seconds, 2), size=len(data))


def to_h264(data: bytes) -> bytes:
    """The video re-encoded as H.264 + AAC in an MP4 with its index first (``+faststart``)."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "source", Path(folder) / "target.mp4"
        source.write_bytes(data)
        done = _run([_tool("ffmpeg"), "-v", "error", "-y", "-i", str(source), "-c:v", "libx264", "-preset",
                     "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart",
                     str(target)], ENCODE_SECONDS)
        if done.returncode != 0:
            raise ValidationFailed("The video could not be converted for the platform.",
                                   details={"ffmpeg": done.stderr.decode(errors="replace")[-300:]})
        return target.read_bytes()


def first_frame(data: bytes):
    """The first frame as a PIL image (the thumbnail of an uploaded video), or None."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "source", Path(folder) / "frame.png"
        source.write_bytes(data)
        done = _run([_tool("ffmpeg"), "-v", "error", "-y", "-i", str(source), "-frames:v", "1", str(target)],
                    PROBE_SECONDS)
        if done.returncode != 0 or not target.exists():
            return None
        with Image.open(target) as frame:
            return frame.convert("RGB")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise VideoToolsMissing(f"This server cannot read videos: {name} is not installed (Debian's ffmpeg).")
    return path


def _run(command: list[str], timeout: int) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ValidationFailed("The video took too long to read; try a shorter or smaller file.") from None
