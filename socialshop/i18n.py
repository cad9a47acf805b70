"""Every user-visible string, in English and Italian, in one place.

Pages render a key through `components.i18n.tr` (both strings compiled into the page,
switched by the reader's language); backend messages, such as a service error's code, go
through `translate`. Both read this catalogue (assembled from socialshop/translations/), so a missing
translation is caught by one test. Money and dates are not here: Babel formats them (services/money.py).
"""

from __future__ import annotations

import datetime as dt

from socialshop.translations import (
    accounts,
    core,
    disputes,
    merchant,
    merchant_catalog,
    merchant_money,
    merchant_orders,
    notifications,
    pay_authorization,
    pay_history,
    pay_insights,
    pay_methods,
    pay_overview,
    pay_security,
    pay_support,
    payments,
    people,
    public_pages,
    qr_payments,
    shopping,
)

LANGUAGES = ("en", "it")
DEFAULT_LANGUAGE = "en"

CATALOG: dict[str, tuple[str, str]] = {
    **core.MESSAGES,
    **shopping.MESSAGES,
    **payments.MESSAGES,
    **pay_authorization.MESSAGES,
    **pay_history.MESSAGES,
    **pay_methods.MESSAGES,
    **pay_support.MESSAGES,
    **notifications.MESSAGES,
    **pay_overview.MESSAGES,
    **pay_insights.MESSAGES,
    **pay_security.MESSAGES,
    **accounts.MESSAGES,
    **people.MESSAGES,
    **merchant.MESSAGES,
    **merchant_catalog.MESSAGES,
    **merchant_orders.MESSAGES,
    **merchant_money.MESSAGES,
    **qr_payments.MESSAGES,
    **disputes.MESSAGES,
    **public_pages.MESSAGES,
}


def translate(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text for `key` in `language`, with {params} filled in; the key itself if unknown."""
    pair = CATALOG.get(key)
    if pair is None:
        return key
    text = pair[1] if language == "it" else pair[0]
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


# Error parameters that are amounts in cents, per code (the rest are shown as they are).
MONEY_PARAMS: dict[str, tuple[str, ...]] = {
    "donation_out_of_range": ("min", "max"),
    "transfer_over_limit": ("limit",),
    "transfer_monthly_limit": ("limit", "remaining"),
    "pin_threshold_invalid": ("max",),
    "pay_limit_reached": ("limit", "remaining"),
    "limit_too_high": ("max",),
    "refund_exceeds_remaining": ("remaining",),
    "payout_nothing_available": ("owed",),
    "code_amount_over_limit": ("limit",),
    "price_too_high": ("max",),
}


def error_message(code: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The message for a service error code; unknown codes fall back to a generic one.

    Amounts are formatted as money, times in the reader's language, app ids by name.
    """
    from socialshop.services.money import format_date, format_datetime, format_duration, format_money

    key = f"error.{code}"
    if key not in CATALOG:
        key = "error.unexpected"
    shown: dict[str, object] = {}
    for name, value in params.items():
        if name in MONEY_PARAMS.get(code, ()) and isinstance(value, int):
            shown[name] = format_money(value, str(params.get("currency", "EUR")), language)
        elif isinstance(value, dt.datetime):
            shown[name] = format_datetime(value, language)
        elif isinstance(value, dt.date):
            shown[name] = format_date(value, language)
        elif isinstance(value, dt.timedelta):
            shown[name] = format_duration(value, language)
        elif name == "app" and f"app.{value}" in CATALOG:
            shown[name] = translate(f"app.{value}", language)
        else:
            shown[name] = value
    return translate(key, language, **shown)
