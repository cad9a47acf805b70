from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel, UniqueConstraint

from socialshop.models.base import utcnow


class ShopCustomer(SQLModel, table=True):
    """A buyer as one shop knows them: a pseudonym ("Customer 7F3K"), never a name, email or
    phone. The alias is a keyed hash of (shop, buyer, generation), so the same person has
    unrelated aliases at different shops; resetting bumps the generation."""

    __table_args__ = (UniqueConstraint("shop_id", "user_id"), UniqueConstraint("shop_id", "alias"))

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = Field(foreign_key="shop.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    generation: int = Field(default=0)
    alias: str = Field(max_length=16)
    first_seen_at: dt.datetime = Field(default_factory=utcnow)
    reset_at: dt.datetime | None = None
