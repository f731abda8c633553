"""The interior check and room-type hints: the rule on chosen labels, then the real labeler."""

import pytest
from PIL import Image

from config.ai.imagenet_classes import IMAGENET_CLASSES
from config.ai.labels import REQUIRED_MODULES, Label, LabelResult
from config.ai.loading import installed
from config.ai.usage import CallRecord
from staging.choices import RoomType
from staging.interior import (
    NEUTRAL_SCENES,
    OBJECT_THRESHOLD,
    OUTDOOR_CLASSES,
    OUTDOOR_THRESHOLD,
    ROOM_CLASSES,
    check_interior,
    judge_labels,
    room_type_hint,
)
from tests.conftest import require
from tests.staging.drawings import draw_room


class FakeLabeler:
    """Answers every photo with the labels the test chose."""

    def __init__(self, *labels: tuple[str, float]) -> None:
        self.answer = [Label(IMAGENET_CLASSES.index(name), name, score) for name, score in labels]

    def label(self, images, *, top_k: int = 5) -> LabelResult:
        return LabelResult(labels=[self.answer[:top_k] for _ in images], usage=CallRecord("fake", "fake", 0.0))


def labels(*pairs: tuple[str, float]) -> list[Label]:
    return FakeLabeler(*pairs).answer


def photo(name: str) -> Image.Image:
    require(installed("skimage"), "scikit-image is not installed (pip install -r requirements-dev.txt)")
    from skimage import data

    return Image.fromarray(getattr(data, name)())


@pytest.fixture(scope="module")
def labeler():
    require(installed(*REQUIRED_MODULES), "the labeler is not installed (pip install -r requirements-ai.txt)")
    from config.ai import registry

    return registry.labeler()


def test_every_class_in_the_data_is_an_imagenet_class():
    names = set(ROOM_CLASSES) | OUTDOOR_CLASSES | NEUTRAL_SCENES

    assert names <= set(IMAGENET_CLASSES)
    assert not set(ROOM_CLASSES) & OUTDOOR_CLASSES


def test_room_hints_are_room_types():
    assert {hint for hint in ROOM_CLASSES.values() if hint} <= set(RoomType.values)


def test_outdoor_mass_over_the_threshold_is_refused():
    verdict = check_interior(Image.new("RGB", (64, 64)), labeler=FakeLabeler(
        ("seashore", 0.2), ("lakeside", 0.15), ("studio couch", 0.1), ("pier", 0.08)), threshold=OUTDOOR_THRESHOLD)

    assert not verdict.interior
    assert verdict.outdoor_mass == pytest.approx(0.43)
    assert "seashore" in verdict.reason


def test_outdoor_mass_under_the_threshold_is_accepted():
    verdict = judge_labels(labels(("window shade", 0.3), ("seashore", 0.2), ("lakeside", 0.1)))

    assert verdict.interior


def test_weak_scattered_labels_are_accepted():
    verdict = judge_labels(labels(("switch", 0.25), ("envelope", 0.23), ("wall clock", 0.05), ("carton", 0.02)))

    assert verdict.interior
    assert verdict.room_type_hint is None


def test_a_confident_object_without_room_evidence_is_refused():
    verdict = judge_labels(labels(("espresso", 0.95), ("cup", 0.02), ("coffee mug", 0.01)))

    assert not verdict.interior
    assert "espresso" in verdict.reason


def test_a_confident_object_in_a_room_is_accepted():
    verdict = judge_labels(labels(("grand piano", 0.7), ("studio couch", 0.1), ("window shade", 0.05)))

    assert verdict.interior


def test_a_confident_object_with_some_room_evidence_is_accepted():
    verdict = judge_labels(labels(("envelope", 0.7), ("sliding door", 0.08)))

    assert verdict.interior


def test_an_animal_split_across_breeds_is_refused():
    verdict = judge_labels(labels(("tiger cat", 0.38), ("Egyptian cat", 0.37), ("tabby", 0.17)))

    assert not verdict.interior
    assert verdict.living_mass >= OBJECT_THRESHOLD


def test_a_neutral_scene_is_never_a_confident_subject():
    assert judge_labels(labels(("patio", 0.8), ("vault", 0.05))).interior


@pytest.mark.parametrize(("pairs", "expected"), [
    ((("four-poster", 0.3), ("quilt", 0.2), ("window shade", 0.1)), "bedroom"),
    ((("dining table", 0.4), ("china cabinet", 0.1)), "dining_room"),
    ((("stove", 0.2), ("refrigerator", 0.15), ("dishwasher", 0.1)), "kitchen"),
    ((("tub", 0.3), ("washbasin", 0.2), ("toilet seat", 0.05), ("shower curtain", 0.05)), "bathroom"),
    ((("desk", 0.25), ("bookcase", 0.2)), "home_office"),
    ((("studio couch", 0.3), ("home theater", 0.2)), "living_room"),
    ((("crib", 0.3), ("cradle", 0.1)), "kids_room"),
    ((("doormat", 0.2), ("bannister", 0.1)), "entryway"),
])
def test_room_classes_hint_their_room_type(pairs, expected):
    hint, confidence = room_type_hint(labels(*pairs))

    assert hint == expected
    assert confidence > 0.05


def test_the_hint_goes_to_the_room_with_the_most_mass():
    hint, confidence = room_type_hint(labels(("desk", 0.2), ("four-poster", 0.15), ("quilt", 0.15)))

    assert (hint, confidence) == ("bedroom", pytest.approx(0.3))


def test_no_hint_from_a_trace_of_evidence():
    assert room_type_hint(labels(("envelope", 0.5), ("wardrobe", 0.01))) == (None, 0.0)


def test_the_verdict_stores_its_labels_as_json_ready_dicts():
    verdict = judge_labels(labels(("dining table", 0.5), ("seashore", 0.1), ("envelope", 0.05)))

    assert verdict.labels_for_storage() == [
        {"name": "dining table", "score": 0.5, "evidence": "room"},
        {"name": "seashore", "score": 0.1, "evidence": "outdoor"},
        {"name": "envelope", "score": 0.05, "evidence": "other"},
    ]
    assert (verdict.room_type_hint, verdict.room_type_confidence) == ("dining_room", 0.5)


def test_the_coffee_photo_is_refused_by_the_real_labeler(labeler):
    verdict = check_interior(photo("coffee"), labeler=labeler, threshold=OUTDOOR_THRESHOLD)

    assert not verdict.interior
    assert verdict.top_labels[0]["name"] == "espresso"


def test_the_rocket_launch_pad_is_refused_as_outdoor_by_the_real_labeler(labeler):
    verdict = check_interior(photo("rocket"), labeler=labeler, threshold=OUTDOOR_THRESHOLD)

    # Missile, projectile, drilling platform, space shuttle: about 0.6 of outdoor mass.
    assert not verdict.interior
    assert verdict.outdoor_mass >= OUTDOOR_THRESHOLD


def test_a_drawn_empty_room_is_accepted_by_the_real_labeler(labeler):
    verdict = check_interior(draw_room(), labeler=labeler, threshold=OUTDOOR_THRESHOLD)

    assert verdict.interior
    assert verdict.outdoor_mass < OUTDOOR_THRESHOLD
