"""Sign-up, log-in, sessions. Messages never reveal whether an email is registered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from slugify import slugify
from sqlmodel import Session, select

from socialshop.models import AuthSession, Language, Role, User, utcnow
from socialshop.services import security
from socialshop.services.errors import Conflict, PermissionDenied, ValidationError
from socialshop.services.login_throttle import LoginThrottle, default_throttle
from socialshop.settings import SESSION_TTL_DAYS

MIN_PASSWORD_LENGTH = 8
HANDLE_MAX_LENGTH = 30
MAX_PASSWORD_LENGTH = 128


@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str


def normalize_email(raw: object) -> str:
    """The canonical form of an email, or ValidationError('email_invalid')."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError("email_invalid")
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError("email_invalid") from exc
    return checked.normalized.lower()


def check_password_strength(password: object, *, email: str = "") -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password_weak", min_length=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError("password_too_long", max_length=MAX_PASSWORD_LENGTH)
    classes = sum(
        [
            any(c.isalpha() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < 2 or password.lower() == email.lower() or len(set(password)) < 4:
        raise ValidationError("password_weak", min_length=MIN_PASSWORD_LENGTH)
    return password


def sign_up(
    session: Session,
    *,
    email: object,
    password: object,
    display_name: object,
    phone_number: object = None,
    role: Role = Role.SHOPPER,
    language: object = Language.EN.value,
) -> User:
    """A new account; Conflict('email_taken') if the address has one (for seeding and tools:
    the sign-up form uses `register`, which does not tell)."""
    user = register(
        session, email=email, password=password, display_name=display_name,
        phone_number=phone_number, role=role, language=language,
    )
    if user is None:
        raise Conflict("email_taken")
    return user


def register(
    session: Session,
    *,
    email: object,
    password: object,
    display_name: object,
    phone_number: object = None,
    role: Role = Role.SHOPPER,
    language: object = Language.EN.value,
) -> User | None:
    """The sign-up form's account: None, and nothing changed, when the address already has one.

    The form then answers exactly as for a new account, so it cannot be used to find out
    who is registered; the password is hashed either way so the answer takes as long.
    """
    clean_email = normalize_email(email)
    name = display_name.strip() if isinstance(display_name, str) else ""
    if not name or len(name) > 80:
        raise ValidationError("name_required")
    check_password_strength(password, email=clean_email)
    phone = phone_number.strip() if isinstance(phone_number, str) else ""
    if phone and (len(phone) > 32 or not all(c.isdigit() or c in "+ -" for c in phone)):
        raise ValidationError("phone_invalid")
    lang = Language.parse(language) or Language.EN
    password_hash = security.hash_secret(password)  # type: ignore[arg-type]
    if session.exec(select(User.id).where(User.email == clean_email)).first() is not None:
        return None
    user = User(
        email=clean_email,
        display_name=name,
        phone_number=phone or None,
        handle=unique_handle(session, name),
        password_hash=password_hash,
        role=role.value,
        language=lang.value,
    )
    session.add(user)
    session.flush()
    return user


def unique_handle(session: Session, name: str) -> str:
    """A free handle made from the name: "Giulia Rossi" -> "giulia_rossi", then "giulia_rossi2"."""
    base = slugify(name, separator="_", max_length=HANDLE_MAX_LENGTH - 4) or "user"
    candidate, number = base, 1
    while session.exec(select(User.id).where(User.handle == candidate)).first() is not None:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _open_session(session: Session, user: User) -> str:
    token = security.new_token()
    session.add(
        AuthSession(
            user_id=user.id,  # type: ignore[arg-type]
            token_hash=security.token_digest(token),
            expires_at=utcnow() + dt.timedelta(days=SESSION_TTL_DAYS),
        )
    )
    session.flush()
    return token


def sign_up_and_log_in(session: Session, **kwargs) -> LoginResult:
    user = sign_up(session, **kwargs)
    return LoginResult(user=user, token=_open_session(session, user))


def log_in(
    session: Session, *, email: object, password: object, client: str = "", throttle: LoginThrottle | None = None
) -> LoginResult:
    """A new session, or invalid_credentials; after too many failures of this account or
    client, login_throttled with how long to wait, even for the right password."""
    clean_email = normalize_email(email)
    throttle = throttle or default_throttle()
    _refuse_if_throttled(throttle, account=clean_email, client=client)
    user = session.exec(select(User).where(User.email == clean_email)).first()
    ok = security.verify_secret(
        password if isinstance(password, str) else "", user.password_hash if user else None
    )
    if user is None or not ok:
        throttle.failed(account=clean_email, client=client)
        _refuse_if_throttled(throttle, account=clean_email, client=client)
        raise ValidationError("invalid_credentials")
    throttle.succeeded(account=clean_email)
    return LoginResult(user=user, token=_open_session(session, user))


def _refuse_if_throttled(throttle: LoginThrottle, *, account: str, client: str) -> None:
    seconds = throttle.wait_seconds(account=account, client=client)
    if seconds:
        raise PermissionDenied("login_throttled", wait=dt.timedelta(seconds=seconds))


def session_for_token(session: Session, *, token: object) -> AuthSession | None:
    """The login row a browser's token belongs to (expired or not), found by the token's hash."""
    if not isinstance(token, str) or not token or len(token) > 256:
        return None
    return session.exec(
        select(AuthSession).where(AuthSession.token_hash == security.token_digest(token))
    ).first()


def user_for_token(session: Session, *, token: object) -> User | None:
    """The user behind a browser's token, if the session exists and has not expired.

    Every event of a signed-in page asks this first: one statement (the login row's
    expiry and its user together), not one for the row and another for the user.
    """
    if not isinstance(token, str) or not token or len(token) > 256:
        return None
    found = session.exec(
        select(User, AuthSession.expires_at)
        .join(AuthSession, AuthSession.user_id == User.id)  # type: ignore[arg-type]
        .where(AuthSession.token_hash == security.token_digest(token))
    ).first()
    if found is None or found[1] <= utcnow():
        return None
    return found[0]


def log_out(session: Session, *, token: object) -> None:
    row = session_for_token(session, token=token)
    if row is not None:
        session.delete(row)


def set_language(session: Session, *, user: User, language: object) -> User:
    lang = Language.parse(language)
    if lang is None:
        raise ValidationError("language_invalid")
    user.language = lang.value
    session.add(user)
    return user
