import datetime as dt

import pytest
from sqlmodel import Session

from socialshop.db import session_scope
from socialshop.models import PayProfile, utcnow
from socialshop.services import pay_pin
from socialshop.services.errors import Conflict, ValidationError
from tests.unit.factories import PIN, make_user

WRONG = "0000"


def status(engine, user, now=None):
    # A brand-new session: what another tab or device would see.
    with Session(engine) as other:
        return pay_pin.pin_status(other, user=user, now=now)


def wrong(session, user, now, expect_code="pin_wrong"):
    with pytest.raises((ValidationError, Conflict)) as info:
        pay_pin.verify_pin(session, user=user, pin=WRONG, now=now)
    assert info.value.code == expect_code
    return info.value


@pytest.mark.parametrize("bad", ["123", "1234567", "12a4", " 1234", "١٢٣٤", "", None, 1234, 12.34, ["1234"]])
def test_pin_must_be_4_to_6_digits(session, bad):
    user = make_user(session, with_pin=False)
    with pytest.raises(ValidationError) as info:
        pay_pin.set_pin(session, user=user, pin=bad)
    assert info.value.code == "pin_format"
    assert pay_pin.pin_status(session, user=user).is_set is False


def test_set_and_verify(session):
    user = make_user(session, with_pin=False)
    with pytest.raises(ValidationError) as info:
        pay_pin.verify_pin(session, user=user, pin="1234")
    assert info.value.code == "pin_not_set"
    pay_pin.set_pin(session, user=user, pin="123456")
    session.commit()
    assert pay_pin.pin_status(session, user=user) == pay_pin.PinStatus(is_set=True, tries_left=5, locked_until=None)
    assert session.get(PayProfile, user.id).pin_hash.startswith("$argon2")
    pay_pin.verify_pin(session, user=user, pin="123456")


def test_changing_needs_the_current_pin(engine, session):
    user = make_user(session)
    session.commit()
    with pytest.raises(ValidationError) as info:
        pay_pin.set_pin(session, user=user, pin="9999")
    assert info.value.code == "pin_current_required"
    with pytest.raises(ValidationError) as info:
        pay_pin.set_pin(session, user=user, pin="9999", current_pin=WRONG)
    assert info.value.code == "pin_wrong" and info.value.params == {"tries_left": 4}
    session.rollback()
    assert status(engine, user).tries_left == 4  # the wrong current PIN counted
    pay_pin.set_pin(session, user=user, pin="9999", current_pin=PIN)
    session.commit()
    pay_pin.verify_pin(session, user=user, pin="9999")
    wrong(session, user, None)


def test_five_wrong_lock_for_15_minutes_across_sessions(engine, session):
    user = make_user(session)
    session.commit()
    now = utcnow()
    for left in (4, 3, 2, 1):
        assert wrong(session, user, now).params == {"tries_left": left}
        assert status(engine, user, now).tries_left == left
    locked = wrong(session, user, now, expect_code="pin_locked")
    assert locked.params == {"until": now + dt.timedelta(minutes=15)}

    # Another device, a new session: still locked, and the right PIN is refused too.
    with Session(engine) as other:
        assert pay_pin.pin_status(other, user=user, now=now) == pay_pin.PinStatus(True, 0, now + dt.timedelta(minutes=15))
        with pytest.raises(Conflict) as info:
            pay_pin.verify_pin(other, user=user, pin=PIN, now=now + dt.timedelta(minutes=14))
        assert info.value.code == "pin_locked"

    later = now + dt.timedelta(minutes=15, seconds=1)
    assert status(engine, user, later) == pay_pin.PinStatus(True, 5, None)
    pay_pin.verify_pin(session, user=user, pin=PIN, now=later)


def test_locks_grow_and_a_right_pin_keeps_the_history(engine, session):
    user = make_user(session)
    session.commit()
    now = utcnow()
    for _ in range(4):
        wrong(session, user, now)
    assert wrong(session, user, now, "pin_locked").params["until"] == now + dt.timedelta(minutes=15)
    now += dt.timedelta(minutes=16)
    pay_pin.verify_pin(session, user=user, pin=PIN, now=now)  # resets the counter, not the history
    for _ in range(4):
        wrong(session, user, now)
    assert wrong(session, user, now, "pin_locked").params["until"] == now + dt.timedelta(minutes=60)
    now += dt.timedelta(minutes=61)
    for _ in range(4):
        wrong(session, user, now)
    assert wrong(session, user, now, "pin_locked").params["until"] == now + dt.timedelta(minutes=240)


def test_a_right_pin_resets_the_counter(engine, session):
    user = make_user(session)
    session.commit()
    for _ in range(3):
        wrong(session, user, None)
    pay_pin.verify_pin(session, user=user, pin=PIN)
    assert status(engine, user).tries_left == 5


def test_a_right_fifth_try_does_not_lock(engine, session):
    user = make_user(session)
    session.commit()
    for _ in range(4):
        wrong(session, user, None)
    pay_pin.verify_pin(session, user=user, pin=PIN)
    profile = session.get(PayProfile, user.id)
    session.refresh(profile)
    assert (profile.failed_pin_attempts, profile.pin_lock_count, profile.pin_locked_until) == (0, 0, None)


def test_failures_survive_the_callers_rollback(engine, session):
    user = make_user(session)
    session.commit()
    # The Reflex states run services in session_scope(), which rolls back on any error.
    for _ in range(2):
        with pytest.raises(ValidationError):
            with session_scope(engine) as scoped:
                pay_pin.verify_pin(scoped, user=user, pin=WRONG)
    assert status(engine, user).tries_left == 3


def test_malformed_input_is_not_counted(engine, session):
    user = make_user(session)
    session.commit()
    for bad in ("12", "abcd", None, 2580):
        with pytest.raises(ValidationError) as info:
            pay_pin.verify_pin(session, user=user, pin=bad)
        assert info.value.code == "pin_format"
    assert status(engine, user).tries_left == 5


def test_clock_can_be_monkeypatched(engine, session, monkeypatch):
    user = make_user(session)
    session.commit()
    start = utcnow()
    monkeypatch.setattr(pay_pin, "_now", lambda: start)
    for _ in range(4):
        wrong(session, user, None)
    wrong(session, user, None, "pin_locked")
    monkeypatch.setattr(pay_pin, "_now", lambda: start + dt.timedelta(minutes=20))
    pay_pin.verify_pin(session, user=user, pin=PIN)
