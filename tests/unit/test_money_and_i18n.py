import re
import string

import pytest

from socialshop import i18n
from socialshop.services.errors import ValidationError
from socialshop.services.money import format_money, parse_amount


def test_money_is_formatted_per_language():
    assert format_money(1250, "EUR", "it") == "€\u00a012,50"
    assert format_money(1250, "EUR", "en") == "€12.50"
    assert format_money(123456, "EUR", "it") == "€\u00a01.234,56"
    assert format_money(123456, "EUR", "en") == "€1,234.56"


@pytest.mark.parametrize(
    ("raw", "language", "cents"),
    [("12,50", "it", 1250), ("12.50", "en", 1250), ("12.5", "it", 1250), ("€ 3", "en", 300),
     ("1.234,56", "it", 123456), ("1,234.56", "en", 123456), (7, "en", 700)],
)
def test_amounts_are_parsed_to_cents(raw, language, cents):
    assert parse_amount(raw, "EUR", language) == cents


@pytest.mark.parametrize(
    ("raw", "code"),
    [("", "amount_required"), ("abc", "amount_not_numeric"), ("0", "amount_not_positive"),
     ("-5", "amount_not_positive"), ("1.234", "amount_too_many_decimals"), ("1e3", "amount_not_numeric"),
     (None, "amount_not_numeric"), (True, "amount_not_numeric"), ("nan", "amount_not_numeric")],
)
def test_bad_amounts_are_refused_with_a_reason(raw, code):
    with pytest.raises(ValidationError) as err:
        parse_amount(raw, "EUR", "en")
    assert err.value.code == code


def test_every_message_has_both_languages_and_the_same_placeholders():
    for key, (english, italian) in i18n.CATALOG.items():
        assert english.strip() and italian.strip(), key
        fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
        assert fields(english) == fields(italian), key


def test_error_codes_translate_with_parameters():
    assert "8" in i18n.error_message("password_weak", "it", min_length=8)
    assert i18n.error_message("no_such_code", "en") == i18n.translate("error.unexpected", "en")


def test_every_service_error_code_raised_in_the_code_has_a_message():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "socialshop" / "services"
    pattern = re.compile(r"(?:ValidationError|NotFound|Conflict|PermissionDenied|ServiceError)\(\s*\"([a-z_]+)\"")
    codes = {code for path in root.glob("*.py") for code in pattern.findall(path.read_text())}
    assert codes, "expected to find service error codes"
    missing = sorted(code for code in codes if f"error.{code}" not in i18n.CATALOG)
    assert not missing, f"error codes without a translation: {missing}"


def test_an_end_time_today_is_just_the_time_and_ages_read_naturally():
    import datetime as dt

    from socialshop.services.money import format_ago, format_until

    now = dt.datetime(2026, 12, 2, 16, 10)
    assert format_until(now + dt.timedelta(minutes=15), now, "en") == "16:25"
    assert format_until(now + dt.timedelta(days=1), now, "it") == "03/12/26, 16:10"
    assert format_ago(now - dt.timedelta(minutes=7), now, "en") == "7 minutes ago"
    assert format_ago(now - dt.timedelta(hours=50), now, "it") == "2 giorni fa"
