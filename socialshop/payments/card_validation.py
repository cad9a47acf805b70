"""Checks on raw card input, run before it leaves the form (no reflex import: services use it too).

`validate_card` answers with error codes, not messages, so the UI can translate them.
"""

from __future__ import annotations

import datetime
import re

# What people type between digit groups; anything else makes the number invalid.
_SEPARATORS = re.compile(r"[\s-]+")
_DIGITS = re.compile(r"[0-9]+")

# Accepted lengths per brand; an unknown brand gets the ISO/IEC 7812 range.
_LENGTHS = {
    "visa": {13, 16, 19},
    "mastercard": {16},
    "amex": {15},
    "unknown": set(range(12, 20)),
}


def normalize_card_number(number: str) -> str:
    """The digits of `number`, dropping spaces, dashes and anything else."""
    return "".join(re.findall(r"[0-9]", number or ""))


def card_brand(number: str) -> str:
    """The brand from the leading digits: "visa", "mastercard", "amex" or "unknown"."""
    digits = normalize_card_number(number)
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if "51" <= digits[:2] <= "55" or (len(digits) >= 4 and "2221" <= digits[:4] <= "2720"):
        return "mastercard"
    return "unknown"


def luhn_ok(digits: str) -> bool:
    """Luhn checksum of a digits-only string (five lines do not earn a dependency)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _to_int(value: object, *, max_digits: int) -> int | None:
    # bool is an int subclass, but True is no month.
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if _DIGITS.fullmatch(value) else None
    if isinstance(value, int) and 0 <= value < 10**max_digits:
        return value
    return None


def parse_expiry(exp_month: int | str | None, exp_year: int | str | None) -> tuple[int, int] | None:
    """(month, four-digit year) from browser input, or None when it is not a date.

    Two-digit years mean 20xx, as printed on cards.
    """
    month = _to_int(exp_month, max_digits=2)
    year = _to_int(exp_year, max_digits=4)
    if month is None or year is None or not 1 <= month <= 12:
        return None
    if year < 100:
        year += 2000
    elif year < 1000:
        return None
    return month, year


def validate_card(
    *,
    number: str,
    exp_month: int | str | None,
    exp_year: int | str | None,
    cvc: str,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """Field -> error code for what is wrong with the input; {} when it may be sent to a gateway.

    Codes: number: required, digits, length, luhn; expiry: invalid, past; cvc: digits.
    """
    errors: dict[str, str] = {}

    compact = _SEPARATORS.sub("", number or "")
    if not compact:
        errors["number"] = "required"
    elif not _DIGITS.fullmatch(compact):
        errors["number"] = "digits"
    elif len(compact) not in _LENGTHS[card_brand(compact)]:
        errors["number"] = "length"
    elif not luhn_ok(compact):
        errors["number"] = "luhn"

    expiry = parse_expiry(exp_month, exp_year)
    if expiry is None:
        errors["expiry"] = "invalid"
    else:
        today = today or datetime.date.today()
        # A card stays valid through the last day of its expiry month.
        if (expiry[1], expiry[0]) < (today.year, today.month):
            errors["expiry"] = "past"

    if not re.fullmatch(r"[0-9]{3,4}", (cvc or "").strip()):
        errors["cvc"] = "digits"

    return errors
