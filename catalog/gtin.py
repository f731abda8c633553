"""GTINs (GTIN-8, UPC-A/GTIN-12, EAN-13/GTIN-13, GTIN-14): digits of the right length with a valid check digit.

Google Merchant Center and Shopify both refuse a barcode whose check digit is wrong,
so the catalog refuses it on input instead of in a rejected feed.
"""

from django.core.exceptions import ValidationError

LENGTHS = (8, 12, 13, 14)


def check_digit(body: str) -> int:
    """The GS1 check digit of ``body`` (every digit but the last): weights 3 and 1 from the right."""
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_problem(value: str) -> str | None:
    """Why ``value`` is not a GTIN, in words; ``None`` when it is one (or blank: the field is optional)."""
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) not in LENGTHS:
        return "gtin must be 8, 12, 13 or 14 digits."
    expected = check_digit(value[:-1])
    if int(value[-1]) != expected:
        return f"gtin {value} has a wrong check digit: the last digit should be {expected}."
    return None


def validate_gtin(value: str) -> None:
    """Django field validator (forms and the admin) with the same rule as the services."""
    problem = gtin_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_gtin")
