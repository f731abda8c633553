"""Uploaded videos for publishing: read by ffprobe, checked against each platform, converted by ffmpeg."""

import base64
import shutil
import subprocess

import pytest

from config.errors import ValidationFailed
from personas import video
from personas.models import ContentItem
from personas.services import scheduling
from tests.conftest import require
from tests.personas.factories import PlatformAccountFactory
from tests.personas.standins import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ffmpeg():
    require(shutil.which("ffprobe") and shutil.which("ffmpeg"), "Debian's ffmpeg is not installed")


def make_video(tmp_path, *, seconds=2, size="180x320", codec="libx264", suffix="mp4") -> bytes:
    """A real video from ffmpeg's test pattern (no file in the repository)."""
    target = tmp_path / f"clip.{suffix}"
    pattern = f"testsrc=duration={seconds}:size={size}:rate=10"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", pattern, "-c:v", codec, "-pix_fmt", "yuv420p",
                    str(target)], check=True)
    return target.read_bytes()


def as_media(data: bytes, kind="video/mp4") -> dict:
    return {"data": base64.b64encode(data).decode(), "content_type": kind}


def test_probe_reads_container_codec_size_and_length(tmp_path):
    facts = video.probe(make_video(tmp_path, seconds=3), max_bytes=10**8)
    assert (facts.container, facts.codec, facts.width, facts.height) == ("mp4", "h264", 180, 320)
    assert 2.9 <= facts.seconds <= 3.1


@pytest.mark.parametrize("data", [b"not a video at all", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100])
def test_probe_refuses_what_is_not_a_video(data):
    with pytest.raises(ValidationFailed, match="not a video StageCraft can publish"):
        video.probe(data, max_bytes=10**8)


def test_probe_refuses_a_video_over_the_byte_limit(tmp_path):
    with pytest.raises(ValidationFailed, match="larger than"):
        video.probe(make_video(tmp_path), max_bytes=1000)


def test_a_vp9_webm_is_converted_to_h264_for_a_platform_that_needs_it(tmp_path):
    webm = make_video(tmp_path, codec="libvpx-vp9", suffix="webm")
    assert video.probe(webm, max_bytes=10**8).codec == "vp9"

    converted = video.probe(video.to_h264(webm), max_bytes=10**8)

    assert (converted.container, converted.codec) == ("mp4", "h264")


def test_composing_a_video_stores_it_with_its_facts_and_a_thumbnail(persona_api, character, tmp_path):
    response = persona_api.post("/api/v1/content", {"character_id": str(character.pk), "caption": "Trail reel",
                                                    "media": [as_media(make_video(tmp_path, seconds=4))]},
                                format="json")

    assert response.status_code == 201, response.content
    item = ContentItem.objects.get()
    assert (item.content_type, item.video_codec, item.width, item.height) == ("video", "h264", 180, 320)
    assert 3.9 <= item.duration_seconds <= 4.1 and item.thumbnail.name and item.safety["nudity"][0]["checked"]


def test_a_video_goes_alone(persona_api, character, tmp_path):
    clip = as_media(make_video(tmp_path))
    response = persona_api.post("/api/v1/content", {"character_id": str(character.pk), "media": [clip, clip]},
                                format="json")
    assert "a video goes alone" in error_of(response, 400, "VALIDATION_ERROR")["message"]


def test_a_video_claiming_to_be_one_but_not_is_refused(persona_api, character):
    response = persona_api.post("/api/v1/content", {"character_id": str(character.pk),
                                                    "media": [as_media(b"plain text, not mp4")]}, format="json")
    assert error_of(response, 400, "VALIDATION_ERROR") and not ContentItem.objects.exists()


def test_scheduling_a_wide_video_as_a_reel_is_refused_naming_the_rule(persona_api, character, tmp_path):
    data = make_video(tmp_path, seconds=4, size="320x180")
    item_id = persona_api.post("/api/v1/content", {"character_id": str(character.pk), "caption": "Wide",
                                                   "media": [as_media(data)]}, format="json").json()["data"]["id"]
    account = PlatformAccountFactory(character=character, platform="instagram")

    with pytest.raises(ValidationFailed) as refused:
        scheduling.create_scheduled_post(character.owner, character_id=character.pk, platform_account_id=account.pk,
                                         content_id=item_id, scheduled_at=None)

    assert refused.value.details["problems"] == ["Instagram wants vertical video here; this one is 320x180."]


def test_bluesky_refuses_a_video_when_it_is_scheduled(persona_api, character, tmp_path):
    item_id = persona_api.post("/api/v1/content", {"character_id": str(character.pk), "caption": "Clip",
                                                   "media": [as_media(make_video(tmp_path))]},
                               format="json").json()["data"]["id"]
    account = PlatformAccountFactory(character=character, platform="bluesky")

    with pytest.raises(ValidationFailed, match="carry images only"):
        scheduling.create_scheduled_post(character.owner, character_id=character.pk, platform_account_id=account.pk,
                                         content_id=item_id, scheduled_at=None)
