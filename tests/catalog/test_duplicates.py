"""Duplicate photos: perceptual hashes on upload and analysis, flags on the product API and the dashboard."""

import pytest
from PIL import Image, ImageEnhance

from catalog import duplicates
from catalog.duplicates import Photo, find_duplicates
from tests.catalog.conftest import encoded
from tests.catalog.drawn import busy_scene, product_photo
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo() -> Image.Image:
    return product_photo((640, 640), fill=0.7)


def resized_copy(photo: Image.Image) -> bytes:
    """The same picture as another file: smaller, slightly brighter, recompressed harder."""
    smaller = ImageEnhance.Brightness(photo.resize((480, 480), Image.Resampling.LANCZOS)).enhance(1.04)
    return encoded(smaller, quality=60)


def flags(client, product) -> dict:
    body = client.get(f"/api/v1/products/{product.pk}").json()
    return {image["id"]: image["duplicates"] for image in body["images"]}


def test_a_recompressed_resized_copy_hashes_within_the_near_distance_and_another_photo_far_beyond(photo, settings):
    original = duplicates.hash_of_file(encoded(photo, quality=92))
    copy = duplicates.hash_of_file(resized_copy(photo))
    other = duplicates.hash_of_file(encoded(busy_scene((640, 640)), quality=92))
    distance = (int(original, 16) ^ int(copy, 16)).bit_count()
    assert len(original) == 16
    assert distance <= settings.CATALOG_DUPLICATE_DISTANCE
    assert (int(original, 16) ^ int(other, 16)).bit_count() > 3 * settings.CATALOG_DUPLICATE_DISTANCE


def test_find_duplicates_tells_exact_from_near_and_skips_far_and_unhashed_photos():
    photos = [Photo("a", "p1", "ffff000000000000", "s1"), Photo("b", "p2", "ffff000000000000", "s1"),
              Photo("c", "p2", "ffff000000000003", "s2"), Photo("d", "p3", "0000ffffffff0000", "s3"),
              Photo("e", "p3", "", "")]
    found = find_duplicates(photos, max_distance=2)
    assert set(found) == {"a", "b", "c"}
    assert [(m.other.image_id, m.kind, m.distance) for m in found["a"]] == [("b", "exact", 0), ("c", "near", 2)]
    assert [(m.other.image_id, m.kind, m.distance) for m in found["c"]] == [("a", "near", 2), ("b", "near", 2)]
    assert find_duplicates(photos, max_distance=1).keys() == {"a", "b"}
    # Asked about some photos only, they are still compared with all of them.
    only_c = find_duplicates(photos, max_distance=2, only={"c", "d"})
    assert only_c.keys() == {"c"} and [m.other.image_id for m in only_c["c"]] == ["a", "b"]


def test_the_same_photo_on_two_products_is_an_exact_duplicate_on_both(alice, owner, upload, photo):
    first, second = ProductFactory(owner=owner), ProductFactory(owner=owner)
    a = upload(alice, first, encoded(photo, quality=92))["image_id"]
    b = upload(alice, second, encoded(photo, quality=92))["image_id"]

    assert flags(alice, first)[a] == [{"image_id": b, "product_id": str(second.pk), "match": "exact", "distance": 0}]
    assert flags(alice, second)[b] == [{"image_id": a, "product_id": str(first.pk), "match": "exact",
                                        "distance": 0}]


def test_a_resized_recompressed_copy_is_a_near_duplicate(alice, owner, upload, photo):
    first, second = ProductFactory(owner=owner), ProductFactory(owner=owner)
    a = upload(alice, first, encoded(photo, quality=92))["image_id"]
    b = upload(alice, second, resized_copy(photo))["image_id"]

    [match] = flags(alice, second)[b]
    assert match["image_id"] == a and match["match"] == "near"


def test_a_different_photo_is_not_flagged(alice, owner, upload, photo):
    product = ProductFactory(owner=owner)
    a = upload(alice, product, encoded(photo, quality=92))["image_id"]
    b = upload(alice, product, encoded(busy_scene((640, 640)), quality=92))["image_id"]

    assert flags(alice, product) == {a: [], b: []}
    assert alice.get("/api/v1/dashboard/stats").json()["duplicate_images"] == 0


