"""The Pay PIN: 4-6 digits that authorize a payment, with a lock-out that grows.

How failed attempts survive the caller's rollback
--------------------------------------------------
Callers wrap services in `session_scope()`, which rolls back when a service raises. A
wrong PIN raises, so a counter written through the caller's session would be rolled
back and an attacker would get unlimited guesses. `verify_pin` therefore keeps the
counter on its *own* connection, committed immediately, and never through `session`:

1. Before hashing, one conditional UPDATE *reserves* the attempt: it counts it as
   failed in advance, and only while the PIN is not locked. The attempt that reaches
   MAX_TRIES sets the lock in the same statement. So even a burst of parallel guesses
   from many tabs or devices gets at most MAX_TRIES answers per lock period: the
   counter is checked and incremented atomically by the database, not in Python.
2. The argon2 check runs with no transaction open (it is slow on purpose).
3. A right PIN gives the reservation back: the counter returns to 0, and if this very
   attempt had set the lock it is lifted again (a right 5th try is not a lock-out).

Because of the separate connection, call `verify_pin` before writing anything through
`session` in the same transaction: on SQLite the caller's pending write would hold the
database lock the counter update waits for.

Resetting a forgotten PIN with the account password goes through the same counter: a
wrong password is a failed try. Otherwise whoever holds an unlocked phone could guess the
password without limit through the reset form, and then pick a new PIN.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from socialshop.models import PayProfile, User, utcnow
from socialshop.services import notifications, security
from socialshop.services.errors import Conflict, ValidationError
from socialshop.services.payment_methods import ensure_pay_profile

MAX_TRIES = 5
# Where a person sets, changes or resets the PIN (linked from the lock notification).
SECURITY_LINK = "/pay/security"
# Each lock lasts longer than the previous one; the last value repeats.
LOCK_MINUTES = (15, 60, 240, 1440)
PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 6
_PIN_RE = re.compile(rf"[0-9]{{{PIN_MIN_LENGTH},{PIN_MAX_LENGTH}}}")

# The PINs people pick most (repeated digits, runs, keypad lines, dates-like pairs): the
# first guesses of anyone holding a stolen phone, so they are refused as new PINs.
COMMON_PINS = frozenset((
    "0000", "1111", "2222", "3333", "4444", "5555", "6666", "7777", "8888", "9999",
    "1234", "2345", "3456", "4567", "5678", "6789", "0123", "4321", "9876", "3210",
    "1212", "1122", "1313", "2121", "1010", "2020", "6969", "1004", "2000", "2001",
    "2580", "0852", "1470", "3690", "1357", "2468", "7410", "1590", "4200", "1337",
    "00000", "11111", "12345", "54321", "123456", "654321", "000000", "111111",
    "222222", "333333", "444444", "555555", "666666", "777777", "888888", "999999",
    "121212", "112233", "123123", "123321", "696969", "159753", "147258", "258369",
    "789456", "987654", "012345", "101010", "131313", "200000",
))


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it (or pass `now=`)."""
    return utcnow()


@dataclass(frozen=True)
class PinStatus:
    is_set: bool
    tries_left: int
    locked_until: dt.datetime | None


def lock_duration(previous_locks: int) -> dt.timedelta:
    return dt.timedelta(minutes=LOCK_MINUTES[min(previous_locks, len(LOCK_MINUTES) - 1)])


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return getattr(bind, "engine", bind)


def _fresh_profile(session: Session, user: User) -> PayProfile | None:
    # populate_existing: the counter may have been changed by verify_pin's own connection
    # (or another device) since this session last loaded the row.
    return session.exec(
        select(PayProfile)
        .where(PayProfile.user_id == user.id)
        .execution_options(populate_existing=True)
    ).first()


def _is_locked(profile: PayProfile, now: dt.datetime) -> bool:
    return profile.pin_locked_until is not None and profile.pin_locked_until > now


