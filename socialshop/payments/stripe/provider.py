"""Stripe, through the official SDK; also talks to localstripe when given its address.

A card becomes a PaymentMethod attached to the customer; a charge is an off-session
PaymentIntent confirmed at creation; `Charge.provider_ref` is the PaymentIntent id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import stripe

from socialshop.payments.base import (
    CardInput,
    Charge,
    DeclineCode,
    PaymentDeclined,
    PaymentProvider,
    ProviderUnavailable,
    Refund,
    SavedCard,
)
from socialshop.payments.card_validation import card_brand, normalize_card_number

T = TypeVar("T")

# Stripe puts the precise reason in decline_code ("insufficient_funds" under code
# "card_declined") for issuer declines, and in code alone for expired_card/incorrect_cvc.
_DECLINE_CODES: dict[str, DeclineCode] = {
    "card_declined": DeclineCode.CARD_DECLINED,
    "insufficient_funds": DeclineCode.INSUFFICIENT_FUNDS,
    "expired_card": DeclineCode.EXPIRED_CARD,
    "incorrect_cvc": DeclineCode.INCORRECT_CVC,
    "invalid_cvc": DeclineCode.INCORRECT_CVC,
    "processing_error": DeclineCode.PROCESSING_ERROR,
}


def decline_code_for(*, code: str | None, decline_code: str | None) -> DeclineCode:
    """Our DeclineCode for Stripe's (code, decline_code) pair; unknown reasons are plain declines."""
    for candidate in (decline_code, code):
        if candidate in _DECLINE_CODES:
            return _DECLINE_CODES[candidate]
    return DeclineCode.CARD_DECLINED


def _call(fn: Callable[[], T]) -> T:
    """Run one SDK call, turning Stripe's exceptions into ours."""
    try:
        return fn()
    except stripe.CardError as exc:
        detail = exc.error.decline_code if exc.error else None
        raise PaymentDeclined(
            decline_code_for(code=exc.code, decline_code=detail), exc.user_message or ""
        ) from exc
    except stripe.StripeError as exc:
        raise ProviderUnavailable(f"Stripe: {exc.user_message or exc}") from exc


class StripeProvider(PaymentProvider):
    name = "stripe"

    def __init__(self, *, api_key: str, api_base: str | None = None) -> None:
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            # Safe to retry: every POST carries an idempotency key (ours on money moves, the
            # SDK's own elsewhere), so a retry cannot charge twice.
            max_network_retries=2,
        )

    def create_customer(self, *, email: str, name: str) -> str:
        customer = _call(lambda: self._client.v1.customers.create(params={"email": email, "name": name}))
        return customer.id

    def tokenize_card(self, *, customer_ref: str, card: CardInput) -> SavedCard:
        params: dict[str, Any] = {
            "type": "card",
            "card": {
                "number": normalize_card_number(card.number),
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
                "cvc": card.cvc.strip(),
            },
        }
        if card.holder_name:
            params["billing_details"] = {"name": card.holder_name}
        method = _call(lambda: self._client.v1.payment_methods.create(params=params))
        # Stripe (and localstripe) may refuse a problem card here rather than at charge time.
        _call(lambda: self._client.v1.payment_methods.attach(method.id, params={"customer": customer_ref}))
        details = method.card
        return SavedCard(
            token=method.id,
            # Our own brand names, identical whichever gateway saved the card (localstripe
            # reports every card as "visa").
            brand=card_brand(card.number),
            last4=details.last4,
            exp_month=details.exp_month,
            exp_year=details.exp_year,
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
        params: dict[str, Any] = {
            "amount": amount_cents,
            "currency": currency.lower(),
            "customer": customer_ref,
            "payment_method": card_token,
            "confirm": True,
            "off_session": True,
        }
        if description:
            # Metadata rather than `description`, which localstripe rejects as unknown.
            params["metadata"] = {"description": description}
        intent = _call(
            lambda: self._client.v1.payment_intents.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        )
        if intent.status != "succeeded":
            self._abandon(intent)
        return Charge(provider_ref=intent.id, amount_cents=intent.amount, currency=currency)

    def _abandon(self, intent: stripe.PaymentIntent) -> NoReturn:
        """Cancel a PaymentIntent that did not succeed and raise the decline.

        Canceling is what makes "nothing was charged" true: an intent left waiting for
        authentication could otherwise still be completed later. If the cancel fails we
        cannot promise that, so the caller gets ProviderUnavailable instead.
        """
        if intent.status != "canceled":
            _call(lambda: self._client.v1.payment_intents.cancel(intent.id))
        if intent.last_payment_error:
            error = intent.last_payment_error.to_dict()
            raise PaymentDeclined(
                decline_code_for(code=error.get("code"), decline_code=error.get("decline_code")),
                error.get("message") or "",
            )
        raise PaymentDeclined(
            DeclineCode.CARD_DECLINED,
            f"The payment could not be completed without the cardholder (status {intent.status}).",
        )

    def refund(self, *, charge_ref: str, amount_cents: int, idempotency_key: str) -> Refund:
        if amount_cents <= 0:
            raise ValueError(f"amount_cents must be positive, got {amount_cents}")
        refund = _call(
            lambda: self._client.v1.refunds.create(
                params={"payment_intent": charge_ref, "amount": amount_cents},
                options={"idempotency_key": idempotency_key},
            )
        )
        return Refund(provider_ref=refund.id, amount_cents=refund.amount)
