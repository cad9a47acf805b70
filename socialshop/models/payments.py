from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel, UniqueConstraint

from socialshop.models.base import StrEnum, utcnow


class PaymentKind(StrEnum):
    PURCHASE = "purchase"
    DONATION = "donation"
    TRANSFER = "transfer"


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class AttemptStatus(StrEnum):
    OPEN = "open"
    # Claimed: the plan is stored and reserved, the gateway is being asked.
    PROCESSING = "processing"
    # The gateway's answer was lost: money may or may not have moved. Never shown as a
    # decline; the reconciler asks the gateway and moves it to succeeded or failed.
    CONFIRMING = "confirming"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# An attempt in one of these may hold charged money, reserved stock or used allowance.
UNRESOLVED_ATTEMPT_STATUSES = (AttemptStatus.PROCESSING.value, AttemptStatus.CONFIRMING.value)


class PaymentMethodKind(StrEnum):
    CARD = "card"
    # A linked wallet account (PayPal): no number or expiry, charged like a card.
    PAYPAL = "paypal"


# Only what is still saved takes part in "the same method saved twice": a removed card
# may be added again.
_ACTIVE_METHOD = text("removed_at IS NULL")


class PaymentMethod(SQLModel, table=True):
    """A saved card or linked account. Never the number or CVC: only the gateway token and
    display facts (a PayPal account has exp_month = exp_year = 0: it does not expire)."""

    __table_args__ = (
        # Two tabs adding the same card at once: the database keeps one.
        Index(
            "ux_paymentmethod_user_fingerprint",
            "user_id",
            "fingerprint",
            unique=True,
            sqlite_where=_ACTIVE_METHOD,
            postgresql_where=_ACTIVE_METHOD,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(default=PaymentMethodKind.CARD.value, max_length=16, sa_column_kwargs={"server_default": "card"})
    provider: str = Field(max_length=16)
    provider_token: str = Field(max_length=255)
    brand: str = Field(max_length=16)
    last4: str = Field(max_length=4)
    exp_month: int
    exp_year: int
    # PayPal: the linked account's address (lower case), shown masked.
    account_email: str = Field(default="", max_length=254, sa_column_kwargs={"server_default": ""})
    # What makes two methods "the same" (brand, last 4, expiry; or the PayPal address),
    # set by services.payment_methods; NULL (never equal to another) on rows made elsewhere.
    fingerprint: str | None = Field(default=None, max_length=300)
    is_default: bool = Field(default=False)
    created_at: dt.datetime = Field(default_factory=utcnow)
    removed_at: dt.datetime | None = None


class PayProfile(SQLModel, table=True):
    """A user's Pay settings: gateway customer, PIN and its lock-out (addresses: ShippingAddress)."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    provider_customer_ref: str = Field(default="", max_length=255)
    pin_hash: str = Field(default="", max_length=255)
    failed_pin_attempts: int = Field(default=0)
    # How many times the PIN has locked: each lock lasts longer than the one before.
    pin_lock_count: int = Field(default=0)
    pin_locked_until: dt.datetime | None = None
    # When a payment needs the PIN (or a passkey): "always", or "above" pin_threshold_cents
    # (EUR; payments at or below it go through without).
    pin_policy: str = Field(default="always", max_length=16, sa_column_kwargs={"server_default": "always"})
    pin_threshold_cents: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class AppActivation(SQLModel, table=True):
    """Pay switched on or off for one app, and its monthly limit; no row means on, no limit."""

    __table_args__ = (UniqueConstraint("user_id", "app"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    app: str = Field(max_length=16)
    enabled: bool = Field(default=True)
    # Most this user may pay in this app per calendar month (UTC), in EUR cents; None: no limit.
    monthly_limit_cents: int | None = None
    updated_at: dt.datetime = Field(default_factory=utcnow)


class CheckoutAttempt(SQLModel, table=True):
    """One intention to pay, keyed when the checkout sheet opens.

    Retries, double clicks and reloads reuse the key, so they all land on this row and
    get its first result instead of charging again.
    """

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=16)
    app: str = Field(max_length=16)
    # What the sheet was opened for ("product:12x1", "cart", "fundraiser:3"...): a tab
    # resumes its stored attempt only for the same thing, never another product's result.
    subject: str = Field(default="", max_length=64)
    status: str = Field(default=AttemptStatus.OPEN.value, max_length=16, index=True)
    amount_cents: int = Field(default=0)
    currency: str = Field(default="EUR", max_length=3)
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    # Written when the key is claimed, before the gateway is called: everything needed
    # to record the payment or to give back what was reserved, by any process, later
    # (JSON: which handler, lines, prices, fees, shipping, counterparty...).
    plan: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    method_id: int | None = Field(default=None, foreign_key="paymentmethod.id")
    provider: str = Field(default="", max_length=16)
    claimed_at: dt.datetime | None = None
    charge_ref: str = Field(default="", max_length=255)
    # Who settled it: "payer" (the paying request itself), "reconciler" or "webhook".
    resolved_by: str = Field(default="", max_length=16)
    # PIN checks are slow on purpose (argon2), so the PIN authorizes the attempt once and
    # the charge itself stays fast.
    pin_verified_at: dt.datetime | None = None
    failure_code: str = Field(default="", max_length=32)
    failure_message: str = Field(default="", max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class AttemptEvent(SQLModel, table=True):
    """Append-only log of an attempt: claimed, each gateway answer (or its absence), how
    it was settled. Written in the same transaction as the status change it explains."""

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="checkoutattempt.id", index=True)
    event: str = Field(max_length=32)
    source: str = Field(default="", max_length=16)
    detail: str = Field(default="", max_length=255)
    at: dt.datetime = Field(default_factory=utcnow)


class Payment(SQLModel, table=True):
    """Money that left a user's payment method: a purchase, a donation or a transfer."""

    __table_args__ = (
        # The history pages through a user's payments and the transfers sent to them, newest
        # first, with a row-value keyset (created_at, id) < (?, ?): id is in the index.
        Index("ix_payment_payer_id_created_at_id", "payer_id", "created_at", "id"),
        Index("ix_payment_counterparty_user_id_created_at_id", "counterparty_user_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    payer_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=16)
    app: str = Field(max_length=16)
    status: str = Field(default=PaymentStatus.SUCCEEDED.value, max_length=24)
    amount_cents: int
    refunded_cents: int = Field(default=0)
    currency: str = Field(default="EUR", max_length=3)
    method_id: int | None = Field(default=None, foreign_key="paymentmethod.id")
    provider: str = Field(max_length=16)
    provider_ref: str = Field(default="", max_length=255)
    idempotency_key: str = Field(max_length=64, unique=True, index=True)
    # Who received it, for the history: a shop, a person or a fundraiser.
    counterparty_label: str = Field(default="", max_length=120)
    counterparty_user_id: int | None = Field(default=None, foreign_key="user.id")
    counterparty_shop_id: int | None = Field(default=None, foreign_key="shop.id")
    fundraiser_id: int | None = Field(default=None, foreign_key="fundraiser.id")
    note: str = Field(default="", max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)


class Refund(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="order.id")
    amount_cents: int
    currency: str = Field(default="EUR", max_length=3)
    provider_ref: str = Field(default="", max_length=255)
    idempotency_key: str = Field(max_length=64, unique=True, index=True)
    reason: str = Field(default="", max_length=255)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)


class RefundAttemptStatus(StrEnum):
    # Reserved on the order, the gateway not (yet) known to have refunded: never shown as
    # failed; the reconciler asks again with the same key until it settles.
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    # The gateway refused; the reservation was given back.
    FAILED = "failed"


class RefundAttempt(SQLModel, table=True):
    """One merchant, support or buyer refund of (part of) an order, stored as its plan before
    the gateway is called, so any process can finish it after a crash (money.refunds).
    The Refund row (money that came back) is written only when it succeeded."""

    __table_args__ = (Index("ix_refundattempt_status_updated_at", "status", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    payment_id: int = Field(foreign_key="payment.id")
    amount_cents: int
    currency: str = Field(default="EUR", max_length=3)
    # "refund:order:<order id>:<n>": the gateway's idempotency key, the Refund's and the
    # ledger transaction's, so every retry lands on the same refund.
    idempotency_key: str = Field(max_length=64, unique=True)
    status: str = Field(default=RefundAttemptStatus.PENDING.value, max_length=16)
    # A cancellation: when it succeeds the order becomes cancelled and its stock comes back.
    cancels_order: bool = Field(default=False)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    # "merchant", "support" or "buyer": who asked, for the order's history.
    requested_by: str = Field(default="merchant", max_length=16)
    reason: str = Field(default="", max_length=255)
    # The platform fee this refund gave back to the shop (money.fees.fee_to_give_back).
    fee_cents: int = Field(default=0)
    refund_id: int | None = Field(default=None, foreign_key="refund.id")
    failure_code: str = Field(default="", max_length=32)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class MoneyRequestStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class MoneyRequest(SQLModel, table=True):
    """A person asking another person for money in Messenger."""

    id: int | None = Field(default=None, primary_key=True)
    requester_id: int = Field(foreign_key="user.id", index=True)
    payer_id: int = Field(foreign_key="user.id", index=True)
    amount_cents: int
    currency: str = Field(default="EUR", max_length=3)
    note: str = Field(default="", max_length=255)
    status: str = Field(default=MoneyRequestStatus.OPEN.value, max_length=16)
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
