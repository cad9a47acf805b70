from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from socialshop.models.base import StrEnum, utcnow


class Role(StrEnum):
    SHOPPER = "shopper"
    MERCHANT = "merchant"
    # Answers handed-over support conversations at /support/agent.
    SUPPORT = "support"


class Language(StrEnum):
    IT = "it"
    EN = "en"


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=80)
    phone_number: str | None = Field(default=None, max_length=32)
    # "@giulia": how people find each other in Messenger money without sharing an email or phone.
    handle: str | None = Field(default=None, max_length=30, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.SHOPPER.value, max_length=16)
    language: str = Field(default=Language.EN.value, max_length=2)
    created_at: dt.datetime = Field(default_factory=utcnow)


class AuthSession(SQLModel, table=True):
    """A login. Only a SHA-256 of the browser's token is stored, so a leaked table logs nobody in."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime
    # For Pay → Security's list of signed-in devices. Written on page loads at most every
    # few minutes (services/auth_sessions.SEEN_EVERY), never on every event.
    user_agent: str = Field(default="", max_length=300)
    last_seen_at: dt.datetime | None = None
