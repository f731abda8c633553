"""catalog.taxonomy with the real MiniLM embedder and EfficientNet labeler (offline)."""

import importlib.util

import pytest

from catalog.taxonomy import APPAREL, TAXONOMY, Category, categorize, is_apparel
from config.ai import registry
from tests.conftest import require

CUP_CLASSES = {"espresso", "cup", "coffee mug"}


@pytest.fixture(scope="module")
def embedder():
    require(importlib.util.find_spec("sentence_transformers") is not None,
            "sentence-transformers is not installed (pip install -r requirements-ai.txt)")
    return registry.embedder()


@pytest.mark.parametrize(("labels", "expected"), [
    ([("espresso", 0.6), ("coffee mug", 0.3)], ("home", "kitchen")),
    ([("running shoe", 0.8)], ("footwear", "sneakers")),
    ([("desktop computer", 0.7), ("monitor", 0.2)], ("electronics", "computers")),
    ([("cellular telephone", 0.9)], ("electronics", "phones")),
    ([("studio couch", 0.8)], ("furniture", "seating")),
    ([("trench coat", 0.8)], ("clothing", "outerwear")),
])
def test_labels_file_under_the_category_they_name(embedder, labels, expected):
    category = categorize(labels, embedder=embedder)

    assert (category.category, category.subcategory) == expected
    assert category.method == "embedding" and 0.35 <= category.score <= 1.0


def test_the_better_scored_label_decides(embedder):
    mostly_shoe = categorize([("running shoe", 0.7), ("desktop computer", 0.2)], embedder=embedder)
    mostly_computer = categorize([("running shoe", 0.2), ("desktop computer", 0.7)], embedder=embedder)

    assert mostly_shoe.category == "footwear" and mostly_computer.category == "electronics"


def test_a_label_no_department_sells_is_other_general(embedder):
    category = categorize([("volcano", 0.9)], embedder=embedder)

    assert (category.category, category.subcategory, category.method) == ("other", "general", "fallback")


def test_no_labels_is_other_general_without_asking_the_embedder():
    assert categorize([], embedder=None) == Category("other", "general", 0.0, "fallback")


def test_clothing_shoes_jewelry_and_bags_are_apparel_for_google():
    assert set(TAXONOMY) >= APPAREL
    assert is_apparel("clothing") and is_apparel("footwear")
    assert not is_apparel("electronics") and not is_apparel("home")


def test_the_coffee_photo_is_labelled_a_cup_and_filed_under_kitchen(embedder):
    require(importlib.util.find_spec("skimage") is not None, "scikit-image is not installed")
    require(importlib.util.find_spec("efficientnet_lite_pytorch") is not None, "the labeler is not installed")
    from skimage import data

    labels = registry.labeler().label([data.coffee()], top_k=3).labels[0]

    assert CUP_CLASSES & {label.name for label in labels}
    category = categorize([(label.name, label.score) for label in labels], embedder=embedder)
    assert (category.category, category.subcategory) == ("home", "kitchen")