def test_another_users_identical_photo_is_not_flagged(alice, charlie, owner, other_user, upload, photo):
    mine, theirs = ProductFactory(owner=owner), ProductFactory(owner=other_user)
    a = upload(alice, mine, encoded(photo, quality=92))["image_id"]
    upload(charlie, theirs, encoded(photo, quality=92))

    assert flags(alice, mine) == {a: []}
    assert alice.get("/api/v1/dashboard/stats").json()["duplicate_images"] == 0


def test_the_dashboard_counts_photos_with_a_duplicate(alice, owner, upload, photo):
    product = ProductFactory(owner=owner)
    for data in (encoded(photo, quality=92), encoded(photo, quality=92), resized_copy(photo),
                 encoded(busy_scene((640, 640)), quality=92)):
        upload(alice, product, data)

    assert alice.get("/api/v1/dashboard/stats").json()["duplicate_images"] == 3


def test_a_near_distance_of_zero_flags_only_identical_hashes(alice, owner, upload, photo, settings):
    settings.CATALOG_DUPLICATE_DISTANCE = 0
    product = ProductFactory(owner=owner)
    upload(alice, product, encoded(photo, quality=92))
    upload(alice, product, encoded(product_photo((640, 640), fill=0.6), quality=92))

    assert alice.get("/api/v1/dashboard/stats").json()["duplicate_images"] == 0


def test_the_analysis_hashes_a_photo_stored_without_a_hash(alice, owner, product, upload, run_queued, photo,
                                                           labeler_present):
    from catalog.models import ProductImage

    image_id = upload(alice, product, encoded(photo, quality=92))["image_id"]
    uploaded_hash = ProductImage.objects.get(pk=image_id).phash
    ProductImage.objects.filter(pk=image_id).update(phash="")  # as a photo stored before hashing existed

    run_queued()

    assert ProductImage.objects.get(pk=image_id).phash == uploaded_hash != ""


def test_the_product_page_and_the_dashboard_flag_a_duplicated_photo(client, alice, owner, upload, photo):
    first, second = ProductFactory(owner=owner, title="Red box"), ProductFactory(owner=owner, title="Blue box")
    upload(alice, first, encoded(photo, quality=92), name="front.jpg")
    upload(alice, second, encoded(photo, quality=92), name="copy.jpg")
    client.force_login(owner)

    page = client.get(f"/catalog/{second.pk}/").content.decode()
    assert "Duplicate</small>" in page and "front.jpg</a> (exact)" in page
    dashboard = client.get("/catalog/dashboard/").content.decode()
    assert 'data-stat="duplicate_images">2<' in dashboard and "copy.jpg</a> (Blue box)" in dashboard


def test_pages_without_duplicates_say_so(client, alice, owner, upload, photo):
    product = ProductFactory(owner=owner)
    upload(alice, product, encoded(photo, quality=92))
    client.force_login(owner)

    assert "Duplicate</small>" not in client.get(f"/catalog/{product.pk}/").content.decode()
    assert "No duplicated photos." in client.get("/catalog/dashboard/").content.decode()


def test_the_command_hashes_photos_stored_before_hashing_and_skips_unreadable_ones(owner, photo):
    from io import StringIO

    from django.core.management import call_command

    from tests.catalog.factories import ProductImageFactory

    product = ProductFactory(owner=owner)
    first = ProductImageFactory(product=product, data=encoded(photo, quality=92))
    second = ProductImageFactory(product=product, data=encoded(photo, quality=92))
    broken = ProductImageFactory(product=product, data=b"not an image")
    out = StringIO()

    call_command("catalog_hash_photos", stdout=out)

    assert out.getvalue().strip() == "Hashed 2 photo(s); 1 could not be read."
    for image in (first, second, broken):
        image.refresh_from_db()
    assert first.phash == second.phash == duplicates.hash_of_file(encoded(photo, quality=92)) and broken.phash == ""
    call_command("catalog_hash_photos", stdout=out)  # again: nothing left but the unreadable one
    assert out.getvalue().strip().endswith("Hashed 0 photo(s); 1 could not be read.")
