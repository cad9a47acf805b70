"""The one interface every payment gateway implements.

Services talk only to `PaymentProvider`; a gateway lives in its own folder
(`sandbox/`, `stripe/`) and never leaks its SDK types past this module's dataclasses.
Card numbers and CVCs pass through `tokenize_card` once and are never stored by us:
we keep only the token, brand, last 4 digits and expiry.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass


class DeclineCode(str, enum.Enum):
    """Why a gateway refused; the UI turns each into a translated message."""

    CARD_DECLINED = "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    EXPIRED_CARD = "expired_card"
    INCORRECT_CVC = "incorrect_cvc"
    PROCESSING_ERROR = "processing_error"


class PaymentDeclined(Exception):
    """The gateway refused the card or the charge; nothing was charged."""

    def __init__(self, code: DeclineCode, message: str = "") -> None:
        super().__init__(message or code.value)
        self.code = code
        self.message = message or code.value


class MethodNotSupported(Exception):
    """This gateway cannot save that kind of payment method (e.g. PayPal on Stripe here)."""


class ProviderUnavailable(Exception):
    """The gateway could not be reached or answered with an error that is not a decline.

    Whether money moved is unknown: the request may have been carried out before the
    answer was lost. Callers must not report it as "nothing charged".
    """


@dataclass(frozen=True)
class CardInput:
    """Raw card data as typed by the user: lives only for the duration of one call."""

    number: str
    exp_month: int
    exp_year: int
    cvc: str
    holder_name: str = ""


@dataclass(frozen=True)
class SavedCard:
    """What we may keep about a card."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class SavedAccount:
    """A linked wallet account (PayPal): charged through its token exactly like a card."""

    token: str
    kind: str
    email: str


@dataclass(frozen=True)
class Charge:
    """A successful charge."""

    provider_ref: str
    amount_cents: int
    currency: str


@dataclass(frozen=True)
class Refund:
    provider_ref: str
    amount_cents: int


class PaymentProvider(abc.ABC):
    """A payment gateway. Every money-moving call takes our idempotency key.

    Gateways may ignore the key (localstripe does), so the ledger is what really
    guarantees "charged once"; passing it on still protects us against real Stripe
    retries.
    """

    name: str

    @abc.abstractmethod
    def create_customer(self, *, email: str, name: str) -> str:
        """Create the gateway-side customer and return its reference."""

    @abc.abstractmethod
    def tokenize_card(self, *, customer_ref: str, card: CardInput) -> SavedCard:
        """Turn raw card data into a reusable token attached to the customer.

        Raises PaymentDeclined when the gateway refuses the card itself.
        """

    def link_account(self, *, customer_ref: str, kind: str, email: str) -> SavedAccount:
        """Link a wallet account of `kind` ("paypal") by its email; the token then pays like a card.

        Raises MethodNotSupported when the gateway cannot, PaymentDeclined when the
        account is refused.
        """
        raise MethodNotSupported(kind)

    @abc.abstractmethod
    def detach_method(self, *, customer_ref: str, token: str) -> None:
        """Detach a saved method from the customer so it can never be charged again.

        Quiet when the gateway no longer knows it; ProviderUnavailable when it cannot be asked.
        """

    @abc.abstractmethod
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
        """Charge a saved card now. Raises PaymentDeclined (nothing charged) on refusal."""

    @abc.abstractmethod
    def refund(self, *, charge_ref: str, amount_cents: int, idempotency_key: str) -> Refund:
        """Refund (part of) an earlier charge."""

    @abc.abstractmethod
    def find_or_void_charge(self, *, idempotency_key: str, customer_ref: str) -> Charge | None:
        """What became of a charge whose answer we never got (timeout, crash).

        Returns the successful charge made with `idempotency_key`, or None after making
        sure that no charge with that key succeeds later (nothing found, or a pending one
        cancelled). Raises ProviderUnavailable while the gateway cannot tell: the outcome
        stays unknown and the caller asks again later. Never charges.
        """
