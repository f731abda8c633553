"""Facts a prompt states outright, read by rules: sizes, counts, materials, colours, features.

Everything is in metres. The parser does not know which design the prompt is
about, so it records what the words say ("1.8 m long", "90 cm wide") and the
layouts decide which axis each word means for their category.
"""

import re
from dataclasses import dataclass, field

from designs.vocabulary import (
    COLOR_WORDS,
    COUNT_WORDS,
    FEATURE_WORDS,
    MATERIAL_WORDS,
    NUMBER_WORDS,
    PART_WORDS,
    SHADED_COLORS,
    SIZE_WORDS,
    SLIM_WORDS,
    STURDY_WORDS,
    UNIT_FACTORS,
)

_NUMBER = r"(\d+(?:\.\d+)?)"
# Longest spellings first so "mm" is not read as "m" and "inches" not as "in".
_UNIT = r"(" + "|".join(re.escape(unit) for unit in sorted(UNIT_FACTORS, key=len, reverse=True)) + r")"
_UNIT_END = r"(?![a-z])"
_MEASURE = _NUMBER + r"\s*" + _UNIT + _UNIT_END
_AXIS = r"(?:\s+(?:in\s+)?(long|length|wide|width|broad|deep|depth|tall|high|height)\b)?"
_FEET_INCHES = re.compile(r"(\d+)\s*(?:ft|feet|foot|')\s*(\d+(?:\.\d+)?)\s*(?:in|inches|inch|\")" + _UNIT_END + _AXIS)
# "85 mm by 56 mm", "2 x 1.5 x 0.9 m", "85 by 56 mm": each number's own unit, or the next one stated.
# Each unit must end its word, so the "m" of a second "mm" is never read as metres.
_DIMENSION = _NUMBER + r"\s*(?:" + _UNIT + _UNIT_END + r")?"
_TRIPLE = re.compile(_DIMENSION + r"\s*(?:x|by)\s*" + _DIMENSION + r"(?:\s*(?:x|by)\s*" + _DIMENSION + r")?")
_AXIS_WORDS = {
    "long": "length", "length": "length", "wide": "width", "width": "width", "broad": "width",
    "deep": "depth", "depth": "depth", "tall": "height", "high": "height", "height": "height",
}
_AFTER = re.compile(_MEASURE + r"\s+(?:in\s+)?(long|length|wide|width|broad|deep|depth|tall|high|height)\b")
_BEFORE = re.compile(r"\b(length|width|depth|height)\s*(?:of|:|=|is|to|at)?\s*" + _MEASURE)
# A bare "4 in" is too often the preposition ("for 4 in oak"); bare inches need "inch" or '"'.
_BARE = re.compile(_NUMBER + r"\s*" + _UNIT.replace("|in|", "|") + _UNIT_END)
_FOR_N = re.compile(r"\b(?:for|seats|seating for|sits)\s+(\d+(?![\d.])|[a-z]+)\b"
                    r"(?!\s*(?:m|cm|mm|ft|feet|inch|inches|\"|')(?![a-z]))")
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?|[x'\"]")
_FEATURES = [(re.compile(r"(?<![a-z-])" + re.escape(word) + r"(?![a-z-])"), feature)
             for word, feature in FEATURE_WORDS.items()]
_STOP = frozenset({"for", "with", "and", "or", "by", "of", "to", "in", "on", "at", "x", "per", "than"})
# Parts whose bare measure is the design's own ("a table with a 1.6 m top", "an 8 cm enclosure").
_WHOLE_PARTS = frozenset({"top", "body", "hull", "fuselage", "board", "frame", "enclosure", "carcass", "chassis"})
_NEXT_WORDS = re.compile(r"\s*([a-z]+)(?:\s+([a-z]+))?")
_BINDERS = frozenset({"in", "to", "are", "is", "painted", "finished", ":"})


@dataclass(frozen=True)
class PromptFacts:
    """What a prompt says. Sizes are metres or None; mappings name parts by their layout ``role``."""

    length: float | None = None
    width: float | None = None
    depth: float | None = None
    height: float | None = None
    size: float | None = None  # a measure with no axis word ("a 6 ft sofa")
    part_sizes: dict[str, float] = field(default_factory=dict)  # a bare measure naming a part ("18 inch wheels")
    counts: dict[str, int] = field(default_factory=dict)
    materials: tuple[str, ...] = ()
    part_materials: dict[str, str] = field(default_factory=dict)
    color: str | None = None
    part_colors: dict[str, str] = field(default_factory=dict)
    features: tuple[str, ...] = ()
    words: frozenset[str] = frozenset()
    scale: float = 1.0  # "small", "large"...
    build: str = "regular"  # "slim", "regular" or "sturdy"

    @property
    def material(self) -> str | None:
        """The design's main material: the first one the prompt does not bind to a part."""
        bound = set(self.part_materials.values())
        return next((name for name in self.materials if name not in bound), None)

    def has(self, *words: str) -> bool:
        """Whether the prompt uses any of ``words`` (single words, lower case)."""
        return any(word in self.words for word in words)

    def count(self, *keys: str) -> int | None:
        """The first stated count among ``keys`` ("seats", "chairs"...)."""
        return next((self.counts[key] for key in keys if key in self.counts), None)


def parse_prompt(text: str) -> PromptFacts:
    """Read the facts stated in ``text``; words the parser does not know are ignored."""
    text = _normalise(text)
    tokens = _TOKEN.findall(text)
    sizes, part_sizes = _read_sizes(text)
    materials, part_materials = _materials(tokens)
    color, part_colors = _colors(tokens)
    words = frozenset(tokens)
    return PromptFacts(
        **sizes,
        part_sizes=part_sizes,
        counts=parse_counts(text),
        materials=materials,
        part_materials=part_materials,
        color=color,
        part_colors=part_colors,
        features=_features(text),
        words=words,
        scale=next((SIZE_WORDS[word] for word in tokens if word in SIZE_WORDS), 1.0),
        build="slim" if words & SLIM_WORDS else "sturdy" if words & STURDY_WORDS else "regular",
    )


def parse_sizes(text: str) -> dict[str, float]:
    """Measures in ``text`` by axis word: ``length``, ``width``, ``depth``, ``height`` and a bare ``size``.

    A bare measure naming a part ("fit 18 inch wheels") is the ``size`` here too: an edit clause
    applies its measure to the part the clause names.
    """
    sizes, parts = _read_sizes(text)
    if parts and "size" not in sizes:
        sizes["size"] = next(iter(parts.values()))
    return sizes


def _read_sizes(text: str) -> tuple[dict[str, float], dict[str, float]]:
    """The design's measures by axis word (as ``parse_sizes``), and the bare measures that name a
    part instead, by the part's role: "a hatchback on 18 inch wheels" is a car, not 46 cm long."""
    text = _normalise(text)
    found: dict[str, float] = {}
    parts: dict[str, float] = {}
    spans: list[tuple[int, int]] = []

    def keep(axis: str, value: float, span: tuple[int, int]) -> None:
        spans.append(span)
        part = _part_after(text, span[1]) if axis == "size" else None
        (parts if part else found).setdefault(part or axis, round(value, 4))

    for match in _FEET_INCHES.finditer(text):
        axis = _AXIS_WORDS[match[3]] if match[3] else "size"
        keep(axis, int(match[1]) * 0.3048 + float(match[2]) * 0.0254, match.span())
    for match in _TRIPLE.finditer(text):
        pairs = [(match[i], match[i + 1]) for i in (1, 3, 5) if match[i]]
        if _inside(match.span(), spans) or not any(unit for _, unit in pairs):
            continue  # "2 x 3" alone measures nothing
        for axis, (number, unit) in zip(("length", "depth", "height"), _units_filled(pairs), strict=False):
            keep(axis, float(number) * UNIT_FACTORS[unit], match.span())
    for match in _AFTER.finditer(text):
        if not _inside(match.span(), spans):
            keep(_AXIS_WORDS[match[3]], float(match[1]) * UNIT_FACTORS[match[2]], match.span())
    for match in _BEFORE.finditer(text):
        if not _inside(match.span(), spans):
            keep(match[1], float(match[2]) * UNIT_FACTORS[match[3]], match.span())
    for match in _BARE.finditer(text):
        if not _inside(match.span(), spans):
            keep("size", float(match[1]) * UNIT_FACTORS[match[2]], match.span())
    return found, parts


def _part_after(text: str, end: int) -> str | None:
    """The part a bare measure ending at ``end`` names: the next word ("70 cm legs"), or the one after
    a colour or material word ("18 inch black wheels"); None for the design's whole body ("a 1.6 m top")."""
    match = _NEXT_WORDS.match(text, end)
    if not match:
        return None
    first, second = match[1], match[2]
    role = _role_of(first)
    if role is None and second and (first in MATERIAL_WORDS or first in COLOR_WORDS):
        role = _role_of(second)
    return None if role in _WHOLE_PARTS else role


def _role_of(word: str) -> str | None:
    """``part_word`` that also reads plurals the table does not list ("two 27 inch screens")."""
    return part_word(word) or (part_word(word[:-1]) if word.endswith("s") else None)


def _units_filled(pairs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """Each number with its unit: its own, else the next one stated ("85 by 56 mm"), else the last before it."""
    filled = []
    for index, (number, _) in enumerate(pairs):
        later = next((unit for _, unit in pairs[index:] if unit), None)
        filled.append((number, later or next(unit for _, unit in reversed(pairs[:index]) if unit)))
    return filled


def parse_counts(text: str) -> dict[str, int]:
    """Counted things: "two chairs" -> {"chairs": 2}, "10-storey" -> {"floors": 10}, "for six" -> {"seats": 6}."""
    text = _normalise(text)
    counts: dict[str, int] = {}
    for match in _FOR_N.finditer(text):
        number = _number(match[1])
        if number:
            counts.setdefault("seats", number)
    tokens = _TOKEN.findall(text)
    for index, token in enumerate(tokens):
        number = _number(token)
        if not number:
            continue
        following = tokens[index + 1:index + 5]
        if following and (following[0] in UNIT_FACTORS or following[0] == "x"):
            continue  # a measure ("6 ft"), not a count
        for word in following:
            noun = COUNT_WORDS.get(word)
            if noun:
                counts.setdefault(noun, number)
                break
            if word in _STOP or _number(word):
                break
    return counts


def part_word(word: str) -> str | None:
    """The layout role a word names ("legs" -> "legs", "tabletop" -> "top"), or None."""
    return PART_WORDS.get(word)


def tokens_of(text: str) -> list[str]:
    """Lower-case words, numbers and measure marks of ``text``, as the parser sees them."""
    return _TOKEN.findall(_normalise(text))


def _normalise(text: str) -> str:
    # The multiplication sign and typographic quotes, as phones type them.
    text = text.lower().replace("\u00d7", " x ").replace("\u2019", "'").replace("\u201d", '"')
    # "1.8m" and "2x1x0.8m" read like "1.8 m" and "2 x 1 x 0.8 m".
    text = re.sub(r"(\d)x(?=\s*\d)", r"\1 x ", text)
    return re.sub(r"\s+", " ", text)


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token) or None
    return NUMBER_WORDS.get(token)


def _materials(tokens: list[str]) -> tuple[tuple[str, ...], dict[str, str]]:
    materials: list[str] = []
    bound: dict[str, str] = {}
    for index, name, width in _find(tokens, MATERIAL_WORDS):
        if name not in materials:
            materials.append(name)
        part = _part_near(tokens, index, width)
        if part:
            bound.setdefault(part, name)
    return tuple(materials), bound


def _colors(tokens: list[str]) -> tuple[str | None, dict[str, str]]:
    color = None
    bound: dict[str, str] = {}
    for index, token in enumerate(tokens):
        if token not in COLOR_WORDS:
            continue
        name = "gray" if token == "grey" else token
        shade = tokens[index - 1] if index else ""
        if shade in {"dark", "light"} and shade + token in SHADED_COLORS:
            name = shade + name
        part = _part_near(tokens, index, 1)
        if part:
            bound.setdefault(part, name)
        elif color is None:
            color = name
    return color, bound


def _part_near(tokens: list[str], index: int, width: int) -> str | None:
    """The part a colour or material word describes: the next word ("white legs"), skipping one
    material or colour word ("black steel legs"); else the word before it ("legs black", "top in walnut")."""
    after = tokens[index + width:index + width + 2]
    if after and part_word(after[0]):
        return part_word(after[0])
    if len(after) == 2 and (after[0] in MATERIAL_WORDS or after[0] in COLOR_WORDS) and part_word(after[1]):
        return part_word(after[1])
    before = tokens[max(0, index - 2):index]
    if before and part_word(before[-1]):
        return part_word(before[-1])
    if len(before) == 2 and before[1] in _BINDERS and part_word(before[0]):
        return part_word(before[0])
    return None


def _find(tokens: list[str], table: dict[str, str]) -> list[tuple[int, str, int]]:
    """(index, canonical name, words used) for each entry of ``table`` in ``tokens``; two-word names first."""
    found = []
    used: set[int] = set()
    for width in (2, 1):
        for index in range(len(tokens) - width + 1):
            phrase = " ".join(tokens[index:index + width])
            if phrase in table and not used & set(range(index, index + width)):
                found.append((index, table[phrase], width))
                used.update(range(index, index + width))
    return sorted(found)


def _features(text: str) -> tuple[str, ...]:
    hits = [(match.start(), feature) for pattern, feature in _FEATURES if (match := pattern.search(text))]
    return tuple(dict.fromkeys(feature for _, feature in sorted(hits)))