def pin_status(session: Session, *, user: User, now: dt.datetime | None = None) -> PinStatus:
    now = now or _now()
    profile = _fresh_profile(session, user)
    if profile is None or not profile.pin_hash:
        return PinStatus(is_set=False, tries_left=MAX_TRIES, locked_until=None)
    if _is_locked(profile, now):
        return PinStatus(is_set=True, tries_left=0, locked_until=profile.pin_locked_until)
    return PinStatus(
        is_set=True,
        tries_left=max(0, MAX_TRIES - profile.failed_pin_attempts),
        locked_until=None,
    )


def _check_format(pin: object) -> str:
    if not isinstance(pin, str) or not _PIN_RE.fullmatch(pin):
        raise ValidationError("pin_format", min_length=PIN_MIN_LENGTH, max_length=PIN_MAX_LENGTH)
    return pin


def _check_new_pin(pin: object) -> str:
    """A PIN a person may choose: the format, and not one of the first guesses."""
    new_pin = _check_format(pin)
    if new_pin in COMMON_PINS:
        raise ValidationError("pin_too_common")
    return new_pin


def _refuse(session: Session, user: User, now: dt.datetime) -> None:
    """Why the reservation found no row: no PIN, or locked."""
    profile = _fresh_profile(session, user)
    if profile is None or not profile.pin_hash:
        raise ValidationError("pin_not_set")
    if _is_locked(profile, now):
        raise Conflict("pin_locked", until=profile.pin_locked_until)
    raise Conflict("pin_locked", until=now)  # unreachable unless the row changed meanwhile


def verify_pin(session: Session, *, user: User, pin: object, now: dt.datetime | None = None) -> None:
    """Return quietly when `pin` is the user's PIN; raise otherwise.

    ValidationError("pin_not_set"), ValidationError("pin_format", ...) (not counted:
    it can never be right), ValidationError("pin_wrong", tries_left=n),
    Conflict("pin_locked", until=datetime). The attempt counter is committed on a
    separate connection before this returns or raises (see the module docstring).
    """
    now = now or _now()
    profile = _fresh_profile(session, user)
    if profile is None or not profile.pin_hash:
        raise ValidationError("pin_not_set")
    if _is_locked(profile, now):
        raise Conflict("pin_locked", until=profile.pin_locked_until)
    candidate = _check_format(pin)
    tries_left = _counted_try(session, user, now, lambda pin_hash: security.verify_secret(candidate, pin_hash))
    if tries_left is not None:
        raise ValidationError("pin_wrong", tries_left=tries_left)


