"""The bell's entries: one row per thing that happened to a user's money or account."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from socialshop.models.base import StrEnum, utcnow


class NotificationKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    PIN_LOCKED = "pin_locked"
    METHOD_ADDED = "method_added"
    MONEY_RECEIVED = "money_received"
    SUPPORT_ANSWER = "support_answer"
    ORDER_SHIPPED = "order_shipped"
    ORDER_CANCELLED = "order_cancelled"
    # A dispute changed: opened (to the shop), answered, escalated or resolved (to the buyer).
    DISPUTE = "dispute"


class Notification(SQLModel, table=True):
    # The tabs' poll reads max(id) and the unread count for one user: (user_id, id) and
    # (user_id, read_at) keep both index-only.
    __table_args__ = (
        Index("ix_notification_user_id_id", "user_id", "id"),
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=24)
    # JSON: what the text needs (amounts in cents, names); rendered in the reader's language.
    params: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    link: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)
    read_at: dt.datetime | None = None
