"""Passkeys: WebAuthn credentials that confirm a payment instead of the PIN.

The ceremonies are verified by the `webauthn` library; what this module adds is where the
challenges live and who may use them:

- A challenge is made by the server, stored with the user, the purpose, the relying party
  (host name) and origin it was issued for, and a short expiry. It is *consumed* (marked
  used) before the browser's answer is verified, on its own connection and committed at
  once, so a refused answer cannot be retried with the same challenge even though the
  caller's transaction rolls back (the same reason pay_pin keeps its counter apart).
- A payment challenge names one attempt key (its `binding`): an assertion made for one
  payment can never authorize another.
- The relying party is the host the page was served from, but only a host listed in
  SOCIALSHOP_PASSKEY_RP_IDS (default "localhost"): the browser's Origin header names the
  page, and webauthn then checks that the authenticator signed for that very origin.
- Registering needs the PIN: a stolen session must not be able to add its own passkey
  and pay without ever knowing the PIN.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from urllib.parse import urlsplit

from sqlalchemy import delete, update
from sqlmodel import Session, col, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from socialshop.models import PasskeyChallenge, PasskeyCredential, PasskeyPurpose, User, utcnow
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_id
from socialshop.services.pay_pin import _engine, verify_pin

RP_NAME = "SocialShop Pay"
CHALLENGE_TTL = dt.timedelta(minutes=5)
MAX_PASSKEYS = 10
MAX_NAME_LENGTH = 60
# A browser's credential JSON is a few hundred bytes (attestation "none"); anything this
# large is not one.
MAX_RESPONSE_LENGTH = 16_000
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it."""
    return utcnow()


def allowed_rp_ids() -> tuple[str, ...]:
    raw = os.environ.get("SOCIALSHOP_PASSKEY_RP_IDS", "localhost")
    return tuple(host.strip().lower() for host in raw.split(",") if host.strip())


@dataclasses.dataclass(frozen=True)
class RelyingParty:
    rp_id: str
    origin: str


def relying_party(origin: object) -> RelyingParty:
    """The relying party for a page served from `origin` ("http://localhost:3000").

    ValidationError("passkey_origin_invalid") for a malformed origin, a host not listed in
    SOCIALSHOP_PASSKEY_RP_IDS, or plain http anywhere but localhost (browsers refuse
    WebAuthn there anyway)."""
    if not isinstance(origin, str) or len(origin) > 300:
        raise ValidationError("passkey_origin_invalid")
    try:
        parts = urlsplit(origin)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError as exc:
        raise ValidationError("passkey_origin_invalid") from exc
    if (
        parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and host != "localhost")
        or host not in allowed_rp_ids()
        or parts.path not in ("", "/")
        or parts.query
        or parts.username
    ):
        raise ValidationError("passkey_origin_invalid")
    return RelyingParty(rp_id=host, origin=f"{parts.scheme}://{host}" + (f":{port}" if port else ""))


def clean_name(name: object) -> str:
    """ValidationError("passkey_name_invalid", max_length=60)."""
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text or len(text) > MAX_NAME_LENGTH or not text.isprintable():
        raise ValidationError("passkey_name_invalid", max_length=MAX_NAME_LENGTH)
    return text


def _user_credentials(session: Session, user: User, rp_id: str | None = None) -> list[PasskeyCredential]:
    stmt = select(PasskeyCredential).where(PasskeyCredential.user_id == user.id)
    if rp_id is not None:
        stmt = stmt.where(PasskeyCredential.rp_id == rp_id)
    return list(session.exec(stmt.order_by(col(PasskeyCredential.id)).limit(MAX_PASSKEYS)).all())


def _issue(
    session: Session, *, user: User, purpose: PasskeyPurpose, rp: RelyingParty, challenge: bytes,
    binding: str = "", label: str = "", now: dt.datetime,
) -> None:
    """Store a fresh challenge; it replaces the user's earlier one for the same ceremony."""
    session.exec(
        delete(PasskeyChallenge).where(
            col(PasskeyChallenge.user_id) == user.id,
            (
                (col(PasskeyChallenge.purpose) == purpose.value) & (col(PasskeyChallenge.attempt_key) == binding)
            )
            | (col(PasskeyChallenge.expires_at) <= now),
        )
    )
    session.add(
        PasskeyChallenge(
            user_id=user.id,  # type: ignore[arg-type]
            purpose=purpose.value,
            attempt_key=binding,
            challenge=bytes_to_base64url(challenge),
            rp_id=rp.rp_id,
            origin=rp.origin,
            label=label,
            expires_at=now + CHALLENGE_TTL,
            created_at=now,
        )
    )
    session.flush()


