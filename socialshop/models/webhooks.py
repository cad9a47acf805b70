from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel, UniqueConstraint

from socialshop.models.base import StrEnum, utcnow


class WebhookOutcome(StrEnum):
    """What handling a gateway event came to (the attempt's own status is on the attempt)."""

    # Claimed by a delivery that is handling it now (or crashed while doing so).
    RECEIVED = "received"
    # Handled: it settled an attempt, or found it already settled.
    APPLIED = "applied"
    # Its key names no attempt of ours.
    NO_ATTEMPT = "no_attempt"
    # Verified but not about anything of ours (no key, or an attempt it cannot change).
    IGNORED = "ignored"
    # Handling raised; the next delivery of the same event may try again.
    ERROR = "error"


class WebhookEvent(SQLModel, table=True):
    """One gateway event received by a webhook, kept so each is acted on once.

    Gateways deliver at least once and retry: the unique (provider, event_id) pair is what
    turns five deliveries of one event into one change.
    """

    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=16)
    event_id: str = Field(max_length=255)
    type: str = Field(max_length=64)
    # The idempotency key of the attempt the event is about ("" when it carries none).
    attempt_key: str = Field(default="", max_length=64, index=True)
    outcome: str = Field(default=WebhookOutcome.RECEIVED.value, max_length=16)
    detail: str = Field(default="", max_length=255)
    received_at: dt.datetime = Field(default_factory=utcnow)
    handled_at: dt.datetime | None = None
