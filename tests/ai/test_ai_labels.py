"""The EfficientNet-Lite0 labeler with its packaged weights, on CPU."""

import pytest
from PIL import Image, ImageDraw

from config.ai import registry
from config.ai.labels import preprocess
from config.ai.loading import installed
from tests.conftest import require

pytestmark = pytest.mark.usefixtures("ai_packages")

CUP_CLASSES = {"espresso", "cup", "coffee mug"}
FURNITURE = {
    "studio couch", "dining table", "desk", "rocking chair", "folding chair", "barber chair", "throne", "park bench",
    "four-poster", "cradle", "crib", "bassinet", "wardrobe", "bookcase", "china cabinet", "chiffonier",
    "entertainment center", "medicine chest", "file", "table lamp", "pool table", "chest",
}


def photo(name: str):
    """One of scikit-image's bundled photos (no download)."""
    require(installed("skimage"), "scikit-image is not installed (pip install -r requirements-dev.txt)")
    from skimage import data

    return getattr(data, name)()


def shapes() -> Image.Image:
    image = Image.new("RGB", (320, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 120, 120), fill=(220, 30, 30))
    draw.rectangle((150, 40, 290, 180), fill=(30, 60, 200))
    draw.polygon([(60, 220), (120, 140), (180, 220)], fill=(40, 160, 60))
    return image


def test_the_coffee_photo_is_a_cup_of_espresso():
    labels = registry.labeler().label([photo("coffee")], top_k=3).labels[0]

    assert CUP_CLASSES & {label.name for label in labels}
    assert labels[0].score >= labels[1].score >= labels[2].score


def test_drawn_shapes_are_not_confidently_furniture():
    labels = registry.labeler().label([shapes()], top_k=5).labels[0]

    assert sum(label.score for label in labels if label.name in FURNITURE) < 0.2


def test_a_batch_labels_each_image_as_it_would_alone():
    images = [photo("coffee"), shapes(), photo("chelsea")]
    labeler = registry.labeler()

    batched = labeler.label(images, top_k=3, batch_size=2)
    alone = [labeler.label([image], top_k=3).labels[0] for image in images]

    def indexes(rows):
        return [[label.index for label in row] for row in rows]

    assert indexes(batched.labels) == indexes(alone)
    assert (batched.usage.provider, batched.usage.model) == ("efficientnet-lite", "efficientnet-lite0")
    assert registry.status_report()["image_labels"]["status"] == "ready"


def test_preprocessing_matches_the_weights_training_crop_and_scale():
    pixels = preprocess(Image.new("RGB", (400, 300), (255, 127, 0)))

    assert pixels.shape == (3, 224, 224)
    assert pixels[:, 0, 0].tolist() == pytest.approx([1.0, 0.0, -127 / 128])
