from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from socialshop.models.base import StrEnum, utcnow


class DisputeStatus(StrEnum):
    # Waiting for the shop's answer, until due_at; then escalated on its own.
    OPEN = "open"
    ANSWERED = "answered"
    # In support's queue: the shop did not answer in time, or the buyer asked for support.
    ESCALATED = "escalated"
    # Support refunded (part of) the order.
    REFUNDED = "refunded"
    # Closed without a refund: the buyer withdrew it, or support closed it.
    CLOSED = "closed"


DISPUTE_REASONS = ("not_received", "damaged", "not_as_described", "wrong_amount", "other")


class Dispute(SQLModel, table=True):
    """A problem a buyer reported about one order ("Report a problem" on the receipt). The shop
    answers within 2 business days or it goes to support, who may refund."""

    __table_args__ = (
        # The shop's list and support's queue page through newest first by status.
        Index("ix_dispute_shop_id_created_at", "shop_id", "created_at"),
        Index("ix_dispute_status_due_at", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # One dispute per order: a second report adds to the same conversation instead.
    order_id: int = Field(foreign_key="order.id", unique=True, index=True)
    buyer_id: int = Field(foreign_key="user.id", index=True)
    shop_id: int = Field(foreign_key="shop.id")
    reason: str = Field(max_length=24)
    details: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    status: str = Field(default=DisputeStatus.OPEN.value, max_length=16)
    due_at: dt.datetime
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    answered_at: dt.datetime | None = None
    escalated_at: dt.datetime | None = None
    # "overdue" (the shop did not answer in time) or "buyer" (the buyer asked for support).
    escalated_by: str = Field(default="", max_length=16)
    resolution: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    refunded_cents: int = Field(default=0)
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
