from __future__ import annotations

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from socialshop.models.base import StrEnum, utcnow


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class SavedItem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class CartItem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    quantity: int = Field(default=1)
    # Which app the product was found on: the order is paid "in" that app.
    app: str = Field(default="facebook", max_length=16)
    added_at: dt.datetime = Field(default_factory=utcnow)


class OrderSource(StrEnum):
    """How the order was paid: from a post or the cart, by scanning a QR code, in a chat."""

    CHECKOUT = "checkout"
    QR = "qr"
    CHAT = "chat"


class Order(SQLModel, table=True):
    """One shop's part of a checkout; a checkout spanning shops makes one order per shop.
    A QR or chat payment to a shop is an order too, so fees, refunds and payouts are the same."""

    # The order desk pages through one shop's orders, the buyer through their own, newest
    # first (row-value keyset on created_at, id).
    __table_args__ = (
        Index("ix_order_shop_id_created_at_id", "shop_id", "created_at", "id"),
        Index("ix_order_buyer_id_created_at_id", "buyer_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True, index=True)
    buyer_id: int = Field(foreign_key="user.id", index=True)
    shop_id: int = Field(foreign_key="shop.id", index=True)
    app: str = Field(max_length=16)
    status: str = Field(default=OrderStatus.PENDING.value, max_length=24, index=True)
    subtotal_cents: int
    # The platform's whole fee on this order (commission + flat fee), fixed at payment.
    fee_cents: int = Field(default=0)
    # The flat part of fee_cents, and the package it was computed under (money.fees).
    fee_flat_cents: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    fee_package: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})
    # How much of fee_cents refunds have given back to the shop so far (pro rata).
    fee_refunded_cents: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    refunded_cents: int = Field(default=0)
    # Refunds asked for but not yet confirmed by the gateway (RefundAttempt pending): held
    # so that refunded + pending never exceeds the subtotal, however many run at once.
    refund_pending_cents: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    source: str = Field(default=OrderSource.CHECKOUT.value, max_length=16, sa_column_kwargs={"server_default": "checkout"})
    # QR and chat payments hand nothing over by post: no address is shared with the shop.
    needs_shipping: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})
    carrier: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    tracking_number: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    shipped_at: dt.datetime | None = None
    # What the buyer wrote with a QR payment ("table 4").
    note: str = Field(default="", max_length=140, sa_column_kwargs={"server_default": ""})
    currency: str = Field(default="EUR", max_length=3)
    payment_id: int | None = Field(default=None, foreign_key="payment.id", index=True)
    checkout_attempt_id: int | None = Field(
        default=None, foreign_key="checkoutattempt.id", index=True
    )
    ship_name: str = Field(default="", max_length=120)
    ship_line1: str = Field(default="", max_length=200)
    ship_city: str = Field(default="", max_length=100)
    ship_postal_code: str = Field(default="", max_length=20)
    ship_country: str = Field(default="IT", max_length=2)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)
    paid_at: dt.datetime | None = None


class OrderItem(SQLModel, table=True):
    """Title and price are copied at purchase time: later edits must not rewrite history."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    title: str = Field(max_length=120)
    unit_price_cents: int
    quantity: int


class OrderEvent(SQLModel, table=True):
    """Append-only status history: who moved the order, when, from what to what."""

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str = Field(max_length=24)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", max_length=255)
    at: dt.datetime = Field(default_factory=utcnow)
