from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from socialshop.models.base import StrEnum, utcnow


class AccountKind(StrEnum):
    EXTERNAL = "external"  # money outside SocialShop: a user's card at the gateway
    PLATFORM_FEES = "platform_fees"
    MERCHANT = "merchant"
    FUNDRAISER = "fundraiser"
    USER_BALANCE = "user_balance"  # money received person-to-person


class LedgerAccount(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Stable name such as "merchant:3" or "external:method:12"; one account per name.
    code: str = Field(max_length=64, unique=True, index=True)
    kind: str = Field(max_length=24)
    currency: str = Field(default="EUR", max_length=3)
    created_at: dt.datetime = Field(default_factory=utcnow)


class LedgerTransaction(SQLModel, table=True):
    """A money movement. Never edited: a correction is a new transaction that reverses it."""

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=96, unique=True, index=True)
    kind: str = Field(max_length=24)
    description: str = Field(default="", max_length=255)
    reverses_id: int | None = Field(default=None, foreign_key="ledgertransaction.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class LedgerEntry(SQLModel, table=True):
    """One leg of a transaction; a transaction's legs sum to zero per currency."""

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="ledgertransaction.id", index=True)
    account_id: int = Field(foreign_key="ledgeraccount.id", index=True)
    amount_cents: int
    currency: str = Field(default="EUR", max_length=3)
