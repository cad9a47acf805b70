"""Passkeys (registration, payment assertions bound to an attempt) and when the PIN is asked."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from socialshop.models import PasskeyChallenge, PasskeyCredential, Payment, PayProfile, utcnow
from socialshop.money import engine
from socialshop.services import checkout, passkeys, pay_authorization, transfers
from socialshop.services.errors import Conflict, NotFound, ValidationError
from tests.unit.factories import PIN, SHIPPING, make_buyer, make_product, make_user
from tests.unit.software_authenticator import SoftwareAuthenticator

ORIGIN = "http://localhost:3000"


def register(session, user, device: SoftwareAuthenticator, *, name="My phone", origin=ORIGIN):
    options = passkeys.registration_options(session, user=user, origin=origin, name=name, pin=PIN)
    session.commit()
    credential = passkeys.register(session, user=user, response=device.register(options))
    session.commit()
    return credential


def open_key(session, user, kind="purchase", app="facebook") -> str:
    attempt = checkout.open_attempt(session, user=user, kind=kind, app=app)
    session.commit()
    return attempt.idempotency_key


def pay_options(session, user, key, origin=ORIGIN) -> str:
    options = engine.passkey_options(session, user=user, key=key, origin=origin)
    session.commit()
    return options


def confirm(session, user, key, response):
    try:
        engine.authorize_attempt_with_passkey(session, user=user, key=key, response=response)
        session.commit()
    except Exception:
        session.rollback()
        raise


def buy(session, user, key, product, method):
    return checkout.checkout_items(
        session, user=user, key=key, items=[(product.id, 1)], method_id=method.id, shipping=SHIPPING, app="facebook"
    )


def payments_of(session, user) -> int:
    return session.exec(select(func.count()).select_from(Payment).where(Payment.payer_id == user.id)).one()


# ---------------------------------------------------------------- registering


def test_a_registered_passkey_confirms_a_payment_without_the_pin(session):
    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    device = SoftwareAuthenticator()
    credential = register(session, user, device)
    assert credential.name == "My phone" and credential.rp_id == "localhost" and credential.transports == "internal"
    assert [p.name for p in passkeys.list_passkeys(session, user=user)] == ["My phone"]
    key = open_key(session, user)
    with pytest.raises(Conflict) as info:
        buy(session, user, key, product, method)
    assert info.value.code == "pin_required"
    confirm(session, user, key, device.assert_(pay_options(session, user, key)))
    assert buy(session, user, key, product, method).succeeded
    stored = session.get(PasskeyCredential, credential.id)
    session.refresh(stored)
    assert stored.sign_count == 1 and stored.last_used_at is not None


def test_registering_needs_the_right_pin_a_name_and_an_allowed_origin(session):
    user = make_user(session)
    session.commit()
    with pytest.raises(ValidationError) as info:
        passkeys.registration_options(session, user=user, origin=ORIGIN, name="Phone", pin="1111")
    assert info.value.code == "pin_wrong"
    session.rollback()
    for name in ("", "   ", "x" * 61, "bad\x00name", None, 12):
        with pytest.raises(ValidationError) as info:
            passkeys.registration_options(session, user=user, origin=ORIGIN, name=name, pin=PIN)
        assert info.value.code == "passkey_name_invalid"
    for origin in ("http://evil.example", "https://localhost.evil.example", "ftp://localhost", "localhost",
                   "http://localhost:3000/path", "", None, "http://user@localhost", "http://localhost:99999"):
        with pytest.raises(ValidationError) as info:
            passkeys.registration_options(session, user=user, origin=origin, name="Phone", pin=PIN)
        assert info.value.code == "passkey_origin_invalid", origin
    assert session.exec(select(func.count()).select_from(PasskeyChallenge)).one() == 0


def test_a_registration_for_another_origin_or_relying_party_is_refused(session):
    user = make_user(session)
    session.commit()
    device = SoftwareAuthenticator()
    options = passkeys.registration_options(session, user=user, origin=ORIGIN, name="Phone", pin=PIN)
    session.commit()
    with pytest.raises(ValidationError) as info:
        passkeys.register(session, user=user, response=device.register(options, origin="http://localhost:4000"))
    assert info.value.code == "passkey_invalid"
    session.rollback()
    # The challenge was used by the refused answer: even a right one cannot reuse it.
    with pytest.raises(ValidationError) as info:
        passkeys.register(session, user=user, response=device.register(options))
    assert info.value.code == "passkey_expired"
    session.rollback()
    options = passkeys.registration_options(session, user=user, origin=ORIGIN, name="Phone", pin=PIN)
    session.commit()
    with pytest.raises(ValidationError) as info:
        passkeys.register(session, user=user, response=device.register(options, rp_id="evil.example"))
    assert info.value.code == "passkey_invalid"
    session.rollback()
    assert passkeys.list_passkeys(session, user=user) == []


def test_registration_garbage_expiry_and_duplicates(session, monkeypatch):
    user = make_user(session)
    session.commit()
    device = SoftwareAuthenticator()
    for garbage in (None, "", "{", "[]", json.dumps({"id": 3}), "x" * 20_000):
        with pytest.raises(ValidationError) as info:
            passkeys.register(session, user=user, response=garbage)
        assert info.value.code == "passkey_invalid"
    # Never asked for options: nothing to answer.
    with pytest.raises(ValidationError) as info:
        passkeys.register(session, user=user, response=device.register(json.dumps({"challenge": "AAAA"})))
    assert info.value.code == "passkey_expired"
    options = passkeys.registration_options(session, user=user, origin=ORIGIN, name="Phone", pin=PIN)
    session.commit()
    later = utcnow() + passkeys.CHALLENGE_TTL + dt.timedelta(seconds=1)
    monkeypatch.setattr(passkeys, "_now", lambda: later)
    with pytest.raises(ValidationError) as info:
        passkeys.register(session, user=user, response=device.register(options))
    assert info.value.code == "passkey_expired"
    monkeypatch.undo()
    register(session, user, device)
    # The same authenticator key again, even for another account, is refused.
    other = make_user(session)
    session.commit()
    options = passkeys.registration_options(session, user=other, origin=ORIGIN, name="Phone", pin=PIN)
    session.commit()
    with pytest.raises(Conflict) as info:
        passkeys.register(session, user=other, response=device.register(options))
    assert info.value.code == "passkey_duplicate"


# ---------------------------------------------------------------- assertions


def test_an_assertion_is_single_use_and_bound_to_its_attempt(session):
    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    device = SoftwareAuthenticator()
    register(session, user, device)
    key_a, key_b = open_key(session, user), open_key(session, user)
    for_a = device.assert_(pay_options(session, user, key_a))
    # Made for A, offered for B: B's challenge differs.
    pay_options(session, user, key_b)
    with pytest.raises(ValidationError) as info:
        confirm(session, user, key_b, for_a)
    assert info.value.code == "passkey_invalid"
    with pytest.raises(Conflict):
        buy(session, user, key_b, product, method)
    confirm(session, user, key_a, for_a)
    # Replayed for A (its challenge is used up).
    with pytest.raises(ValidationError) as info:
        confirm(session, user, key_a, for_a)
    assert info.value.code == "passkey_expired"
    assert buy(session, user, key_a, product, method).succeeded
    # An attempt that ran cannot be confirmed (nor asked about) again.
    with pytest.raises(Conflict) as info:
        pay_options(session, user, key_a)
    assert info.value.code == "attempt_not_open"


def test_wrong_origin_missing_user_verification_and_sign_count_regression_are_refused(session):
    user, method = make_buyer(session)
    session.commit()
    device = SoftwareAuthenticator()
    register(session, user, device)
    key = open_key(session, user)
    cases = [
        {"origin": "http://localhost:4000"},
        {"uv": False},
        {"challenge": "AAAAAAAAAAAAAAAAAAAAAA"},
    ]
    for kwargs in cases:
        with pytest.raises(ValidationError) as info:
            confirm(session, user, key, device.assert_(pay_options(session, user, key), **kwargs))
        assert info.value.code == "passkey_invalid", kwargs
    device.sign_count = 10
    confirm(session, user, key, device.assert_(pay_options(session, user, key), sign_count=10))
    # A cloned authenticator repeating (or going below) the last count.
    other_key = open_key(session, user)
    for count in (10, 3):
        with pytest.raises(ValidationError) as info:
            confirm(session, user, other_key, device.assert_(pay_options(session, user, other_key), sign_count=count))
        assert info.value.code == "passkey_invalid"
    assert engine.get_attempt(session, user=user, key=other_key).pin_verified_at is None
    assert session.exec(select(PasskeyCredential.sign_count)).one() == 10


def test_another_users_passkey_and_attempt_are_refused(session):
    alice, _ = make_buyer(session)
    bob, _ = make_buyer(session)
    session.commit()
    alice_device, bob_device = SoftwareAuthenticator(), SoftwareAuthenticator()
    register(session, alice, alice_device)
    register(session, bob, bob_device)
    bob_key = open_key(session, bob)
    # Alice's key signs Bob's challenge: not one of Bob's passkeys.
    with pytest.raises(ValidationError) as info:
        confirm(session, bob, bob_key, alice_device.assert_(pay_options(session, bob, bob_key)))
    assert info.value.code == "passkey_invalid"
    # Alice cannot even ask for options on Bob's attempt.
    with pytest.raises(NotFound):
        pay_options(session, alice, bob_key)
    with pytest.raises(NotFound):
        confirm(session, alice, bob_key, bob_device.assert_(pay_options(session, bob, bob_key)))
    assert engine.get_attempt(session, user=bob, key=bob_key).pin_verified_at is None


def test_no_passkey_no_options_and_remove_is_owner_only(session):
    alice = make_user(session)
    bob = make_user(session)
    session.commit()
    key = open_key(session, alice)
    with pytest.raises(NotFound) as info:
        pay_options(session, alice, key)
    assert info.value.code == "passkey_none"
    credential = register(session, alice, SoftwareAuthenticator())
    for forged in (credential.id, "1; drop", None, -1, 10**12):
        with pytest.raises(NotFound) as info:
            passkeys.remove_passkey(session, user=bob, passkey_id=forged)
        assert info.value.code == "passkey_not_found"
    assert passkeys.has_passkey(session, user=alice)
    passkeys.remove_passkey(session, user=alice, passkey_id=credential.id)
    session.commit()
    assert not passkeys.has_passkey(session, user=alice)
    with pytest.raises(NotFound):
        pay_options(session, alice, key)


# ---------------------------------------------------------------- when the PIN is asked


def test_policy_below_and_above_the_threshold(session):
    user, method = make_buyer(session)
    cheap = make_product(session, price_cents=1500)
    exact = make_product(session, price_cents=2000)
    dear = make_product(session, price_cents=2001)
    session.commit()
    pay_authorization.set_policy(session, user=user, policy="above", threshold_cents=2000, pin=PIN)
    session.commit()
    assert pay_authorization.get_policy(session, user=user) == pay_authorization.PinPolicy("above", 2000)
    assert buy(session, user, open_key(session, user), cheap, method).succeeded
    assert buy(session, user, open_key(session, user), exact, method).succeeded
    with pytest.raises(Conflict) as info:
        buy(session, user, open_key(session, user), dear, method)
    assert info.value.code == "pin_required"
    assert payments_of(session, user) == 2
    # Back to every payment: no PIN needed to ask more often.
    pay_authorization.set_policy(session, user=user, policy="always")
    session.commit()
    with pytest.raises(Conflict):
        buy(session, user, open_key(session, user), cheap, method)
    assert payments_of(session, user) == 2


def test_policy_applies_to_transfers_and_only_in_euros(session):
    user, method = make_buyer(session)
    friend = make_user(session)
    session.commit()
    pay_authorization.set_policy(session, user=user, policy="above", threshold_cents=1000, pin=PIN)
    session.commit()

    def send(amount):
        return transfers.send_money(
            session, user=user, key=open_key(session, user, "transfer", "messenger"), to_user_id=friend.id,
            amount_cents=amount, method_id=method.id, note="",
        )

    assert send(1000).succeeded
    with pytest.raises(Conflict) as info:
        send(1001)
    assert info.value.code == "pin_required"
    assert not pay_authorization.authorization_required("above", 1000, amount_cents=500, currency="EUR")
    assert pay_authorization.authorization_required("above", 1000, amount_cents=500, currency="USD")
    assert pay_authorization.authorization_required("always", 1000, amount_cents=1, currency="EUR")
    assert pay_authorization.authorization_required(None, None, amount_cents=1, currency="EUR")
    # A stored threshold above the cap (edited by hand) is capped, not obeyed.
    assert pay_authorization.authorization_required("above", 10**9, amount_cents=200_00, currency="EUR")


def test_bad_policies_and_thresholds_are_refused_and_change_nothing(session):
    user = make_user(session)
    session.commit()
    for policy in ("never", "", None, "ABOVE", 1):
        with pytest.raises(ValidationError) as info:
            pay_authorization.set_policy(session, user=user, policy=policy, threshold_cents=500, pin=PIN)
        assert info.value.code == "pin_policy_invalid"
    for threshold in (-1, 0, pay_authorization.MAX_THRESHOLD_CENTS + 1, 10**12, "500", 5.0, None, True):
        with pytest.raises(ValidationError) as info:
            pay_authorization.set_policy(session, user=user, policy="above", threshold_cents=threshold, pin=PIN)
        assert info.value.code == "pin_threshold_invalid"
    with pytest.raises(ValidationError) as info:
        pay_authorization.set_policy(session, user=user, policy="above", threshold_cents=500, pin="9999")
    assert info.value.code == "pin_wrong"
    session.rollback()
    profile = session.get(PayProfile, user.id)
    session.refresh(profile)
    assert (profile.pin_policy, profile.pin_threshold_cents) == ("always", 0)
    # Without a PIN there is nothing to skip.
    no_pin = make_user(session, with_pin=False)
    session.commit()
    with pytest.raises(ValidationError) as info:
        pay_authorization.set_policy(session, user=no_pin, policy="above", threshold_cents=500, pin="")
    assert info.value.code == "pin_not_set"


def test_a_passkey_confirms_donations_and_transfers_too(session):
    from socialshop.services import donations
    from tests.unit.factories import make_fundraiser

    user, method = make_buyer(session)
    friend = make_user(session)
    fundraiser = make_fundraiser(session)
    session.commit()
    device = SoftwareAuthenticator()
    register(session, user, device)

    key = open_key(session, user, "donation", "facebook")
    confirm(session, user, key, device.assert_(pay_options(session, user, key)))
    assert donations.donate(
        session, user=user, key=key, fundraiser_id=fundraiser.id, amount_cents=2500, method_id=method.id,
        app="facebook",
    ).succeeded

    key = open_key(session, user, "transfer", "messenger")
    with pytest.raises(Conflict) as info:
        transfers.send_money(session, user=user, key=key, to_user_id=friend.id, amount_cents=500,
                             method_id=method.id, note="")
    assert info.value.code == "pin_required"
    confirm(session, user, key, device.assert_(pay_options(session, user, key)))
    assert transfers.send_money(
        session, user=user, key=key, to_user_id=friend.id, amount_cents=500, method_id=method.id, note="pizza"
    ).succeeded
    assert payments_of(session, user) == 2


def test_the_browser_script_answers_become_messages():
    from socialshop.components import passkey_confirm

    assert passkey_confirm.error_key("ok") == ""
    assert passkey_confirm.error_key('{"id": "x"}') == ""
    assert passkey_confirm.error_key("error:NotAllowedError") == "passkeys.cancelled"
    assert passkey_confirm.error_key("error:NotSupportedError") == "passkeys.unsupported"
    assert passkey_confirm.error_key("error:Weird") == "passkeys.failed"
    assert passkey_confirm.error_key(None) == "passkeys.failed"
    script = passkey_confirm.assertion_script('{"challenge": "abc", "allowCredentials": []}')
    assert script.startswith("(async()=>{") and script.endswith("})()")
    assert script.count("{") == script.count("}")


@settings(max_examples=200, deadline=None)
@given(
    threshold=st.integers(min_value=1, max_value=pay_authorization.MAX_THRESHOLD_CENTS),
    amount=st.integers(min_value=-10**6, max_value=10**7),
)
def test_the_policy_asks_exactly_above_the_threshold(threshold, amount):
    required = pay_authorization.authorization_required("above", threshold, amount_cents=amount, currency="EUR")
    assert required == (amount <= 0 or amount > threshold)
    assert pay_authorization.authorization_required("always", threshold, amount_cents=amount, currency="EUR")


@pytest.mark.parametrize("engine_fixture", ["engine", "pg_engine"])
def test_register_and_pay_with_a_passkey_on_each_database(engine_fixture, request):
    from sqlmodel import Session

    eng = request.getfixturevalue(engine_fixture)
    with Session(eng, expire_on_commit=False) as s:
        user, method = make_buyer(s)
        product = make_product(s)
        s.commit()
        device = SoftwareAuthenticator()
        register(s, user, device)
        key = open_key(s, user)
        response = device.assert_(pay_options(s, user, key))
        confirm(s, user, key, response)
        assert buy(s, user, key, product, method).succeeded
        other = open_key(s, user)
        pay_options(s, user, other)
        # The used challenge stays used after the refused replay rolled back.
        with pytest.raises(ValidationError):
            confirm(s, user, other, response)
        with pytest.raises(ValidationError) as info:
            confirm(s, user, other, device.assert_(json.dumps({"challenge": "AAAA"})))
        assert info.value.code == "passkey_expired"
