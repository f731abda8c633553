"""``quality_score`` is measured from parts that can each fail: fits, banned topics, image quality."""

import base64
import io

import numpy as np
import pytest
from PIL import Image
from skimage import data as skimage_data

from personas import quality
from personas.models import ContentItem
from tests.personas.factories import PlatformAccountFactory

pytestmark = pytest.mark.django_db


def sharp_photo() -> Image.Image:
    return Image.fromarray(skimage_data.astronaut())


def noise(seed=1) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (512, 512, 3), dtype=np.uint8))


def item(caption="Sunrise miles before espresso.", hashtags=("running",)) -> ContentItem:
    return ContentItem(caption=caption, hashtags=list(hashtags))


@pytest.fixture
def on_x_and_instagram(character):
    PlatformAccountFactory(character=character, platform="twitter")
    PlatformAccountFactory(character=character, platform="instagram")
    return character


def test_a_fitting_clean_caption_with_a_sharp_photo_scores_high(on_x_and_instagram):
    report = quality.measure(on_x_and_instagram, item(), sharp_photo())

    assert report.score >= 0.9
    assert report.parts["fits"] == {"score": 1.0, "platforms": ["instagram", "twitter"], "cut_on": []}
    assert report.parts["banned_topics"]["score"] == 1.0 and report.parts["image"]["brisque"] < 30


def test_pure_noise_scores_low_on_image_quality(on_x_and_instagram):
    good = quality.measure(on_x_and_instagram, item(), sharp_photo())
    bad = quality.measure(on_x_and_instagram, item(), noise())

    assert bad.parts["image"]["score"] <= 0.2 and bad.parts["image"]["brisque"] > 70
    assert bad.score < good.score - 0.2


def test_a_banned_topic_in_the_caption_scores_zero_on_that_part(on_x_and_instagram):
    report = quality.measure(on_x_and_instagram, item("My take on politics today."), sharp_photo())

    assert report.parts["banned_topics"] == {"score": 0.0, "found": ["politics"]}
    assert report.score <= 0.65


def test_a_banned_topic_inside_another_word_is_not_one(on_x_and_instagram):
    assert quality.measure(on_x_and_instagram, item("Apolitical sunrise."), None).parts["banned_topics"]["score"] == 1


def test_a_caption_too_long_for_x_fits_only_half_the_platforms(on_x_and_instagram):
    report = quality.measure(on_x_and_instagram, item("word " * 80), None)

    assert report.parts["fits"]["score"] == 0.5 and report.parts["fits"]["cut_on"] == ["twitter"]
    assert "image" not in report.parts


def test_without_any_platform_the_fit_is_not_scored(character):
    character.platforms = []
    report = quality.measure(character, item(), None)
    assert "fits" not in report.parts and report.score == 1.0


def test_composed_content_carries_its_measured_score_and_parts(persona_api, character):
    buffer = io.BytesIO()
    noise().save(buffer, "PNG")
    data = persona_api.post("/api/v1/content", {"character_id": str(character.pk), "caption": "Static.",
                                                "media": [{"data": base64.b64encode(buffer.getvalue()).decode(),
                                                           "content_type": "image/png"}]},
                            format="json").json()["data"]

    stored = ContentItem.objects.get()
    assert data["quality_score"] == stored.quality_score and data["quality_parts"]["image"]["score"] <= 0.2
