"""The listing export pack: MLS-sized sRGB JPEGs, originals, disclosure captions and a manifest, in one ZIP."""

import io
import json
import zipfile

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageCms

from staging import export, services
from staging.models import DisclosureProfile
from tests.factories import UserFactory
from tests.staging.test_pages import finish, photo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("accepting")]


def big_staged_png() -> bytes:
    """A 4000 x 3000 photo-like PNG (gradients and texture), larger than any MLS allows."""
    rows, cols = np.mgrid[0:3000, 0:4000]
    rgb = np.stack([(rows / 12) % 256, (cols / 16) % 256, ((rows + cols) / 20) % 256], axis=-1).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def batch(owner):
    california = DisclosureProfile.objects.get(slug="california")
    checked = services.check_request(owner, images=[photo("a.jpg"), photo("b.jpg")], style_id="modern_luxury",
                                     property_name="12 Harbour View", disclosure=california.slug)
    batch = services.create_batch(owner, checked)
    done = finish(batch.stagings.order_by("created_at").first())
    done.download_image.name = default_storage.save(done.file_key("download.png"), ContentFile(big_staged_png()))
    done.save()
    return batch


def unzip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_api_answers_a_zip_named_after_the_property(key_api, batch):
    response = key_api.get(f"/api/stage/batch/{batch.pk}/export")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="12-harbour-view-listing-pack.zip"' in response["Content-Disposition"]
    names = set(unzip(b"".join(response.streaming_content)).namelist())
    assert names == {"manifest.json", "01-living-room-staged.jpg", "01-living-room-original.jpg",
                     "01-living-room-caption.txt"}


def test_staged_photos_are_mls_ready_jpegs_in_srgb(batch):
    pack = unzip(export.listing_pack(batch).read())

    staged = Image.open(io.BytesIO(pack.read("01-living-room-staged.jpg")))
    assert staged.format == "JPEG" and staged.mode == "RGB" and max(staged.size) == 2048
    assert staged.size == (2048, 1536) and len(pack.read("01-living-room-staged.jpg")) < export.MLS_MAX_BYTES
    profile = ImageCms.ImageCmsProfile(io.BytesIO(staged.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)


def test_the_manifest_lists_every_photo_with_its_figures_and_the_disclosure(batch):
    pack = unzip(export.listing_pack(batch).read())
    manifest = json.loads(pack.read("manifest.json"))

    assert manifest["property_name"] == "12 Harbour View" and manifest["mls"]["long_edge_px"] == 2048
    done, waiting = manifest["photos"]
    assert done["status"] == "completed" and done["files"]["staged"] == "01-living-room-staged.jpg"
    assert (done["quality_score"], done["integrity_score"], done["architectural_integrity"]) == (0.87, 0.93, True)
    assert done["disclosure"]["profile"] == "california" and done["disclosure"]["original_url"]
    caption = pack.read("01-living-room-caption.txt").decode()
    assert done["disclosure"]["caption"] in caption and "Original photo:" in caption
    assert waiting["status"] == "queued" and waiting["files"] == {}


def test_the_page_offers_the_pack_once_a_photo_is_done(client, owner, batch):
    client.force_login(owner)
    page = client.get(f"/staging/batches/{batch.pk}/").content.decode()
    assert f'href="/staging/batches/{batch.pk}/export.zip"' in page
    response = client.get(f"/staging/batches/{batch.pk}/export.zip")
    assert response.status_code == 200 and "manifest.json" in unzip(b"".join(response.streaming_content)).namelist()


def test_another_persons_batch_is_not_found(client, batch):
    client.force_login(UserFactory())
    assert client.get(f"/staging/batches/{batch.pk}/export.zip").status_code == 404


def test_a_declutter_and_stage_photo_adds_its_emptied_room_and_the_manifest_names_each_mode(batch):
    done = batch.stagings.order_by("created_at").first()
    done.mode = "declutter_and_stage"
    done.emptied_image.name = default_storage.save(done.file_key("emptied.png"), ContentFile(big_staged_png()))
    done.save()

    pack = unzip(export.listing_pack(batch).read())

    emptied = Image.open(io.BytesIO(pack.read("01-living-room-emptied.jpg")))
    assert emptied.format == "JPEG" and max(emptied.size) == 2048
    manifest = json.loads(pack.read("manifest.json"))
    assert [photo["mode"] for photo in manifest["photos"]] == ["declutter_and_stage", "stage"]
    assert manifest["photos"][0]["files"]["emptied"] == "01-living-room-emptied.jpg"
