"""A gateway that moves no money and needs no network, for development, demos and tests.

Tokens are stateless, so tokens issued by an earlier process (seeded demo cards) keep
working: a token carries the card's test behaviour, never its number:

    sbx_tok_<behaviour>_<32 hex>    behaviour: "ok", a DeclineCode value or a fault

The card numbers that trigger a decline are Stripe's test cards, so a tester uses the
same cards whichever gateway is configured. Like Stripe, a problem card tokenizes fine
and is refused when charged.

Charges are remembered in the gateway's own table (SandboxCharge), one row per
idempotency key, so that a retry answers with the first charge and
`find_or_void_charge` can tell what happened after a lost answer. Three more test
cards simulate faults (listed in README.md):

    4000 0000 0000 4004   charges, then the answer is lost (the caller sees a timeout)
    4000 0000 0000 5001   times out before charging (nothing is charged)
    4000 0000 0000 6009   a slow gateway: answers after SLOW_SECONDS, then charges

PayPal is a linked account by email: its token is an ordinary "ok" token, so it pays
exactly like a good card. An address at `declined.example.com` is
refused when linked (for testing the refusal).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time

from sqlalchemy import exc, insert, select
from sqlalchemy.engine import Engine

from socialshop.models.sandbox import SandboxCharge, SandboxChargeStatus
from socialshop.payments.base import (
    CardInput,
    Charge,
    DeclineCode,
    MethodNotSupported,
    PaymentDeclined,
    PaymentProvider,
    ProviderUnavailable,
    Refund,
    SavedAccount,
    SavedCard,
)
from socialshop.payments.card_validation import card_brand, normalize_card_number, parse_expiry, validate_card

TOKEN_PREFIX = "sbx_tok_"
_OK = "ok"
ANSWER_LOST = "answer_lost"
TIMEOUT = "timeout"
SLOW = "slow"
_FAULTS: dict[str, str] = {
    "4000000000004004": ANSWER_LOST,
    "4000000000005001": TIMEOUT,
    "4000000000006009": SLOW,
}
_BEHAVIOURS = {_OK, ANSWER_LOST, TIMEOUT, SLOW, *(code.value for code in DeclineCode)}
_CHARGES = SandboxCharge.__table__  # type: ignore[attr-defined]


def slow_seconds() -> float:
    """How long the slow test card keeps a charge waiting (SOCIALSHOP_SANDBOX_SLOW_SECONDS)."""
    try:
        return max(0.0, float(os.environ.get("SOCIALSHOP_SANDBOX_SLOW_SECONDS", "2")))
    except ValueError:
        return 2.0

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


_MESSAGES_BY_VALUE = {code.value for code in _MESSAGES}


def _ref(prefix: str, idempotency_key: str) -> str:
    # Derived from the key so that a retried call answers with the same reference, as a
    # real gateway's idempotency would, without the sandbox having to remember anything.
    if not idempotency_key:
        raise ValueError("idempotency_key is required")
    return prefix + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


def _behaviour_of(card_token: str) -> str:
    """What a token was issued for: "ok", a DeclineCode value or a fault."""
    behaviour, _, nonce = card_token.removeprefix(TOKEN_PREFIX).rpartition("_")
    if not card_token.startswith(TOKEN_PREFIX) or not nonce or behaviour not in _BEHAVIOURS:
        # e.g. a token from another gateway left in the database after switching providers.
        raise PaymentDeclined(DeclineCode.CARD_DECLINED, "This card is unknown to the payment gateway.")
    return behaviour


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def __init__(self, engine: Engine | None = None) -> None:
        # None: the application's database, looked up at each call (tests swap it).
        self._engine = engine

    def _db(self) -> Engine:
        if self._engine is not None:
            return self._engine
        from socialshop import db

        return db.get_engine()

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
        behaviour = decline.value if decline else _FAULTS.get(number, _OK)
        return SavedCard(
            token=f"{TOKEN_PREFIX}{behaviour}_{secrets.token_hex(16)}",
            brand=card_brand(number),
            last4=number[-4:],
            exp_month=month,
            exp_year=year,
        )

    def link_account(self, *, customer_ref: str, kind: str, email: str) -> SavedAccount:
        if kind != "paypal":
            raise MethodNotSupported(kind)
        if email.lower().endswith("@declined.example.com"):
            raise PaymentDeclined(DeclineCode.CARD_DECLINED, "PayPal refused to link this account.")
        return SavedAccount(token=f"{TOKEN_PREFIX}{_OK}_{secrets.token_hex(16)}", kind=kind, email=email)

    def detach_method(self, *, customer_ref: str, token: str) -> None:
        # Tokens hold no server-side state here: forgetting the token (the caller does)
        # is all it takes for it never to be charged from this app again.
        return None

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
        behaviour = _behaviour_of(card_token)
        if behaviour in _MESSAGES_BY_VALUE:
            decline = DeclineCode(behaviour)
            raise PaymentDeclined(decline, _MESSAGES[decline])
        if behaviour == TIMEOUT:
            raise ProviderUnavailable("sandbox: timed out before charging")
        if behaviour == SLOW:
            time.sleep(slow_seconds())
        charge = self._remember_charge(idempotency_key, amount_cents, currency)
        if behaviour == ANSWER_LOST:
            raise ProviderUnavailable("sandbox: charged, then the answer was lost")
        return charge

    def _remember_charge(self, idempotency_key: str, amount_cents: int, currency: str) -> Charge:
        """One row per key: the first call charges, a retry gets that same charge, and a
        key closed by find_or_void_charge can no longer be charged."""
        ref = _ref("sbx_ch_", idempotency_key)
        try:
            with self._db().begin() as conn:
                conn.execute(
                    insert(_CHARGES).values(
                        idempotency_key=idempotency_key,
                        status=SandboxChargeStatus.CHARGED.value,
                        provider_ref=ref,
                        amount_cents=amount_cents,
                        currency=currency,
                    )
                )
        except exc.IntegrityError:
            row = self._row(idempotency_key)
            if row is None or row.status != SandboxChargeStatus.CHARGED.value:
                raise PaymentDeclined(
                    DeclineCode.PROCESSING_ERROR, "This payment was cancelled before it could be charged."
                ) from None
            if (row.amount_cents, row.currency) != (amount_cents, currency):
                raise ValueError("idempotency key reused with a different amount") from None
        except exc.OperationalError as error:
            raise ProviderUnavailable(f"sandbox: {error}") from error
        return Charge(provider_ref=ref, amount_cents=amount_cents, currency=currency)

    def _row(self, idempotency_key: str):
        with self._db().connect() as conn:
            return conn.execute(select(_CHARGES).where(_CHARGES.c.idempotency_key == idempotency_key)).first()

    def find_or_void_charge(self, *, idempotency_key: str, customer_ref: str) -> Charge | None:
        try:
            with self._db().begin() as conn:
                # Closing the key and finding a charge are one atomic step: the insert
                # races a late charge on the unique key, and exactly one of them wins.
                conn.execute(
                    insert(_CHARGES).values(
                        idempotency_key=idempotency_key, status=SandboxChargeStatus.VOIDED.value
                    )
                )
            return None
        except exc.IntegrityError:
            row = self._row(idempotency_key)
        except exc.OperationalError as error:
            raise ProviderUnavailable(f"sandbox: {error}") from error
        if row is None or row.status != SandboxChargeStatus.CHARGED.value:
            return None
        return Charge(provider_ref=row.provider_ref, amount_cents=row.amount_cents, currency=row.currency)

    def refund(self, *, charge_ref: str, amount_cents: int, idempotency_key: str) -> Refund:
        if amount_cents <= 0:
            raise ValueError(f"amount_cents must be positive, got {amount_cents}")
        return Refund(provider_ref=_ref("sbx_re_", idempotency_key), amount_cents=amount_cents)
