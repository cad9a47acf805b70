"""Passkeys (WebAuthn credentials) that confirm payments instead of the PIN, and the
one-time challenges their ceremonies sign."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from socialshop.models.base import StrEnum, utcnow


class PasskeyPurpose(StrEnum):
    REGISTER = "register"
    # Confirming one payment attempt: the challenge row names the attempt's key.
    PAY = "pay"


class PasskeyCredential(SQLModel, table=True):
    """A public key registered by one of the user's authenticators. The private key never
    leaves the authenticator; what is kept here can only verify, not sign."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # base64url of the authenticator's credential id (at most 1023 bytes by the spec).
    credential_id: str = Field(max_length=1400, unique=True, index=True)
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # The authenticator's use counter: an assertion that does not raise it is refused
    # (a cloned authenticator would repeat old counts).
    sign_count: int = Field(default=0)
    # Comma-separated hints for the browser ("internal", "usb", "hybrid"...).
    transports: str = Field(default="", max_length=120)
    # The relying party (host name) it was registered for: only offered on that host.
    rp_id: str = Field(max_length=253)
    name: str = Field(max_length=60)
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_used_at: dt.datetime | None = None


class PasskeyChallenge(SQLModel, table=True):
    """A random challenge handed to the browser for one ceremony: single use, short-lived,
    and for `pay` tied to one attempt key so an assertion cannot confirm another payment."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    purpose: str = Field(max_length=16)
    attempt_key: str = Field(default="", max_length=64)
    challenge: str = Field(max_length=128, unique=True)
    # What the options were made for; verification expects exactly these.
    rp_id: str = Field(max_length=253)
    origin: str = Field(max_length=300)
    # For a registration: the name the user chose (kept until the credential arrives).
    label: str = Field(default="", max_length=60)
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
