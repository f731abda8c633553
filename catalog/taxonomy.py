"""The catalog's categories, and how an ImageNet labelling becomes one.

``categorize`` embeds the labeler's best labels and every subcategory's
phrases with the sentence embedder (all-MiniLM-L6-v2) and picks the
subcategory closest in meaning, each label counting by its score. ImageNet
names objects ("espresso", "running shoe"), not departments, so each
subcategory is described by the kinds of things it holds.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from config.ai.embeddings import cosine_similarity

# category -> subcategory -> phrases describing what it holds. The seed's
# examples (electronics/audio, clothing, footwear, furniture) use these names.
TAXONOMY: dict[str, dict[str, tuple[str, ...]]] = {
    "electronics": {
        "audio": ("headphones and earbuds", "speaker, loudspeaker, radio", "microphone, amplifier, stereo"),
        "computers": ("desktop computer, monitor, laptop", "computer keyboard and mouse", "hard disk, printer"),
        "phones": ("cellular telephone, smartphone", "mobile phone case and charger", "landline telephone"),
        "cameras": ("digital camera, reflex camera", "camera lens and tripod", "video camcorder, projector"),
        "appliances": ("microwave oven, toaster, refrigerator", "washing machine, vacuum cleaner",
                       "electric fan, space heater, hair dryer", "espresso maker, coffee machine"),
    },
    "clothing": {
        "tops": ("t-shirt, jersey, sweatshirt", "shirt, blouse, cardigan, sweater"),
        "bottoms": ("jeans, trousers, pants", "shorts, skirt, swimming trunks"),
        "outerwear": ("coat, jacket, trench coat", "fur coat, raincoat, parka"),
        "dresses": ("dress, gown", "evening gown, kimono, sarong"),
    },
    "footwear": {
        "sneakers": ("running shoe, sneaker, trainer",),
        "boots": ("boot, cowboy boot, hiking boot",),
        "sandals": ("sandal, flip-flop, clog",),
        "formal": ("loafer, leather shoe, high heels",),
    },
    "furniture": {
        "seating": ("chair, armchair, rocking chair", "sofa, couch, studio couch, bench"),
        "tables": ("dining table, desk, coffee table", "side table, console table"),
        "storage": ("wardrobe, bookcase, chest of drawers", "cabinet, china cabinet, shelf"),
        "beds": ("bed, four-poster bed, crib", "mattress, bunk bed, cradle"),
    },
    "home": {
        "kitchen": ("coffee mug, cup, espresso", "frying pan, wok, pot, teapot", "plate, bowl, kitchen utensils"),
        "decor": ("vase, picture frame, wall clock", "rug, cushion, curtain, candle"),
        "lighting": ("table lamp, lampshade, desk lamp", "chandelier, light bulb, floor lamp"),
    },
    "beauty": {
        "makeup": ("lipstick, face powder, eye shadow", "makeup brush, nail polish"),
        "skincare": ("lotion, face cream, sunscreen", "soap, cleanser, serum bottle"),
        "fragrance": ("perfume, cologne, fragrance bottle",),
        "haircare": ("shampoo bottle, hair spray, comb", "hair dryer brush, hair clip"),
    },
    "toys": {
        "toys": ("teddy bear, plush toy, doll", "toy car, building blocks, puzzle", "board game, jigsaw, yo-yo"),
    },
    "sports": {
        "equipment": ("tennis ball, basketball, soccer ball", "dumbbell, barbell, yoga mat"),
        "outdoor": ("tent, sleeping bag, backpack for hiking", "bicycle, skateboard, ski"),
    },
    "jewelry": {
        "jewelry": ("necklace, chain, pendant", "ring, earrings, bracelet"),
        "watches": ("wristwatch, digital watch, analog clock watch",),
    },
    "bags": {
        "handbags": ("handbag, purse, clutch", "wallet, tote bag"),
        "luggage": ("suitcase, travel bag", "backpack, rucksack, mailbag"),
    },
    "food": {
        "food": ("pizza, burrito, bread, bagel", "fruit, vegetables, cheese", "chocolate sauce, ice cream, dessert"),
        "beverages": ("wine bottle, beer bottle", "water bottle, juice, soda can"),
    },
    "books": {
        "books": ("book, book jacket, comic book", "notebook, binder, library"),
    },
    "automotive": {
        "parts": ("car wheel, tire, hubcap", "car engine part, car mirror, seat belt"),
        "vehicles": ("sports car, pickup truck, motor scooter", "car grille, license plate"),
    },
    "other": {
        "general": ("miscellaneous product, object",),
    },
}

# Google Merchant Center's "Apparel & Accessories" (product category 166)
# holds clothing, shoes, jewelry and handbags; its 250 x 250 minimum covers all of them.
APPAREL = frozenset({"clothing", "footwear", "jewelry", "bags"})

# How many of the labeler's best labels take part; the tail is noise.
TOP_LABELS = 5
# Below this weighted similarity no subcategory is a real match, and the
# product is filed under other/general rather than in a guessed department.
MIN_SCORE = 0.35


class Method:
    EMBEDDING = "embedding"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Category:
    """Where a product files: ``score`` is the weighted cosine similarity (0-1) that chose it."""

    category: str
    subcategory: str
    score: float
    method: str


def is_apparel(category: str) -> bool:
    """Whether Google Merchant treats ``category`` as apparel (the stricter size minimum)."""
    return category in APPAREL


def categorize(labels: Sequence[tuple[str, float]], *, embedder: Any) -> Category:
    """File a product by its image labels, ``[(name, score), ...]`` best first.

    ``embedder`` is ``config.ai.registry.embedder()`` (anything with ``embed(texts).vectors``
    of unit rows); its ``EngineUnavailable`` passes through. Without usable labels, or when
    nothing matches well, the answer is other/general with method ``fallback``.
    """
    labels = [(name, score) for name, score in labels[:TOP_LABELS] if name and score > 0]
    if not labels:
        return Category("other", "general", 0.0, Method.FALLBACK)
    keys, phrase_vectors, owners = _phrases(embedder)
    label_vectors = embedder.embed([name for name, _ in labels]).vectors
    # Each label's closest phrase stands for the whole subcategory.
    similarity = cosine_similarity(label_vectors, phrase_vectors)
    per_subcategory = np.stack([similarity[:, owners == index].max(axis=1) for index in range(len(keys))], axis=1)
    weights = np.array([score for _, score in labels], np.float32)
    scores = weights @ per_subcategory / weights.sum()
    best = int(scores.argmax())
    score = round(float(scores[best]), 4)
    if score < MIN_SCORE:
        return Category("other", "general", score, Method.FALLBACK)
    category, subcategory = keys[best]
    return Category(category, subcategory, score, Method.EMBEDDING)


_cache: dict[tuple, tuple[list[tuple[str, str]], np.ndarray, np.ndarray]] = {}


def _phrases(embedder: Any) -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray]:
    """Every (category, subcategory), the phrase vectors, and which of them each phrase describes.

    Cached per model: the taxonomy is fixed, and embedding it costs more than a labelling.
    """
    key = (getattr(embedder, "provider", None), getattr(embedder, "model", None))
    cached = _cache.get(key) if None not in key else None
    if cached is not None:
        return cached
    keys, texts, owners = [], [], []
    for category, subcategories in TAXONOMY.items():
        if category == "other":
            continue  # the fallback, never a match of its own
        for subcategory, phrases in subcategories.items():
            keys.append((category, subcategory))
            texts += phrases
            owners += [len(keys) - 1] * len(phrases)
    result = (keys, embedder.embed(texts).vectors, np.array(owners))
    if None not in key:
        _cache[key] = result
    return result
