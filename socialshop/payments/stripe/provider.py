"""Stripe, through the official SDK; also talks to localstripe when given its address.

A card becomes a PaymentMethod saved for off-session use by a confirmed SetupIntent of
the customer; removing it detaches it; a charge is an off-session PaymentIntent
confirmed at creation; `Charge.provider_ref` is the PaymentIntent id.
Every PaymentIntent carries our idempotency key in its metadata (`KEY_METADATA`), which is
how `find_or_void_charge` and the webhooks tie it back to our attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
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

log = logging.getLogger(__name__)

# The PaymentIntent metadata entry holding our idempotency key (the checkout attempt's key).
KEY_METADATA = "socialshop_key"

# Statuses from which a PaymentIntent may still succeed and that Stripe lets us cancel.
_CANCELABLE = frozenset({"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"})

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
        self._set_up(customer_ref=customer_ref, method_id=method.id)
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

    def _set_up(self, *, customer_ref: str, method_id: str) -> None:
        """Save the card for later off-session charges through a SetupIntent.

        The SetupIntent is where Stripe asks the bank now (and for authentication, which
        a saved card cannot do later without its holder): a problem card is refused here.
        Created, then confirmed in a second call: localstripe knows neither
        `payment_method` nor `confirm` at creation (Stripe accepts both ways).
        """
        intent = _call(
            lambda: self._client.v1.setup_intents.create(
                params={"customer": customer_ref, "usage": "off_session", "payment_method_types": ["card"]}
            )
        )
        intent = _call(
            lambda: self._client.v1.setup_intents.confirm(intent.id, params={"payment_method": method_id})
        )
        if intent.status != "succeeded":
            # requires_action: only the cardholder could complete it, and they are not on Stripe's page.
            _call(lambda: self._client.v1.setup_intents.cancel(intent.id))
            raise PaymentDeclined(
                DeclineCode.CARD_DECLINED,
                f"The card could not be saved without the cardholder (status {intent.status}).",
            )
        # Stripe attaches the method to the SetupIntent's customer when it succeeds;
        # localstripe does not, so attach it when it is not attached yet.
        current = _call(lambda: self._client.v1.payment_methods.retrieve(method_id))
        owner = current.customer if isinstance(current.customer, str) else getattr(current.customer, "id", None)
        if owner != customer_ref:
            _call(lambda: self._client.v1.payment_methods.attach(method_id, params={"customer": customer_ref}))

    def detach_method(self, *, customer_ref: str, token: str) -> None:
        if not token:
            return
        try:
            self._client.v1.payment_methods.detach(token)
        except stripe.InvalidRequestError as exc:
            # Unknown to Stripe or already detached: there is nothing left to charge.
            message = str(exc.user_message or exc).lower()
            if exc.http_status == 404 or exc.code == "resource_missing" or "not attached" in message:
                return
            raise ProviderUnavailable(f"Stripe: {exc.user_message or exc}") from exc
        except stripe.StripeError as exc:
            raise ProviderUnavailable(f"Stripe: {exc.user_message or exc}") from exc

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
        metadata = {KEY_METADATA: idempotency_key}
        if description:
            # Metadata rather than `description`, which localstripe rejects as unknown.
            metadata["description"] = description
        params["metadata"] = metadata
        intent = _call(
            lambda: self._client.v1.payment_intents.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        )
        if intent.status != "succeeded":
            self._abandon(intent)
        return Charge(provider_ref=intent.id, amount_cents=intent.amount, currency=currency)

    def find_or_void_charge(self, *, idempotency_key: str, customer_ref: str) -> Charge | None:
        """Look the key up among the customer's PaymentIntents (their metadata), never charging.

        Listing rather than the Search API: search results lag writes by up to a minute, so
        "not found" there would not mean "never created". Every intent found that could still
        succeed is canceled; one that is `processing` cannot be, so the answer stays unknown
        (ProviderUnavailable) until it settles. Gateways that ignore idempotency keys
        (localstripe) may hold several intents per key: all are looked at.
        """
        matches = [
            intent
            for intent in self._customer_intents(customer_ref)
            if intent.metadata is not None and intent.metadata.to_dict().get(KEY_METADATA) == idempotency_key
        ]
        succeeded: list[stripe.PaymentIntent] = []
        for intent in matches:
            if intent.status in _CANCELABLE:
                intent = self._cancel_or_refresh(intent)
            if intent.status == "succeeded":
                succeeded.append(intent)
            elif intent.status != "canceled":
                raise ProviderUnavailable(
                    f"Stripe: PaymentIntent {intent.id} for key {idempotency_key} is still {intent.status}"
                )
        if not succeeded:
            return None
        if len(succeeded) > 1:
            log.error(
                "Key %s was charged %d times on Stripe (%s); only the first is ours",
                idempotency_key,
                len(succeeded),
                ", ".join(intent.id for intent in succeeded),
            )
        intent = succeeded[0]
        return Charge(provider_ref=intent.id, amount_cents=intent.amount, currency=intent.currency.upper())

    def intent_key(self, intent_id: str) -> str | None:
        """Our idempotency key on a PaymentIntent (None when it carries none); never charges.

        For webhooks about a Charge, whose metadata does not repeat its intent's.
        Raises ProviderUnavailable when Stripe cannot be asked.
        """
        intent = _call(lambda: self._client.v1.payment_intents.retrieve(intent_id))
        key = intent.metadata.to_dict().get(KEY_METADATA) if intent.metadata is not None else None
        return key if isinstance(key, str) and key else None

    def _customer_intents(self, customer_ref: str) -> Iterator[stripe.PaymentIntent]:
        """Every PaymentIntent of the customer (all of them when the server cannot filter).

        An empty customer_ref means the intents made without a customer.
        """
        params: dict[str, Any] = {"limit": 100}
        if customer_ref:
            params["customer"] = customer_ref
        try:
            page = self._client.v1.payment_intents.list(params=params)
        except stripe.InvalidRequestError as exc:
            # localstripe does not know the `customer` filter (Stripe does): filter here instead.
            if "Unexpected customer" not in str(exc.user_message or exc):
                raise ProviderUnavailable(f"Stripe: {exc.user_message or exc}") from exc
            page = _call(lambda: self._client.v1.payment_intents.list(params={"limit": 100}))
        except stripe.StripeError as exc:
            raise ProviderUnavailable(f"Stripe: {exc.user_message or exc}") from exc
        pages = iter(page.auto_paging_iter())
        while True:
            # Later pages are fetched while iterating: their errors are unavailability too.
            intent = _call(lambda: next(pages, None))
            if intent is None:
                return
            if (intent.customer or "") == customer_ref:
                yield intent

    def _cancel_or_refresh(self, intent: stripe.PaymentIntent) -> stripe.PaymentIntent:
        """Cancel an intent that could still succeed; if it moved on meanwhile, its current state."""
        try:
            return self._client.v1.payment_intents.cancel(intent.id)
        except stripe.StripeError as exc:
            current = _call(lambda: self._client.v1.payment_intents.retrieve(intent.id))
            if current.status in ("succeeded", "canceled"):
                return current
            raise ProviderUnavailable(f"Stripe: could not cancel {intent.id}: {exc.user_message or exc}") from exc

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
