"""Provenance: every staged file says it is AI-composited and carries a signed C2PA manifest."""

import hashlib
import io
import stat

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from staging import provenance
from staging.models import Staging
from tests.staging.test_stage_flow import run_one

pytestmark = pytest.mark.django_db

MIME = {"png": "image/png", "webp": "image/webp", "jpg": "image/jpeg"}


@pytest.fixture
def certificate(settings, tmp_path):
    settings.STAGING_C2PA_CERT_PATH = tmp_path / "c2pa" / "chain.pem"
    settings.STAGING_C2PA_KEY_PATH = tmp_path / "c2pa" / "key.pem"
    call_command("create_provenance_certificate", stdout=io.StringIO())
    return settings


def stored(field) -> bytes:
    with default_storage.open(field.name, "rb") as handle:
        return handle.read()


def pixels_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=None)
    return out.getvalue()


@pytest.fixture
def signed(certificate) -> bytes:
    content = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 100, 80)).save(content, "PNG")
    original = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(original, "JPEG")
    return provenance.stamp(content.getvalue(), mime="image/png", title="staged.png", original=original.getvalue(),
                            original_mime="image/jpeg", engine="scripted", model="m", staging_id="s1").content


def test_every_staged_file_carries_the_digital_source_type_and_a_valid_manifest(
        certificate, key_api, furnishing_engine, working_size, run_queued, room_jpeg, labeler_present,
        django_capture_on_commit_callbacks):
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    staging = Staging.objects.get(pk=body["id"])
    original_sha256 = hashlib.sha256(stored(staging.original_image)).hexdigest()
    for field in ("staged_image", "web_image", "thumbnail", "download_image"):
        content = stored(getattr(staging, field))
        assert provenance.DIGITAL_SOURCE_TYPE.encode() in content, field
        manifest = provenance.read_provenance(content, mime=MIME[getattr(staging, field).name.rsplit(".", 1)[-1]])
        # Valid: signed and intact; not Trusted, as the development CA is on no trust list.
        assert manifest["validation_state"] == "Valid", (field, manifest)
        assert manifest["actions"] == ["c2pa.opened", "c2pa.edited"]
        assert manifest["digital_source_type"] == provenance.DIGITAL_SOURCE_TYPE
        assert manifest["staging"] == {"original_sha256": original_sha256, "engine": "scripted",
                                       "model": "scripted-test-engine", "staging_id": str(staging.pk)}
        assert manifest["ingredients"] == ["original"]
        assert manifest["signed_by"] == "StageCraft development signer"
    block = body["result"]["provenance"]
    assert block["standard"] == "C2PA" and block["original_sha256"] == original_sha256


def test_pixels_changed_after_signing_read_back_invalid(signed):
    image = Image.open(io.BytesIO(signed))
    image.load()
    assert provenance.read_provenance(signed, mime="image/png")["validation_state"] == "Valid"
    tampered = bytearray(signed)
    idat = signed.find(b"IDAT")
    tampered[idat + 12] ^= 0xFF

    verdict = provenance.read_provenance(bytes(tampered), mime="image/png")

    assert verdict["validation_state"] == "Invalid"
    assert verdict["failures"]


def test_a_file_without_a_manifest_reads_empty():
    content = io.BytesIO()
    Image.new("RGB", (8, 8)).save(content, "PNG")
    assert provenance.read_provenance(content.getvalue(), mime="image/png") == {}


def test_production_without_a_certificate_is_provenance_unavailable(settings, tmp_path):
    settings.PRODUCTION = True
    settings.STAGING_C2PA_CERT_PATH = tmp_path / "missing.pem"
    settings.STAGING_C2PA_KEY_PATH = tmp_path / "missing-key.pem"
    with pytest.raises(provenance.ProvenanceUnavailable) as raised:
        provenance.stamp(b"x", mime="image/png", title="t", original=b"y", original_mime="image/jpeg", engine="e",
                         model="m", staging_id="s")
    assert raised.value.code == "PROVENANCE_UNAVAILABLE" and "create_provenance_certificate" in raised.value.message


def test_a_staging_that_cannot_be_signed_fails_and_is_not_charged(
        settings, tmp_path, key_api, furnishing_engine, working_size, run_queued, room_jpeg, owner, labeler_present,
        django_capture_on_commit_callbacks):
    settings.PRODUCTION = True
    settings.STAGING_C2PA_CERT_PATH = tmp_path / "missing.pem"
    settings.STAGING_C2PA_KEY_PATH = tmp_path / "missing-key.pem"
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "failed" and body["error_code"] == "PROVENANCE_UNAVAILABLE"
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_the_command_makes_a_private_key_once_and_replaces_it_with_force(certificate):
    key_path = certificate.STAGING_C2PA_KEY_PATH
    first = key_path.read_bytes()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600

    call_command("create_provenance_certificate", stdout=io.StringIO())
    assert key_path.read_bytes() == first
    call_command("create_provenance_certificate", "--force", stdout=io.StringIO())
    assert key_path.read_bytes() != first