def _counted_try(
    session: Session, user: User, now: dt.datetime, is_right: Callable[[str], bool]
) -> int | None:
    """One try against the PIN's counter (see the module docstring): None when `is_right`
    (given the PIN hash) says yes, else the tries left; Conflict("pin_locked") when this
    try locked the PIN or it already was locked."""
    reaches_max = col(PayProfile.failed_pin_attempts) + 1 >= MAX_TRIES
    lock_until = case(
        *(
            (col(PayProfile.pin_lock_count) == i, now + lock_duration(i))
            for i in range(len(LOCK_MINUTES) - 1)
        ),
        else_=now + lock_duration(len(LOCK_MINUTES) - 1),
    )
    reserve = (
        update(PayProfile)
        .where(
            col(PayProfile.user_id) == user.id,
            col(PayProfile.pin_hash) != "",
            col(PayProfile.pin_locked_until).is_(None) | (col(PayProfile.pin_locked_until) <= now),
        )
        .values(
            failed_pin_attempts=case((reaches_max, 0), else_=col(PayProfile.failed_pin_attempts) + 1),
            pin_lock_count=case((reaches_max, col(PayProfile.pin_lock_count) + 1), else_=col(PayProfile.pin_lock_count)),
            pin_locked_until=case((reaches_max, lock_until), else_=col(PayProfile.pin_locked_until)),
        )
        .returning(
            col(PayProfile.failed_pin_attempts),
            col(PayProfile.pin_locked_until),
            col(PayProfile.pin_hash),
        )
    )
    engine = _engine(session)
    with engine.begin() as conn:
        row = conn.execute(reserve).first()
    if row is None:
        _refuse(session, user, now)
    failed, locked_until, pin_hash = row  # type: ignore[misc]
    locked_by_us = locked_until is not None and locked_until > now

    if is_right(pin_hash):
        release = update(PayProfile).where(col(PayProfile.user_id) == user.id).values(failed_pin_attempts=0)
        if locked_by_us:
            release = (
                update(PayProfile)
                .where(col(PayProfile.user_id) == user.id, col(PayProfile.pin_locked_until) == locked_until)
                .values(
                    failed_pin_attempts=0,
                    pin_locked_until=None,
                    pin_lock_count=col(PayProfile.pin_lock_count) - 1,
                )
            )
        with engine.begin() as conn:
            conn.execute(release)
        _fresh_profile(session, user)
        return None
    _fresh_profile(session, user)
    if locked_by_us:
        with engine.begin() as conn:  # like the lock itself, on its own connection: the caller rolls back
            notifications.notify(conn, user_id=user.id, kind="pin_locked", params={"until": locked_until}, link=SECURITY_LINK)  # type: ignore[arg-type]
        raise Conflict("pin_locked", until=locked_until)
    return max(0, MAX_TRIES - failed)


def set_pin(
    session: Session,
    *,
    user: User,
    pin: object,
    current_pin: object = None,
    now: dt.datetime | None = None,
) -> None:
    """Set the PIN, or change it: changing needs the current PIN (verified like any try).

    ValidationError("pin_format", min_length=4, max_length=6), ValidationError("pin_too_common"),
    ValidationError("pin_current_required"), and whatever verify_pin raises for a wrong
    current PIN. Does not commit.
    """
    new_pin = _check_new_pin(pin)
    profile = _fresh_profile(session, user)
    if profile is not None and profile.pin_hash:
        if current_pin is None or current_pin == "":
            raise ValidationError("pin_current_required")
        # Before any write through `session`: verify_pin commits on its own connection.
        verify_pin(session, user=user, pin=current_pin, now=now)
    profile = ensure_pay_profile(session, user=user)
    profile.pin_hash = security.hash_secret(new_pin)
    profile.failed_pin_attempts = 0
    session.add(profile)
    session.flush()


def reset_pin(
    session: Session,
    *,
    user: User,
    pin: object,
    password: object,
    now: dt.datetime | None = None,
) -> None:
    """Replace a forgotten PIN, proving who you are with the account password.

    A wrong password counts as a failed PIN try (see the module docstring):
    ValidationError("password_wrong", tries_left=n), Conflict("pin_locked", until=...).
    Also ValidationError("pin_format"/"pin_too_common"), ValidationError("pin_not_set")
    (nothing to reset: set one), ValidationError("password_required"). Does not commit.
    """
    now = now or _now()
    new_pin = _check_new_pin(pin)
    if not isinstance(password, str) or not password:
        raise ValidationError("password_required")
    profile = _fresh_profile(session, user)
    if profile is None or not profile.pin_hash:
        raise ValidationError("pin_not_set")
    if _is_locked(profile, now):
        raise Conflict("pin_locked", until=profile.pin_locked_until)
    password_hash = user.password_hash
    # Before any write through `session`: the counter is committed on its own connection.
    tries_left = _counted_try(session, user, now, lambda _pin_hash: security.verify_secret(password, password_hash))
    if tries_left is not None:
        raise ValidationError("password_wrong", tries_left=tries_left)
    profile = ensure_pay_profile(session, user=user)
    profile.pin_hash = security.hash_secret(new_pin)
    profile.failed_pin_attempts = 0
    session.add(profile)
    session.flush()
