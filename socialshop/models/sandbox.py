"""The sandbox gateway's own memory of its charges (what a real gateway keeps on its side).

Not part of our books: the engine never reads it. It lets the sandbox answer "what
became of the charge with this key?" after a lost answer or a crash, exactly as a
look-up at Stripe would.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from socialshop.models.base import StrEnum, utcnow


class SandboxChargeStatus(StrEnum):
    CHARGED = "charged"
    # Looked up and not found: the key is closed, a charge arriving late is refused.
    VOIDED = "voided"


class SandboxCharge(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=64, unique=True, index=True)
    status: str = Field(max_length=16)
    provider_ref: str = Field(default="", max_length=64)
    amount_cents: int = Field(default=0)
    currency: str = Field(default="EUR", max_length=3)
    created_at: dt.datetime = Field(default_factory=utcnow)
