"""Card input checks: the codes the checkout and card forms show."""

from __future__ import annotations

import datetime

import pytest

from socialshop.payments.card_validation import (
    card_brand,
    luhn_ok,
    normalize_card_number,
    parse_expiry,
    validate_card,
)

TODAY = datetime.date(2026, 6, 15)


def check(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123", today=TODAY):
    return validate_card(number=number, exp_month=exp_month, exp_year=exp_year, cvc=cvc, today=today)


@pytest.mark.parametrize(
    "number, cvc",
    [
        ("4242424242424242", "123"),
        ("4242 4242 4242 4242", "123"),
        ("4242-4242-4242-4242", "123"),
        (" 4242 4242-4242 4242 ", "123"),
        ("5555555555554444", "123"),
        ("2223003122003222", "123"),
        ("378282246310005", "1234"),
        ("4000000000000002", "123"),
    ],
)
def test_valid_cards_have_no_errors(number, cvc):
    assert check(number=number, cvc=cvc) == {}


@pytest.mark.parametrize(
    "number, code",
    [
        ("", "required"),
        ("   ", "required"),
        ("4242x42424242424", "digits"),
        ("4242.4242.4242.4242", "digits"),
        ("4242424242424241", "luhn"),
        ("4242 4242 4242 4243", "luhn"),
        ("424242424242", "length"),  # 12 digits: no Visa is that short
        ("42424242424242424242", "length"),
        ("3782822463100051", "length"),  # Amex numbers have 15 digits
        ("55555555555544444", "length"),
    ],
)
def test_number_errors(number, code):
    assert check(number=number) == {"number": code}


@pytest.mark.parametrize(
    "exp_month, exp_year",
    [
        ("ab", 2030),
        (12, "ab"),
        (13, 2030),
        (0, 2030),
        ("", "2030"),
        (None, 2030),
        (12, None),
        (12, 123),
        (12, "20301"),
        (True, 2030),
        ("1.5", 2030),
    ],
)
def test_garbage_expiry_is_invalid(exp_month, exp_year):
    assert check(exp_month=exp_month, exp_year=exp_year) == {"expiry": "invalid"}


@pytest.mark.parametrize(
    "exp_month, exp_year, expected",
    [
        (6, 2026, {}),  # the current month is still good
        ("06", "26", {}),
        (" 6 ", " 26 ", {}),
        (7, 26, {}),
        (5, 2026, {"expiry": "past"}),
        ("5", "26", {"expiry": "past"}),
        (12, 2025, {"expiry": "past"}),
        (1, 1999, {"expiry": "past"}),
    ],
)
def test_expiry_against_today(exp_month, exp_year, expected):
    assert check(exp_month=exp_month, exp_year=exp_year) == expected


def test_card_is_valid_through_the_last_day_of_its_month():
    assert check(exp_month=6, exp_year=2026, today=datetime.date(2026, 6, 30)) == {}
    assert check(exp_month=6, exp_year=2026, today=datetime.date(2026, 7, 1)) == {"expiry": "past"}
    assert check(exp_month=12, exp_year=2026, today=datetime.date(2027, 1, 1)) == {"expiry": "past"}


def test_today_defaults_to_the_real_date():
    this_year = datetime.date.today().year
    assert validate_card(number="4242424242424242", exp_month=12, exp_year=this_year, cvc="123") == {}
    assert validate_card(number="4242424242424242", exp_month=12, exp_year=this_year - 1, cvc="123") == {
        "expiry": "past"
    }


@pytest.mark.parametrize("cvc", ["", "12", "12345", "12a", "abc", "1 23"])
def test_cvc_must_be_three_or_four_digits(cvc):
    assert check(cvc=cvc) == {"cvc": "digits"}


def test_every_bad_field_is_reported_at_once():
    assert check(number="1234", exp_month="ab", cvc="x") == {
        "number": "length",
        "expiry": "invalid",
        "cvc": "digits",
    }


def test_normalize_keeps_digits_only():
    assert normalize_card_number("4242 4242-4242 4242") == "4242424242424242"
    assert normalize_card_number(" 3782-822463-10005\t") == "378282246310005"
    assert normalize_card_number("") == ""


@pytest.mark.parametrize(
    "number, brand",
    [
        ("4242 4242 4242 4242", "visa"),
        ("4000056655665556", "visa"),
        ("5555555555554444", "mastercard"),
        ("5105105105105100", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("2720990000000007", "mastercard"),
        ("378282246310005", "amex"),
        ("371449635398431", "amex"),
        ("6011111111111117", "unknown"),  # Discover: not one we name
        ("2721000000000004", "unknown"),  # just past the Mastercard 2-series
        ("5600000000000000", "unknown"),
        ("", "unknown"),
    ],
)
def test_card_brand(number, brand):
    assert card_brand(number) == brand


@pytest.mark.parametrize(
    "digits, ok",
    [
        ("4242424242424242", True),
        ("79927398713", True),
        ("79927398710", False),
        ("4242424242424241", False),
        ("378282246310005", True),
    ],
)
def test_luhn(digits, ok):
    assert luhn_ok(digits) is ok


def test_parse_expiry_returns_month_and_four_digit_year():
    assert parse_expiry("06", "26") == (6, 2026)
    assert parse_expiry(7, 2031) == (7, 2031)
    assert parse_expiry("13", "26") is None
    assert parse_expiry("1", "ab") is None