def _consume(session: Session, *, user: User, purpose: PasskeyPurpose, binding: str, now: dt.datetime) -> PasskeyChallenge:
    """Take the user's open challenge for this ceremony, once. Committed on its own
    connection before anything is verified (see the module docstring).

    ValidationError("passkey_expired") when there is none (never asked, expired, or
    already used: a replay)."""
    row = session.exec(
        select(PasskeyChallenge)
        .where(
            PasskeyChallenge.user_id == user.id,
            PasskeyChallenge.purpose == purpose.value,
            PasskeyChallenge.attempt_key == binding,
            col(PasskeyChallenge.used_at).is_(None),
        )
        .order_by(col(PasskeyChallenge.id).desc())
        .execution_options(populate_existing=True)
    ).first()
    if row is None or row.expires_at <= now:
        raise ValidationError("passkey_expired")
    taken = update(PasskeyChallenge).where(
        col(PasskeyChallenge.id) == row.id,
        col(PasskeyChallenge.used_at).is_(None),
        col(PasskeyChallenge.expires_at) > now,
    ).values(used_at=now)
    with _engine(session).begin() as conn:
        won = conn.execute(taken).rowcount == 1
    if not won:  # another request used it first
        raise ValidationError("passkey_expired")
    return row


def _parse_response(response: object) -> dict:
    if not isinstance(response, str) or not 0 < len(response) <= MAX_RESPONSE_LENGTH:
        raise ValidationError("passkey_invalid")
    try:
        parsed = json.loads(response)
    except ValueError as exc:
        raise ValidationError("passkey_invalid") from exc
    if not isinstance(parsed, dict) or not isinstance(parsed.get("id"), str):
        raise ValidationError("passkey_invalid")
    return parsed


# ---------------------------------------------------------------- registering


def registration_options(
    session: Session, *, user: User, origin: object, name: object, pin: object, now: dt.datetime | None = None
) -> str:
    """The options (JSON) for navigator.credentials.create, after checking the PIN.

    ValidationError("passkey_origin_invalid" | "passkey_name_invalid"),
    Conflict("passkey_limit", limit=10), and whatever verify_pin raises. Does not commit.
    """
    rp = relying_party(origin)
    label = clean_name(name)
    existing = _user_credentials(session, user)
    if len(existing) >= MAX_PASSKEYS:
        raise Conflict("passkey_limit", limit=MAX_PASSKEYS)
    # Before any write through `session`: verify_pin commits on its own connection.
    verify_pin(session, user=user, pin=pin, now=now)
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=RP_NAME,
        user_name=user.email,
        user_display_name=user.display_name,
        # A stable, opaque handle: the same account on one authenticator replaces its key.
        user_id=f"socialshop-user-{user.id}".encode(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=_b64decode(c.credential_id)) for c in existing if c.rp_id == rp.rp_id
        ],
    )
    _issue(session, user=user, purpose=PasskeyPurpose.REGISTER, rp=rp, challenge=options.challenge,
           label=label, now=now or _now())
    return options_to_json(options)


def register(session: Session, *, user: User, response: object, now: dt.datetime | None = None) -> PasskeyCredential:
    """Verify the browser's answer to registration_options and save the passkey. Does
    not commit.

    ValidationError("passkey_invalid" | "passkey_expired"), Conflict("passkey_duplicate").
    """
    now = now or _now()
    parsed = _parse_response(response)
    challenge = _consume(session, user=user, purpose=PasskeyPurpose.REGISTER, binding="", now=now)
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=_b64decode(challenge.challenge),
            expected_rp_id=challenge.rp_id,
            expected_origin=challenge.origin,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, TypeError, KeyError) as exc:
        raise ValidationError("passkey_invalid") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.exec(select(PasskeyCredential.id).where(PasskeyCredential.credential_id == credential_id)).first():
        raise Conflict("passkey_duplicate")
    raw_transports = parsed.get("response", {}).get("transports") if isinstance(parsed.get("response"), dict) else None
    transports = [t for t in raw_transports if t in _TRANSPORTS] if isinstance(raw_transports, list) else []
    credential = PasskeyCredential(
        user_id=user.id,  # type: ignore[arg-type]
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(transports)[:120],
        rp_id=challenge.rp_id,
        name=challenge.label or "Passkey",
        created_at=now,
    )
    session.add(credential)
    session.flush()
    return credential


