"""Money as integer minor units + ISO currency; Babel does the locale work."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_skeleton, get_datetime_format
from babel.dates import format_time as babel_format_time
from babel.dates import format_timedelta as babel_format_timedelta
from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_percent,
    get_currency_precision,
    parse_decimal,
)

from socialshop.services.errors import ValidationError

LOCALES = {"it": "it_IT", "en": "en_IE"}
# Italian usage writes the euro sign first ("€ 12,50"); CLDR's it_IT puts it last.
CURRENCY_PATTERNS = {"it": "¤\u00a0#,##0.00"}
MAX_INPUT_LENGTH = 20


def _locale(language: str) -> str:
    return LOCALES.get(language, LOCALES["en"])


def to_decimal(amount_cents: int, currency: str) -> Decimal:
    return Decimal(amount_cents).scaleb(-get_currency_precision(currency))


# Formatting is pure (value, currency, language) -> text, and Babel takes ~20 µs a call: a
# feed or history page formats the same prices and times again and again, so each distinct
# value is formatted once and kept (bounded: least recently used values are dropped).
FORMAT_CACHE_SIZE = 8192


def format_money(amount_cents: int, currency: str = "EUR", language: str = "en") -> str:
    """'€ 12,50' in Italian, '€12.50' in English."""
    if type(amount_cents) is int and type(currency) is str and type(language) is str:
        return _format_money_cached(amount_cents, currency, language)
    return _format_money(amount_cents, currency, language)


def _format_money(amount_cents: int, currency: str, language: str) -> str:
    return format_currency(
        to_decimal(amount_cents, currency),
        currency,
        format=CURRENCY_PATTERNS.get(language),
        locale=_locale(language),
        currency_digits=True,
    )


_format_money_cached = functools.lru_cache(maxsize=FORMAT_CACHE_SIZE)(_format_money)


def parse_amount(raw: object, currency: str = "EUR", language: str = "en") -> int:
    """Cents from what a person typed ("12,50", "12.5", "€ 3"); ValidationError otherwise."""
    if isinstance(raw, bool):
        raise ValidationError("amount_not_numeric")
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    else:
        raise ValidationError("amount_not_numeric")
    if not text:
        raise ValidationError("amount_required")
    if len(text) > MAX_INPUT_LENGTH or not all(c.isdigit() or c in ".,-+" for c in text):
        raise ValidationError("amount_not_numeric")
    try:
        # strict=True refuses ambiguous grouping such as "1,2,3".
        value = parse_decimal(text, locale=_locale(language), strict=True)
    except NumberFormatError:
        # People often type a dot in Italian (and a comma in English): accept the other
        # decimal separator when it cannot be a thousands separator.
        swapped = text.replace(",", ".") if language == "en" or "," in text else text
        try:
            value = Decimal(swapped.replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError("amount_not_numeric") from exc
    if not value.is_finite():
        raise ValidationError("amount_not_numeric")
    precision = get_currency_precision(currency)
    if value != value.quantize(Decimal(1).scaleb(-precision)):
        raise ValidationError("amount_too_many_decimals", decimals=precision)
    if value <= 0:
        raise ValidationError("amount_not_positive")
    return int(value.scaleb(precision))


def format_date(value: dt.date, language: str = "en") -> str:
    """A calendar day in the reader's language ("2 Dec 2026", "2 dic 2026")."""
    return babel_format_date(value, format="medium", locale=_locale(language))


def format_datetime(value: dt.datetime, language: str = "en") -> str:
    """A stored time in the reader's language (shown in UTC; naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if type(language) is str:
        # The offset is part of the key: equal instants in two zones read differently.
        return _format_datetime_cached(value, value.utcoffset(), language)
    return _format_datetime(value, language)


def _format_datetime(value: dt.datetime, language: str) -> str:
    """Babel's medium date and time, read as Babel writes it: the locale's "{1}, {0}" with
    the date (formatted once per day) and the time. Only where the locale's medium time is
    plain "HH:mm:ss" (en_IE and it_IT are); any other locale goes through Babel whole."""
    pattern = _medium_datetime_pattern(language)
    if pattern is None:
        return babel_format_datetime(value, format="medium", locale=_locale(language))
    clock = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return pattern.replace("{0}", clock).replace("{1}", _format_medium_date(value.date(), language))


@functools.lru_cache(maxsize=16)
def _medium_datetime_pattern(language: str) -> str | None:
    locale = Locale.parse(_locale(language))
    if locale.time_formats["medium"].pattern != "HH:mm:ss":
        return None
    # What babel.dates.format_datetime does with it before filling it in.
    return get_datetime_format("medium", locale=locale).replace("'", "")


@functools.lru_cache(maxsize=FORMAT_CACHE_SIZE)
def _format_medium_date(day: dt.date, language: str) -> str:
    return babel_format_date(day, format="medium", locale=_locale(language))


@functools.lru_cache(maxsize=FORMAT_CACHE_SIZE)
def _format_datetime_cached(value: dt.datetime, _offset: dt.timedelta | None, language: str) -> str:
    return _format_datetime(value, language)


def format_month(month: dt.date, language: str = "en", *, style: str = "long") -> str:
    """A calendar month: "December 2026" / "dicembre 2026" (long), "Dec" / "dic" (short),
    "Dec 26" / "dic 26" (short_year, for charts that span more than a year)."""
    locale = _locale(language)
    if style == "short":
        return format_skeleton("MMM", month, locale=locale)
    if style == "short_year":
        return babel_format_date(month, "MMM yy", locale=locale)
    return format_skeleton("yMMMM", month, locale=locale)


def format_share(part: int, whole: int, language: str = "en") -> str:
    """`part` of `whole` as a percentage with at most one decimal: "46%", "0.4%" / "0,4%"."""
    ratio = Decimal(part) / Decimal(whole) if whole else Decimal(0)
    return format_percent(ratio, "#,##0.#%", locale=_locale(language))


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def format_until(value: dt.datetime, now: dt.datetime, language: str = "en") -> str:
    """When something ends: the time alone when that is today ('16:40'), else date and time."""
    value, now = _utc(value), _utc(now)
    if value.date() == now.date():
        return babel_format_time(value, format="short", locale=_locale(language))
    return babel_format_datetime(value, format="short", locale=_locale(language))


def format_ago(value: dt.datetime, now: dt.datetime, language: str = "en") -> str:
    """'5 minutes ago' / '5 minuti fa'."""
    return babel_format_timedelta(
        _utc(value) - _utc(now), add_direction=True, threshold=1, locale=_locale(language)
    )


def format_duration(value: dt.timedelta, language: str = "en") -> str:
    """A wait in the reader's language: '45 seconds', '15 minuti' (rounded, never below a second)."""
    # threshold 2: 90 s stays "90 seconds" instead of being rounded to "2 minutes".
    return babel_format_timedelta(max(value, dt.timedelta(seconds=1)), threshold=2, locale=_locale(language))
