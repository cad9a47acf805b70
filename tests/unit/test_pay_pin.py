import datetime as dt

import pytest
from sqlmodel import Session

from socialshop.db import session_scope
from socialshop.models import PayProfile, utcnow
from socialshop.services import pay_pin, security
from socialshop.services.errors import Conflict, ValidationError
from tests.unit.factories import PIN, make_user

WRONG = "0000"
NEW_PIN = "4831"
PASSWORD = "right-pass-42"


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
    pay_pin.set_pin(session, user=user, pin="730518")
    session.commit()
    assert pay_pin.pin_status(session, user=user) == pay_pin.PinStatus(is_set=True, tries_left=5, locked_until=None)
    assert session.get(PayProfile, user.id).pin_hash.startswith("$argon2")
    pay_pin.verify_pin(session, user=user, pin="730518")


def test_changing_needs_the_current_pin(engine, session):
    user = make_user(session)
    session.commit()
    with pytest.raises(ValidationError) as info:
        pay_pin.set_pin(session, user=user, pin=NEW_PIN)
    assert info.value.code == "pin_current_required"
    with pytest.raises(ValidationError) as info:
        pay_pin.set_pin(session, user=user, pin=NEW_PIN, current_pin=WRONG)
    assert info.value.code == "pin_wrong" and info.value.params == {"tries_left": 4}
    session.rollback()
    assert status(engine, user).tries_left == 4  # the wrong current PIN counted
    with pytest.raises(ValidationError):
        pay_pin.verify_pin(session, user=user, pin=NEW_PIN)  # the new PIN was not saved
    session.rollback()
    pay_pin.set_pin(session, user=user, pin=NEW_PIN, current_pin=PIN)
    session.commit()
    pay_pin.verify_pin(session, user=user, pin=NEW_PIN)
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


def test_the_common_pin_list_is_long_and_well_formed():
    assert len(pay_pin.COMMON_PINS) >= 20
    assert all(pay_pin._PIN_RE.fullmatch(pin) for pin in pay_pin.COMMON_PINS)
    assert NEW_PIN not in pay_pin.COMMON_PINS


@pytest.mark.parametrize("common", ["1234", "0000", "1111", "9999", "1212", "6969", "4321", "2580", "123456", "654321"])
def test_common_pins_are_refused_as_a_first_pin(session, common):
    user = make_user(session, with_pin=False)
    with pytest.raises(ValidationError) as info:
        pay_pin.set_pin(session, user=user, pin=common)
    assert info.value.code == "pin_too_common"
    assert pay_pin.pin_status(session, user=user).is_set is False


def test_a_common_pin_is_refused_as_a_new_pin_without_using_a_try(engine, session):
    user = make_user(session)
    session.commit()
    with pytest.raises(ValidationError) as info:
        pay_pin.set_pin(session, user=user, pin="1111", current_pin=PIN)
    assert info.value.code == "pin_too_common"
    session.rollback()
    assert status(engine, user).tries_left == 5
    pay_pin.verify_pin(session, user=user, pin=PIN)  # the PIN is still the old one


def user_with_password(session, *, with_pin=True):
    user = make_user(session, with_pin=with_pin)
    user.password_hash = security.hash_secret(PASSWORD)
    session.add(user)
    session.commit()
    return user


def test_reset_with_the_account_password(engine, session):
    user = user_with_password(session)
    with pytest.raises(ValidationError) as info:
        pay_pin.reset_pin(session, user=user, pin=NEW_PIN, password="not-my-password")
    assert info.value.code == "password_wrong" and info.value.params == {"tries_left": 4}
    session.rollback()
    # A wrong password counts like a wrong PIN, and the PIN stays as it was.
    assert status(engine, user).tries_left == 4
    pay_pin.verify_pin(session, user=user, pin=PIN)

    pay_pin.reset_pin(session, user=user, pin=NEW_PIN, password=PASSWORD)
    session.commit()
    assert status(engine, user) == pay_pin.PinStatus(True, 5, None)
    pay_pin.verify_pin(session, user=user, pin=NEW_PIN)
    wrong(session, user, None)  # the old PIN is no more


@pytest.mark.parametrize(
    ("pin", "password", "code"),
    [("1234", PASSWORD, "pin_too_common"), ("12", PASSWORD, "pin_format"), (NEW_PIN, "", "password_required"),
     (NEW_PIN, None, "password_required"), (NEW_PIN, ["x"], "password_required")],
)
def test_reset_refuses_bad_input_without_using_a_try(engine, session, pin, password, code):
    user = user_with_password(session)
    with pytest.raises(ValidationError) as info:
        pay_pin.reset_pin(session, user=user, pin=pin, password=password)
    assert info.value.code == code
    session.rollback()
    assert status(engine, user).tries_left == 5
    pay_pin.verify_pin(session, user=user, pin=PIN)


def test_reset_without_a_pin_says_to_set_one(session):
    user = user_with_password(session, with_pin=False)
    with pytest.raises(ValidationError) as info:
        pay_pin.reset_pin(session, user=user, pin=NEW_PIN, password=PASSWORD)
    assert info.value.code == "pin_not_set"


def test_wrong_passwords_lock_the_pin_and_say_when_it_ends(engine, session):
    user = user_with_password(session)
    now = utcnow()
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as info:
            pay_pin.reset_pin(session, user=user, pin=NEW_PIN, password="guess", now=now)
        assert info.value.params == {"tries_left": left}
        session.rollback()
    with pytest.raises(Conflict) as info:
        pay_pin.reset_pin(session, user=user, pin=NEW_PIN, password="guess", now=now)
    session.rollback()
    end = now + dt.timedelta(minutes=15)
    assert info.value.code == "pin_locked" and info.value.params == {"until": end}
    assert status(engine, user, now) == pay_pin.PinStatus(True, 0, end)
    # While locked even the right password waits: otherwise the lock would not slow guessing.
    with pytest.raises(Conflict):
        pay_pin.reset_pin(session, user=user, pin=NEW_PIN, password=PASSWORD, now=now + dt.timedelta(minutes=14))
    session.rollback()
    pay_pin.reset_pin(session, user=user, pin=NEW_PIN, password=PASSWORD, now=end + dt.timedelta(seconds=1))
    session.commit()
    pay_pin.verify_pin(session, user=user, pin=NEW_PIN, now=end + dt.timedelta(seconds=2))