# ---------------------------------------------------------------- confirming a payment


def assertion_options(
    session: Session, *, user: User, origin: object, binding: str, now: dt.datetime | None = None
) -> str:
    """Options (JSON) for navigator.credentials.get, whose challenge is tied to `binding`
    (an attempt key: the engine checks the attempt first). Does not commit.

    ValidationError("passkey_origin_invalid"), NotFound("passkey_none") when the user has
    no passkey for this host."""
    rp = relying_party(origin)
    credentials = _user_credentials(session, user, rp.rp_id)
    if not credentials:
        raise NotFound("passkey_none")
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        allow_credentials=[
            PublicKeyCredentialDescriptor(
                id=_b64decode(c.credential_id),
                transports=[AuthenticatorTransport(t) for t in c.transports.split(",") if t in _TRANSPORTS],
            )
            for c in credentials
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _issue(session, user=user, purpose=PasskeyPurpose.PAY, rp=rp, challenge=options.challenge, binding=binding,
           now=now or _now())
    return options_to_json(options)


def verify_assertion(
    session: Session, *, user: User, binding: str, response: object, now: dt.datetime | None = None
) -> PasskeyCredential:
    """Return the passkey that signed this `binding`'s challenge; raise otherwise.

    The challenge is used up whatever the outcome. ValidationError("passkey_invalid" |
    "passkey_expired"); a credential of another user, a wrong origin or relying party, a
    bad signature, missing user verification and a sign count that did not grow are all
    "passkey_invalid". Does not commit the new sign count (the caller's transaction does).
    """
    now = now or _now()
    parsed = _parse_response(response)
    challenge = _consume(session, user=user, purpose=PasskeyPurpose.PAY, binding=binding, now=now)
    credential = session.exec(
        select(PasskeyCredential).where(
            PasskeyCredential.credential_id == parsed["id"],
            PasskeyCredential.user_id == user.id,
            PasskeyCredential.rp_id == challenge.rp_id,
        )
    ).first()
    if credential is None:
        raise ValidationError("passkey_invalid")
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=_b64decode(challenge.challenge),
            expected_rp_id=challenge.rp_id,
            expected_origin=challenge.origin,
            credential_public_key=credential.public_key,
            credential_current_sign_count=credential.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, TypeError, KeyError) as exc:
        raise ValidationError("passkey_invalid") from exc
    # Conditional on the count just checked: two assertions racing with one count cannot
    # both pass.
    moved = session.exec(
        update(PasskeyCredential)
        .where(col(PasskeyCredential.id) == credential.id, col(PasskeyCredential.sign_count) == credential.sign_count)
        .values(sign_count=verified.new_sign_count, last_used_at=now)
    ).rowcount
    if moved != 1:
        raise ValidationError("passkey_invalid")
    session.refresh(credential)
    return credential


# ---------------------------------------------------------------- the list


@dataclasses.dataclass(frozen=True)
class PasskeyView:
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


def list_passkeys(session: Session, *, user: User) -> list[PasskeyView]:
    return [
        PasskeyView(id=c.id, name=c.name, created_at=c.created_at, last_used_at=c.last_used_at)  # type: ignore[arg-type]
        for c in _user_credentials(session, user)
    ]


def has_passkey(session: Session, *, user: User) -> bool:
    return session.exec(select(PasskeyCredential.id).where(PasskeyCredential.user_id == user.id)).first() is not None


def remove_passkey(session: Session, *, user: User, passkey_id: object) -> None:
    """NotFound("passkey_not_found") for garbage and other users' ids. Does not commit."""
    parsed = parse_id(passkey_id)
    credential = session.get(PasskeyCredential, parsed) if parsed is not None else None
    if credential is None or credential.user_id != user.id:
        raise NotFound("passkey_not_found")
    session.delete(credential)
    session.flush()


def _b64decode(value: str) -> bytes:
    from webauthn import base64url_to_bytes

    return base64url_to_bytes(value)
