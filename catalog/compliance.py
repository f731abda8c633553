"""A photo's measurements against every marketplace rule in ``catalog.marketplace_rules``."""

from collections.abc import Callable
from dataclasses import dataclass

from catalog.marketplace_rules import AT_LEAST, AT_MOST, IS, RULES, Rule
from catalog.measure import Measurements
from catalog.taxonomy import is_apparel

# What a rule's ``quantity`` reads from the measurements.
QUANTITIES: dict[str, Callable[[Measurements], float | str]] = {
    "background": lambda m: "rgb({}, {}, {}), uniformity {}".format(*m.background_rgb, m.background_uniformity),
    "fill_ratio": lambda m: m.fill_ratio,
    "long_side": lambda m: max(m.width, m.height),
    "short_side": lambda m: min(m.width, m.height),
    "megapixels": lambda m: m.megapixels,
    "file_size_bytes": lambda m: m.file_size_bytes,
    # Long over short side, so portrait and landscape compare alike; 1.0 is square.
    "aspect_ratio": lambda m: round(max(m.width, m.height) / max(1, min(m.width, m.height)), 2),
}

# What decides an "is" rule; its measured value is shown, the verdict comes from here.
VERDICTS: dict[str, Callable[[Measurements], bool]] = {
    # White within measure's tolerance (WHITE_LEVEL) on a uniform backdrop.
    "background": lambda m: m.background_is_white,
}


@dataclass(frozen=True)
class ComplianceCheck:
    """One rule's verdict: what was measured, the limit, and whether it passed.

    ``advisory`` checks are recommendations; a failed one does not block a listing.
    """

    marketplace: str
    rule: str
    measured: float | str
    threshold: float | str
    passed: bool
    advisory: bool
    source: str


def check_compliance(m: Measurements, *, category: str) -> list[ComplianceCheck]:
    """Every rule, in ``RULES`` order, for a product filed under ``category`` (apparel limits differ)."""
    apparel = is_apparel(category)
    return [_check(rule, m, apparel=apparel) for rule in RULES]


def _check(rule: Rule, m: Measurements, *, apparel: bool) -> ComplianceCheck:
    measured = QUANTITIES[rule.quantity](m)
    threshold = rule.apparel_threshold if apparel and rule.apparel_threshold is not None else rule.threshold
    if rule.comparison == IS:
        passed = VERDICTS[rule.quantity](m)
    elif rule.comparison == AT_LEAST:
        passed = measured >= threshold
    elif rule.comparison == AT_MOST:
        passed = measured <= threshold
    else:
        raise ValueError(f"Unknown comparison {rule.comparison!r} in rule {rule.marketplace}/{rule.rule}.")
    return ComplianceCheck(
        marketplace=rule.marketplace,
        rule=rule.rule,
        measured=measured,
        threshold=threshold,
        passed=bool(passed),
        advisory=rule.advisory,
        source=rule.source,
    )
