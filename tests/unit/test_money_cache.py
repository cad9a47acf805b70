"""Labels are formatted once per distinct value and read the same as Babel's own output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency

from socialshop.services import money


def test_a_price_is_formatted_once_and_reads_as_babel_formats_it():
    money._format_money_cached.cache_clear()
    for _ in range(3):
        assert money.format_money(123_456, "EUR", "it") == "€\u00a01.234,56"
        assert money.format_money(123_456, "EUR", "en") == format_currency(
            Decimal("1234.56"), "EUR", locale="en_IE", currency_digits=True
        )
    info = money._format_money_cached.cache_info()
    assert (info.misses, info.hits) == (2, 4)
    assert info.maxsize == money.FORMAT_CACHE_SIZE


def test_amounts_that_are_not_plain_ints_are_formatted_without_the_cache():
    money._format_money_cached.cache_clear()
    # True == 1 and Decimal(5) == 5 hash alike: caching them would hand back another type's label.
    assert money.format_money(Decimal(250), "EUR", "en") == money.format_money(250, "EUR", "en")
    assert money.format_money(True, "EUR", "en") == "€0.01"
    assert money._format_money_cached.cache_info().currsize == 1


def test_times_are_cached_per_instant_and_offset():
    money._format_datetime_cached.cache_clear()
    instant = dt.datetime(2026, 12, 3, 13, 5, 9, tzinfo=dt.UTC)
    rome = instant.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert instant == rome  # equal instants, and equal as cache keys were it not for the offset
    naive = instant.replace(tzinfo=None)
    assert money.format_datetime(naive, "en") == money.format_datetime(instant, "en") == "3 Dec 2026, 13:05:09"
    assert money.format_datetime(rome, "en") == babel_format_datetime(rome, format="medium", locale="en_IE")
    assert money.format_datetime(rome, "en") != money.format_datetime(instant, "en")
    assert money.format_datetime(instant, "it") == "3 dic 2026, 13:05:09"
    info = money._format_datetime_cached.cache_info()
    assert (info.misses, info.hits) == (3, 3)


def test_the_time_label_is_babels_medium_date_and_time_to_the_letter():
    import random

    rng = random.Random(9)
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=1)), dt.timezone(dt.timedelta(hours=-7, minutes=-30))]
    for _ in range(400):
        value = dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=rng.randrange(400_000_000))
        value = value.astimezone(rng.choice(zones))
        for language, locale in (("en", "en_IE"), ("it", "it_IT"), ("xx", "en_IE")):
            assert money._format_datetime(value, language) == babel_format_datetime(
                value, format="medium", locale=locale
            ), (value, language)
    naive = dt.datetime(2026, 2, 28, 23, 59, 59)
    assert money.format_datetime(naive, "it") == babel_format_datetime(
        naive.replace(tzinfo=dt.UTC), format="medium", locale="it_IT"
    )
