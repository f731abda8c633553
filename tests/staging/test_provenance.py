"""Provenance: every staged file says it is AI-composited and carries a signed C2PA manifest."""

import hashlib
import http.server
import io
import os
import stat
import threading

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from config.files.renditions import encode_jpeg
from staging import provenance
from staging.models import Staging
from tests.staging.test_stage_flow import run_one

pytestmark = pytest.mark.django_db

MIME = {"png": "image/png", "webp": "image/webp", "jpg": "image/jpeg"}
# The development chain is on no trust list; every other failure code is a real problem.
UNTRUSTED = ["signingCredential.untrusted"]


@pytest.fixture
def certificate(settings, tmp_path):
    settings.STAGING_C2PA_CERT_PATH = tmp_path / "c2pa" / "chain.pem"
    settings.STAGING_C2PA_KEY_PATH = tmp_path / "c2pa" / "key.pem"
    call_command("create_provenance_certificate", stdout=io.StringIO())
    return settings


def stored(field) -> bytes:
    with default_storage.open(field.name, "rb") as handle:
        return handle.read()


def photo(size=(320, 240)) -> Image.Image:
    """A smooth gradient with texture: JPEG keeps it close, and flipped bits show."""
    width, height = size
    x, y = np.meshgrid(np.linspace(0, 1, width), np.linspace(0, 1, height))
    rgb = np.stack([x * 200 + 30, y * 180 + 40, (x + y) * 80 + 60 + 10 * np.sin(x * 40)], axis=-1)
    return Image.fromarray(rgb.astype(np.uint8))


def stamp_jpeg(image: Image.Image, *, original: bytes = b"", **fields) -> provenance.Stamped:
    original = original or encode_jpeg(image)
    return provenance.stamp(encode_jpeg(image, xmp=provenance.XMP_PACKET), mime="image/jpeg", title="thumb.jpg",
                            original=original, original_mime="image/jpeg", engine=fields.get("engine", "scripted"),
                            model=fields.get("model", "m-1"), staging_id=fields.get("staging_id", "s1"))


def flip_scan_byte(jpeg: bytes) -> bytes:
    """Change one byte of the entropy-coded pixels after the last start-of-scan."""
    tampered = bytearray(jpeg)
    tampered[jpeg.rfind(b"\xff\xda") + 200] ^= 0x55
    return bytes(tampered)


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
        assert manifest["failures"] == UNTRUSTED
        assert manifest["actions"] == ["c2pa.opened", "c2pa.edited"]
        assert manifest["digital_source_type"] == provenance.DIGITAL_SOURCE_TYPE
        assert manifest["staging"] == {"original_sha256": original_sha256, "engine": "scripted",
                                       "model": "scripted-test-engine", "staging_id": str(staging.pk)}
        assert manifest["ingredients"] == ["original"]
        assert manifest["signed_by"] == "StageCraft development signer"
    block = body["result"]["provenance"]
    assert block["standard"] == "C2PA" and block["original_sha256"] == original_sha256
    assert block["manifest_label"].startswith("urn:c2pa:")


def test_a_stamped_jpeg_decodes_at_the_same_size_with_the_same_pixels(certificate):
    image = photo()
    unsigned = Image.open(io.BytesIO(encode_jpeg(image, xmp=provenance.XMP_PACKET)))

    signed = Image.open(io.BytesIO(stamp_jpeg(image).content))

    assert signed.format == "JPEG" and signed.size == image.size
    # Signing adds segments and leaves the compressed pixels alone.
    assert np.array_equal(np.asarray(signed), np.asarray(unsigned))
    assert np.abs(np.asarray(signed, dtype=int) - np.asarray(image, dtype=int)).mean() < 2


def test_the_stamped_jpeg_xmp_packet_carries_the_digital_source_type(certificate):
    signed = Image.open(io.BytesIO(stamp_jpeg(photo()).content))

    xmp = signed.info["xmp"].decode()

    assert (f"<Iptc4xmpExt:DigitalSourceType>{provenance.DIGITAL_SOURCE_TYPE}</Iptc4xmpExt:DigitalSourceType>"
            in xmp)


def test_reading_a_stamped_jpeg_gives_back_the_edit_engine_model_and_original_hash(certificate):
    original = encode_jpeg(photo(), quality=70)
    stamped = stamp_jpeg(photo(), original=original, engine="replicate", model="flux-fill", staging_id="42")

    manifest = provenance.read_provenance(stamped.content)

    assert manifest["validation_state"] == "Valid" and manifest["failures"] == UNTRUSTED
    assert manifest["actions"] == ["c2pa.opened", "c2pa.edited"]
    assert manifest["digital_source_type"] == provenance.DIGITAL_SOURCE_TYPE
    assert manifest["software_agent"] == "StageCraft staging (replicate flux-fill)"
    assert manifest["original_sha256"] == hashlib.sha256(original).hexdigest()
    assert (manifest["engine"], manifest["model"]) == ("replicate", "flux-fill")
    assert manifest["staging"]["staging_id"] == "42"
    assert manifest["ingredients"] == ["original"]
    summary = {key: manifest[key] for key in stamped.manifest}
    assert summary == stamped.manifest


