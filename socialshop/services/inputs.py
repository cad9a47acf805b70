"""Turning what a browser sent into trusted values: every service parses input here.

A browser may send anything for an id or a count: an int, a string of digits, a float,
true, a dict. These return the value or None (or raise ValidationError for apps), so
each service states its own error for a missing value.
"""

from __future__ import annotations

import re

from socialshop.models import AppSurface, Language
from socialshop.services.errors import ValidationError

# SQLite and PostgreSQL integers are 64-bit; a bigger id can only be garbage.
MAX_DB_INT = 2**63 - 1
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(raw: object) -> int | None:
    """An int from an int or a string of digits; floats are refused so money and
    quantities never pass through binary fractions, and bool is no number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if -MAX_DB_INT <= raw <= MAX_DB_INT else None
    if isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())
        return value if -MAX_DB_INT <= value <= MAX_DB_INT else None
    return None


def parse_id(raw: object) -> int | None:
    """A database id (1 and up), or None."""
    value = parse_int(raw)
    return value if value is not None and value >= 1 else None


def parse_count(raw: object) -> int | None:
    """A whole number of things (0 and up), or None."""
    value = parse_int(raw)
    return value if value is not None and value >= 0 else None


def parse_app(raw: object) -> AppSurface:
    """The app named by `raw`, or ValidationError("app_invalid")."""
    if isinstance(raw, AppSurface):
        return raw
    app = AppSurface.parse(raw) if isinstance(raw, str) else None
    if app is None:
        raise ValidationError("app_invalid")
    return app


def clean_language(raw: object) -> str:
    """A supported language code; anything else reads as English rather than failing a page."""
    return (Language.parse(raw) or Language.EN).value
