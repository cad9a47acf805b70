"""Where a user's orders are shipped: an address book with one default address."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from socialshop.models.base import utcnow


class ShippingAddress(SQLModel, table=True):
    # At most one default per user, whatever two tabs do at once.
    __table_args__ = (
        Index(
            "ux_shippingaddress_one_default",
            "user_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=120)
    line1: str = Field(max_length=200)
    city: str = Field(max_length=100)
    postal_code: str = Field(max_length=20)
    country: str = Field(default="IT", max_length=2)
    is_default: bool = Field(default=False)
    created_at: dt.datetime = Field(default_factory=utcnow)