def test_pixels_changed_in_a_stamped_jpeg_read_back_invalid(certificate):
    signed = stamp_jpeg(photo()).content
    tampered = flip_scan_byte(signed)
    Image.open(io.BytesIO(tampered)).load()

    verdict = provenance.read_provenance(tampered)

    assert verdict["validation_state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in verdict["failures"]


def test_a_manifest_edited_after_signing_reads_back_invalid(certificate):
    stamped = stamp_jpeg(photo())
    claimed = stamped.manifest["original_sha256"].encode()
    # Claim another original: same length, so only the signature can tell.
    forged = stamped.content.replace(claimed, hashlib.sha256(b"another photo").hexdigest().encode())
    assert forged != stamped.content

    verdict = provenance.read_provenance(forged)

    assert verdict["validation_state"] == "Invalid"
    assert "assertion.hashedURI.mismatch" in verdict["failures"]


def test_pixels_changed_in_a_stamped_png_read_back_invalid(certificate):
    content = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 100, 80)).save(content, "PNG")
    signed = provenance.stamp(content.getvalue(), mime="image/png", title="staged.png", original=encode_jpeg(photo()),
                              original_mime="image/jpeg", engine="scripted", model="m", staging_id="s1").content
    assert provenance.read_provenance(signed, mime="image/png")["validation_state"] == "Valid"
    tampered = bytearray(signed)
    tampered[signed.find(b"IDAT") + 12] ^= 0xFF

    verdict = provenance.read_provenance(bytes(tampered), mime="image/png")

    assert verdict["validation_state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in verdict["failures"]


def test_a_file_without_a_manifest_reads_empty():
    assert provenance.read_provenance(encode_jpeg(photo())) == {}


def test_an_original_naming_a_remote_manifest_is_signed_without_fetching_it(certificate):
    requests = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/manifest.c2pa"
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           f'<rdf:Description rdf:about="" xmlns:dcterms="http://purl.org/dc/terms/" dcterms:provenance="{url}"/>'
           "</rdf:RDF></x:xmpmeta>")
    try:
        stamped = stamp_jpeg(photo(), original=encode_jpeg(photo(), xmp=xmp))
    finally:
        server.shutdown()
        server.server_close()

    assert requests == []
    assert provenance.read_provenance(stamped.content)["validation_state"] == "Valid"


def test_an_original_with_a_broken_c2pa_manifest_is_still_named_as_the_parent(certificate):
    signed = stamp_jpeg(photo()).content
    broken = bytearray(signed)
    broken[signed.find(b"jumb") + 300] ^= 0xFF

    stamped = stamp_jpeg(photo(), original=bytes(broken))

    manifest = provenance.read_provenance(stamped.content)
    assert manifest["validation_state"] == "Valid" and manifest["ingredients"] == ["original"]
    assert manifest["original_sha256"] == hashlib.sha256(bytes(broken)).hexdigest()


def test_production_without_a_certificate_is_provenance_unavailable(settings, tmp_path):
    settings.PRODUCTION = True
    settings.STAGING_C2PA_CERT_PATH = tmp_path / "missing.pem"
    settings.STAGING_C2PA_KEY_PATH = tmp_path / "missing-key.pem"
    with pytest.raises(provenance.ProvenanceUnavailable) as raised:
        stamp_jpeg(photo())
    assert raised.value.code == "PROVENANCE_UNAVAILABLE" and raised.value.status == 503
    assert "create_provenance_certificate" in raised.value.message
    assert "STAGING_C2PA_CERT_PATH" in raised.value.message
    assert not settings.STAGING_C2PA_KEY_PATH.exists()


def test_a_development_certificate_that_cannot_be_written_is_provenance_unavailable(settings, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    settings.STAGING_C2PA_CERT_PATH = tmp_path / "a-file" / "chain.pem"
    settings.STAGING_C2PA_KEY_PATH = tmp_path / "a-file" / "key.pem"
    with pytest.raises(provenance.ProvenanceUnavailable):
        stamp_jpeg(photo())


def test_an_unreadable_key_is_provenance_unavailable(certificate):
    key = b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
    certificate.STAGING_C2PA_KEY_PATH.write_bytes(key)
    with pytest.raises(provenance.ProvenanceUnavailable) as raised:
        stamp_jpeg(photo())
    assert raised.value.code == "PROVENANCE_UNAVAILABLE"


def test_a_key_from_another_certificate_is_provenance_unavailable(certificate):
    _, other_key = provenance.development_certificate()
    certificate.STAGING_C2PA_KEY_PATH.write_bytes(other_key)
    with pytest.raises(provenance.ProvenanceUnavailable):
        stamp_jpeg(photo())


def test_a_signer_loaded_before_a_fork_still_signs_in_the_child(certificate):
    stamp_jpeg(photo())
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            verdict = provenance.read_provenance(stamp_jpeg(photo()).content)["validation_state"]
        except BaseException as exc:
            verdict = repr(exc)
        os.write(writer, verdict.encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    with os.fdopen(reader, "rb") as pipe:
        assert pipe.read().decode() == "Valid"


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

    out = io.StringIO()
    call_command("create_provenance_certificate", stdout=out)
    assert key_path.read_bytes() == first
    assert "Kept" in out.getvalue() and str(key_path) in out.getvalue()
    call_command("create_provenance_certificate", "--force", stdout=io.StringIO())
    assert key_path.read_bytes() != first
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert sorted(path.name for path in key_path.parent.iterdir()) == ["chain.pem", "key.pem"]
