"""How pages say marketplace names and rule verdicts (the API keeps the stored keys and figures)."""

from catalog.marketplace_rules import AMAZON, AT_LEAST, EBAY, GOOGLE_MERCHANT, RULES, SHOPIFY

# Spelt as the marketplaces spell themselves.
MARKETPLACE_NAMES = {AMAZON: "Amazon", GOOGLE_MERCHANT: "Google Merchant Center", SHOPIFY: "Shopify", EBAY: "eBay"}
_RULES = {(rule.marketplace, rule.rule): rule for rule in RULES}


def marketplace_name(key: str) -> str:
    return MARKETPLACE_NAMES.get(key, key.replace("_", " ").title())


def rule_sentence(check) -> str:
    """One sentence with the measured and the required value, e.g. "Product fills 62 % of the
    frame; needs at least 85 %". ``check`` is a stored or computed compliance check."""
    rule = _RULES.get((check.marketplace, check.rule))
    quantity = rule.quantity if rule else None
    measured, threshold = check.measured, check.threshold
    bound = "at least" if rule and rule.comparison == AT_LEAST else "at most"
    if quantity == "background":
        return "Background is white" if check.passed else \
            f"Background is not white ({measured}); needs plain white {threshold}"
    if quantity == "fill_ratio":
        return f"Product fills {_percent(measured)} of the frame; needs {bound} {_percent(threshold)}"
    if quantity in ("long_side", "short_side"):
        side = "Longest" if quantity == "long_side" else "Shortest"
        return f"{side} side is {measured:,.0f} px; needs {bound} {threshold:,.0f} px"
    if quantity == "megapixels":
        return f"Image is {measured:g} megapixels; {bound} {threshold:g} allowed"
    if quantity == "file_size_bytes":
        return f"File is {measured / 1e6:.1f} MB; {bound} {threshold / 1e6:g} MB allowed"
    if quantity == "aspect_ratio":
        return f"Sides are {measured:g} : 1; square (1 : 1) works best"
    return f"{check.rule.replace('_', ' ').capitalize()}: {measured} (limit {threshold})"


def _percent(value) -> str:
    return f"{float(value) * 100:.0f} %"
