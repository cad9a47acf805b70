"""A gateway that moves no money and needs no network, for development, demos and tests.

It keeps no state, so tokens issued by an earlier process (seeded demo cards) keep working:
a token carries the card's test behaviour, never its number:

    sbx_tok_<behaviour>_<32 hex>    behaviour: "ok" or a DeclineCode value

The card numbers that trigger a behaviour are Stripe's test cards, so a tester uses the
same cards whichever gateway is configured. Like Stripe, a problem card tokenizes fine
and is refused when charged.
"""

from __future__ import annotations

import hashlib
import secrets

from socialshop.payments.base import (
    CardInput,
    Charge,
    DeclineCode,
    PaymentDeclined,
    PaymentProvider,
    Refund,
    SavedCard,
)
from socialshop.payments.card_validation import card_brand, normalize_card_number, parse_expiry, validate_card

TOKEN_PREFIX = "sbx_tok_"
_OK = "ok"
_BEHAVIOURS = {_OK, *(code.value for code in DeclineCode)}

_TEST_CARDS: dict[str, DeclineCode] = {
    "4000000000000002": DeclineCode.CARD_DECLINED,
    "4000000000009995": DeclineCode.INSUFFICIENT_FUNDS,
    "4000000000000069": DeclineCode.EXPIRED_CARD,
    "4000000000000127": DeclineCode.INCORRECT_CVC,
    "4000000000000119": DeclineCode.PROCESSING_ERROR,
}

# Stripe's wording, so screens look the same against either gateway.
_MESSAGES: dict[DeclineCode, str] = {
    DeclineCode.CARD_DECLINED: "Your card was declined.",
    DeclineCode.INSUFFICIENT_FUNDS: "Your card has insufficient funds.",
    DeclineCode.EXPIRED_CARD: "Your card has expired.",
    DeclineCode.INCORRECT_CVC: "Your card's security code is incorrect.",
    DeclineCode.PROCESSING_ERROR: "An error occurred while processing your card. Try again in a little bit.",
}


def _ref(prefix: str, idempotency_key: str) -> str:
    # Derived from the key so that a retried call answers with the same reference, as a
    # real gateway's idempotency would, without the sandbox having to remember anything.
    if not idempotency_key:
        raise ValueError("idempotency_key is required")
    return prefix + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


def _decline_of(card_token: str) -> DeclineCode | None:
    """The decline a token was issued for; None for a good card."""
    behaviour, _, nonce = card_token.removeprefix(TOKEN_PREFIX).rpartition("_")
    if not card_token.startswith(TOKEN_PREFIX) or not nonce or behaviour not in _BEHAVIOURS:
        # e.g. a token from another gateway left in the database after switching providers.
        raise PaymentDeclined(DeclineCode.CARD_DECLINED, "This card is unknown to the payment gateway.")
    return None if behaviour == _OK else DeclineCode(behaviour)


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def create_customer(self, *, email: str, name: str) -> str:
        return "sbx_cus_" + secrets.token_hex(12)

    def tokenize_card(self, *, customer_ref: str, card: CardInput) -> SavedCard:
        # Forms validate first; this only keeps a bad card from ever getting a token.
        errors = validate_card(
            number=card.number, exp_month=card.exp_month, exp_year=card.exp_year, cvc=card.cvc
        )
        expiry = parse_expiry(card.exp_month, card.exp_year)
        if errors or expiry is None:
            raise PaymentDeclined(DeclineCode.CARD_DECLINED, _MESSAGES[DeclineCode.CARD_DECLINED])
        month, year = expiry
        number = normalize_card_number(card.number)
        decline = _TEST_CARDS.get(number)
        behaviour = decline.value if decline else _OK
        return SavedCard(
            token=f"{TOKEN_PREFIX}{behaviour}_{secrets.token_hex(16)}",
            brand=card_brand(number),
            last4=number[-4:],
            exp_month=month,
            exp_year=year,
        )

    def charge(
        self,
        *,
        customer_ref: str,
        card_token: str,
        amount_cents: int,
        currency: str,
        idempotency_key: str,
        description: str = "",
    ) -> Charge:
        if amount_cents <= 0:
            raise ValueError(f"amount_cents must be positive, got {amount_cents}")
        decline = _decline_of(card_token)
        if decline is not None:
            raise PaymentDeclined(decline, _MESSAGES[decline])
        return Charge(
            provider_ref=_ref("sbx_ch_", idempotency_key),
            amount_cents=amount_cents,
            currency=currency,
        )

    def refund(self, *, charge_ref: str, amount_cents: int, idempotency_key: str) -> Refund:
        if amount_cents <= 0:
            raise ValueError(f"amount_cents must be positive, got {amount_cents}")
        return Refund(provider_ref=_ref("sbx_re_", idempotency_key), amount_cents=amount_cents)
