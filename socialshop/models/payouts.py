from __future__ import annotations

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from socialshop.models.base import StrEnum, utcnow


class PayoutStatus(StrEnum):
    # Recorded with its ledger transaction in one database transaction: there is no bank
    # gateway to wait for (see services/payouts.py).
    PAID = "paid"


class Payout(SQLModel, table=True):
    """Money a shop moved from its SocialShop balance to its bank account ("Pay out now").

    The key is made when the payouts page opens, so a double click or a second request
    with the same key reaches the same payout instead of making another."""

    # A merchant's history lists their shop's payouts newest first (keyset on created_at, id).
    __table_args__ = (Index("ix_payout_shop_id_created_at_id", "shop_id", "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id", index=True)
    requested_by_id: int = Field(foreign_key="user.id")
    amount_cents: int
    currency: str = Field(default="EUR", max_length=3)
    status: str = Field(default=PayoutStatus.PAID.value, max_length=16)
    idempotency_key: str = Field(max_length=64, unique=True, index=True)
    ledger_transaction_id: int | None = Field(default=None, foreign_key="ledgertransaction.id")
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)
