"""Payment codes (the QR a buyer scans) and the WhatsApp chats between a buyer and a shop."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, Index, SQLModel, UniqueConstraint

from socialshop.models.base import StrEnum, utcnow


class PaymentCodeKind(StrEnum):
    # The shop's one printed code: the buyer types the amount.
    STATIC = "static"
    # One sale: a fixed amount, payable once, expiring.
    DYNAMIC = "dynamic"


class PaymentCodeStatus(StrEnum):
    OPEN = "open"
    # A payment for it is being charged: nobody else can start one.
    CLAIMED = "claimed"
    PAID = "paid"
    CANCELLED = "cancelled"


class PaymentCode(SQLModel, table=True):
    """What a shop's QR code (or a chat's order message) asks to be paid."""

    __table_args__ = (Index("ix_paymentcode_shop_id_id", "shop_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id")
    kind: str = Field(max_length=16)
    # 0 for a static code (the buyer chooses).
    amount_cents: int = Field(default=0)
    currency: str = Field(default="EUR", max_length=3)
    # Items as the merchant typed them ("2 cappuccini, 1 cornetto").
    description: str = Field(default="", max_length=200)
    # EMV field 62/05, printed on receipts; unique so a merchant can look a code up by it.
    reference: str = Field(max_length=25, unique=True)
    expires_at: dt.datetime | None = None
    status: str = Field(default=PaymentCodeStatus.OPEN.value, max_length=16)
    # Set on a chat's order message: paying it makes an order of source "chat".
    chat_id: int | None = Field(default=None, foreign_key="shopchat.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="order.id")
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    paid_at: dt.datetime | None = None
    # The last payment of it that was declined (the code is open again): both sides see "failed".
    failed_at: dt.datetime | None = None


class ShopChat(SQLModel, table=True):
    """One conversation between a buyer and a shop (WhatsApp surface)."""

    __table_args__ = (UniqueConstraint("shop_id", "buyer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id", index=True)
    buyer_id: int = Field(foreign_key="user.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_message_at: dt.datetime = Field(default_factory=utcnow)


class ChatSender(StrEnum):
    BUYER = "buyer"
    SHOP = "shop"


class ChatMessage(SQLModel, table=True):
    __table_args__ = (Index("ix_chatmessage_chat_id_id", "chat_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(foreign_key="shopchat.id")
    sender: str = Field(max_length=8)
    body: str = Field(default="", max_length=1000)
    # An order message: the payment code it asks the buyer to pay.
    payment_code_id: int | None = Field(default=None, foreign_key="paymentcode.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
