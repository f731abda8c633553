"""Is this photo an interior room, and which room? Read from ImageNet labels.

ImageNet has no "empty room" class, so an empty room gets weak, scattered
labels (a drawn one: "switch" 0.25, "envelope" 0.23). The rule therefore only
refuses on positive evidence that the photo is something else:

1. Outdoor: the summed score of OUTDOOR classes (landscapes, building
   exteriors, bridges, fences, vehicles, aircraft, boats) among the top labels
   is at least ``threshold`` (default 0.4). scikit-image's rocket photo (a
   launch pad) scores 0.63: missile, projectile, drilling platform, space
   shuttle, mosque.
2. A subject, not a room: the top label is not a ROOM class and scores at
   least ``object_threshold`` (default 0.6), or the photo's living-thing mass
   (ImageNet's animals and its three person classes) reaches it, while ROOM
   evidence stays under ``NEGLIGIBLE_ROOM_MASS``. Living things are summed
   because ImageNet splits them into breeds: one cat spreads its score over
   tiger cat, Egyptian cat and tabby. scikit-image's coffee photo is
   "espresso" at 0.95.

Everything else is accepted: absence of evidence is not refusal. ROOM classes
are large indoor furniture, fixtures, appliances and indoor spaces, the things
that make a photo a room rather than an object on a table; they also give the
room-type hint. A few scene classes (``NEUTRAL_SCENES``) that empty rooms do get
never count as a confident subject.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from config.ai.imagenet_classes import IMAGENET_CLASSES
from config.ai.labels import Label, LabelResult

TOP_K = 10
OUTDOOR_THRESHOLD = 0.4
OBJECT_THRESHOLD = 0.6
NEGLIGIBLE_ROOM_MASS = 0.05
HINT_MIN_CONFIDENCE = 0.05

# --- Data: ImageNet-1k class names (config/ai/imagenet_classes.py spells them) ---

# Room evidence by the room it suggests; None: any room.
ROOM_CLASSES: dict[str, str | None] = {
    "studio couch": "living_room", "home theater": "living_room", "entertainment center": "living_room",
    "rocking chair": "living_room", "fire screen": "living_room", "grand piano": "living_room",
    "upright": "living_room",
    "four-poster": "bedroom", "quilt": "bedroom", "wardrobe": "bedroom", "chiffonier": "bedroom",
    "mosquito net": "bedroom",
    "crib": "kids_room", "cradle": "kids_room", "bassinet": "kids_room",
    "dining table": "dining_room", "china cabinet": "dining_room",
    "stove": "kitchen", "refrigerator": "kitchen", "dishwasher": "kitchen", "microwave": "kitchen",
    "plate rack": "kitchen",
    "tub": "bathroom", "bathtub": "bathroom", "washbasin": "bathroom", "toilet seat": "bathroom",
    "shower curtain": "bathroom", "medicine chest": "bathroom", "soap dispenser": "bathroom",
    "desk": "home_office", "bookcase": "home_office", "file": "home_office", "library": "home_office",
    "doormat": "entryway", "bannister": "entryway",
    "window shade": None, "window screen": None, "sliding door": None, "shoji": None, "radiator": None,
    "space heater": None, "folding chair": None, "chest": None, "lampshade": None, "table lamp": None,
    "prayer rug": None, "washer": None, "pool table": None, "prison": None, "restaurant": None,
}

OUTDOOR_CLASSES: frozenset[str] = frozenset({
    # landscapes and water
    "alp", "cliff", "coral reef", "geyser", "lakeside", "promontory", "sandbar", "seashore", "valley", "volcano",
    "breakwater", "dam", "cliff dwelling", "megalith",
    # buildings and structures seen from outside
    "boathouse", "church", "palace", "barn", "castle", "monastery", "mosque", "stupa", "bell cote",
    "triumphal arch", "obelisk", "totem pole", "water tower", "tile roof", "thatch", "mobile home", "yurt",
    "greenhouse", "apiary", "lumbermill", "fountain", "beacon", "drilling platform", "radio telescope",
    "solar dish", "suspension bridge", "steel arch bridge", "viaduct", "pier", "dock", "picket fence",
    "worm fence", "chainlink fence", "stone wall", "park bench", "street sign", "traffic light",
    "parking meter", "mailbox", "manhole cover", "flagpole", "maypole",
    # road and rail vehicles
    "convertible", "sports car", "cab", "limousine", "minivan", "pickup", "jeep", "beach wagon", "Model T",
    "racer", "police van", "ambulance", "fire engine", "garbage truck", "moving van", "tow truck",
    "trailer truck", "school bus", "minibus", "trolleybus", "streetcar", "recreational vehicle", "tractor",
    "harvester", "thresher", "forklift", "snowplow", "half track", "tank", "steam locomotive",
    "electric locomotive", "bullet train", "freight car", "passenger car", "golfcart", "go-kart", "moped",
    "motor scooter", "mountain bike", "bicycle-built-for-two", "horse cart", "oxcart", "jinrikisha",
    "snowmobile", "dogsled", "bobsled",
    # aircraft, spacecraft and boats
    "airliner", "warplane", "airship", "parachute", "space shuttle", "missile", "projectile", "wing",
    "aircraft carrier", "container ship", "liner", "fireboat", "lifeboat", "speedboat", "canoe", "catamaran",
    "trimaran", "schooner", "yawl", "gondola", "submarine", "paddlewheel", "wreck", "amphibian",
})

# Scenes an empty or odd room is often taken for; never a confident subject.
NEUTRAL_SCENES: frozenset[str] = frozenset({"patio", "vault", "dome", "maze", "cinema", "stage", "planetarium"})

# ImageNet's animals are its first 398 classes; its people are three at the end.
LIVING_CLASSES: frozenset[str] = frozenset(IMAGENET_CLASSES[:398]) | {"ballplayer", "groom", "scuba diver"}


class ImageLabeler(Protocol):
    def label(self, images: Sequence[Image.Image], *, top_k: int = 5) -> LabelResult: ...


@dataclass(frozen=True)
class InteriorVerdict:
    """Whether the photo is an interior room, why, the evidence, and a room-type hint."""

    interior: bool
    reason: str
    room_mass: float
    outdoor_mass: float
    living_mass: float
    top_labels: list[dict[str, float | str]]
    room_type_hint: str | None
    room_type_confidence: float

    def labels_for_storage(self) -> list[dict[str, float | str]]:
        """The top labels as JSON-ready dicts: name, score and which evidence they are."""
        return [dict(label) for label in self.top_labels]


def check_interior(
    photo: Image.Image, *, labeler: ImageLabeler, threshold: float = OUTDOOR_THRESHOLD,
    object_threshold: float = OBJECT_THRESHOLD,
) -> InteriorVerdict:
    """Label ``photo`` and judge it (see the module docstring for the rule).

    ``labeler`` is ``config.ai.registry.labeler()`` or anything with its
    ``label`` method; its ``EngineUnavailable`` propagates.
    """
    labels = labeler.label([photo], top_k=TOP_K).labels[0]
    return judge_labels(labels, threshold=threshold, object_threshold=object_threshold)


def judge_labels(
    labels: Sequence[Label], *, threshold: float = OUTDOOR_THRESHOLD, object_threshold: float = OBJECT_THRESHOLD
) -> InteriorVerdict:
    """The verdict for one photo's labels, most probable first."""
    room = _mass(labels, ROOM_CLASSES)
    outdoor = _mass(labels, OUTDOOR_CLASSES)
    living = _mass(labels, LIVING_CLASSES)
    hint, confidence = room_type_hint(labels)
    top = labels[0] if labels else None
    no_room = room < NEGLIGIBLE_ROOM_MASS
    if outdoor >= threshold:
        interior, reason = False, f"The photo shows an outdoor scene or vehicle ({_names(labels, OUTDOOR_CLASSES)})."
    elif no_room and living >= object_threshold:
        interior, reason = False, f"The photo shows a person or animal ({_names(labels, LIVING_CLASSES)}), not a room."
    elif no_room and top is not None and top.score >= object_threshold and top.name not in NEUTRAL_SCENES:
        interior, reason = False, f"The photo shows an object ({top.name}), not a room."
    elif room >= NEGLIGIBLE_ROOM_MASS:
        interior, reason = True, f"Room evidence: {_names(labels, ROOM_CLASSES)}."
    else:
        interior, reason = True, "No outdoor scene or close-up subject was recognised."
    return InteriorVerdict(
        interior=interior, reason=reason, room_mass=room, outdoor_mass=outdoor, living_mass=living,
        top_labels=[{"name": label.name, "score": label.score, "evidence": _evidence(label.name)} for label in labels],
        room_type_hint=hint, room_type_confidence=confidence,
    )


def room_type_hint(labels: Sequence[Label]) -> tuple[str | None, float]:
    """The room type with the most label mass and that mass, or (None, 0.0) below
    ``HINT_MIN_CONFIDENCE``."""
    masses: dict[str, float] = {}
    for label in labels:
        room_type = ROOM_CLASSES.get(label.name)
        if room_type:
            masses[room_type] = masses.get(room_type, 0.0) + label.score
    if not masses:
        return None, 0.0
    best = max(masses, key=masses.__getitem__)
    confidence = round(masses[best], 4)
    return (best, confidence) if confidence >= HINT_MIN_CONFIDENCE else (None, 0.0)


def _mass(labels: Sequence[Label], names: dict[str, str | None] | frozenset[str]) -> float:
    return round(float(sum(label.score for label in labels if label.name in names)), 4)


def _names(labels: Sequence[Label], names: dict[str, str | None] | frozenset[str]) -> str:
    return ", ".join(f"{label.name} {label.score:.2f}" for label in labels if label.name in names)


def _evidence(name: str) -> str:
    if name in ROOM_CLASSES:
        return "room"
    if name in OUTDOOR_CLASSES:
        return "outdoor"
    if name in LIVING_CLASSES:
        return "living"
    return "other"
