"""/pay/methods rules: PIN-guarded add and remove, PayPal, duplicates, expiry, default, ownership."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import exc as sa_exc
from sqlmodel import select

from socialshop.models import Payment, PaymentMethod, PayProfile, SandboxCharge, utcnow
from socialshop.payments.base import PaymentProvider
from socialshop.payments.sandbox import SandboxProvider
from socialshop.services import checkout, donations, pay_pin
from socialshop.services import payment_methods as pm
from socialshop.services.errors import Conflict, NotFound, ValidationError
from tests.unit.factories import (
    GOOD_CARD,
    PIN,
    SHIPPING,
    SpyProvider,
    authorized_key,
    install_provider,
    make_fundraiser,
    make_product,
    make_user,
)

YEAR = utcnow().year + 2
WRONG_PIN = "9999"


def card(number: str = GOOD_CARD, *, month: object = 12, year: object = YEAR, cvc: object = "123", **kwargs) -> dict:
    return {"number": number, "exp_month": month, "exp_year": year, "cvc": cvc, **kwargs}


def new_user(session, **kwargs):
    """Committed: verify_pin counts tries on its own connection, which a pending write would block."""
    user = make_user(session, **kwargs)
    session.commit()
    return user


def tries_left(session, user) -> int:
    return pay_pin.pin_status(session, user=user).tries_left


def active(session, user) -> list[PaymentMethod]:
    return pm.list_methods(session, user=user)


@pytest.fixture
def spy(monkeypatch) -> SpyProvider:
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


def expired_card(session, user, *, last4: str = "0005", months_ago: int = 2) -> PaymentMethod:
    """A card saved while valid that has expired since (the service refuses to save a past expiry)."""
    today = utcnow().date()
    month_index = today.year * 12 + today.month - 1 - months_ago
    method = PaymentMethod(
        user_id=user.id, provider="sandbox", provider_token="sbx_tok_ok_" + "0" * 32, brand="visa", last4=last4,
        exp_month=month_index % 12 + 1, exp_year=month_index // 12,
    )
    session.add(method)
    session.commit()
    return method


# ---------------------------------------------------------------- adding a card


def test_adding_a_card_asks_for_the_pin_and_keeps_no_number(session):
    user = new_user(session)
    method = pm.add_card_with_pin(session, user=user, pin=PIN, **card("4242 4242 4242 4242", holder_name="Ada"))
    session.commit()
    assert (method.kind, method.brand, method.last4, method.exp_month, method.exp_year) == ("card", "visa", "4242", 12, YEAR)
    assert method.fingerprint == f"card:visa:4242:12/{YEAR}" and method.is_default
    stored = " ".join(str(v) for v in session.get(PaymentMethod, method.id).model_dump().values())
    assert GOOD_CARD not in stored and "123" not in stored.replace(str(method.id), "")


def test_a_wrong_pin_saves_nothing_and_counts_toward_the_lock(session, spy):
    user = new_user(session)
    with pytest.raises(ValidationError) as info:
        pm.add_card_with_pin(session, user=user, pin=WRONG_PIN, **card())
    session.rollback()
    assert info.value.code == "pin_wrong" and info.value.params == {"tries_left": 4}
    assert active(session, user) == [] and spy.detached == []
    assert tries_left(session, user) == 4
    for _ in range(4):
        with pytest.raises((ValidationError, Conflict)):
            pm.add_paypal(session, user=user, pin=WRONG_PIN, email="ada@example.com")
        session.rollback()
    # Locked now: even the right PIN is refused, as at checkout.
    with pytest.raises(Conflict) as info:
        pm.add_card_with_pin(session, user=user, pin=PIN, **card())
    assert info.value.code == "pin_locked"
    assert active(session, user) == []


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (card("4242424242424241"), {"number": "luhn"}),
        (card("4242 4242"), {"number": "length"}),
        (card("4242-abcd-4242-4242"), {"number": "digits"}),
        (card(""), {"number": "required"}),
        (card(month=13), {"expiry": "invalid"}),
        (card(month=1, year=2020), {"expiry": "past"}),
        (card(cvc="12a"), {"cvc": "digits"}),
        (card(holder_name="x" * 121), {"holder_name": "too_long"}),
        (card(holder_name=["Ada"]), {"holder_name": "invalid"}),
        (card(None, month=None, year=None, cvc=None), {"number": "required", "expiry": "invalid", "cvc": "digits"}),
        (card({"n": 1}, month=[1], year={"y": 1}, cvc=123), {"number": "required", "expiry": "invalid", "cvc": "digits"}),
    ],
)
def test_each_bad_field_has_its_own_code_and_costs_no_pin_try(session, spy, fields, errors):
    user = new_user(session)
    with pytest.raises(ValidationError) as info:
        pm.add_card_with_pin(session, user=user, pin=WRONG_PIN, **fields)
    assert info.value.code == "card_invalid" and info.value.params == {"fields": errors}
    assert tries_left(session, user) == 5
    assert session.exec(select(PaymentMethod)).all() == [] and spy.charges == []


def test_pin_must_be_set_and_well_formed(session):
    no_pin = new_user(session, with_pin=False)
    with pytest.raises(ValidationError) as info:
        pm.add_card_with_pin(session, user=no_pin, pin=PIN, **card())
    assert info.value.code == "pin_not_set"
    user = new_user(session)
    for garbage in ("", "12", "1234567", "abcd", None, 2580, ["2580"]):
        with pytest.raises(ValidationError) as info:
            pm.add_card_with_pin(session, user=user, pin=garbage, **card())
        assert info.value.code == "pin_format"
    assert session.exec(select(PaymentMethod)).all() == [] and tries_left(session, user) == 5


def test_a_declined_card_is_not_saved(session):
    user = new_user(session)
    # The sandbox refuses no card at tokenization; a provider that does is a decline message.
    class Refusing(SandboxProvider):
        def tokenize_card(self, **kwargs):
            from socialshop.payments.base import DeclineCode, PaymentDeclined

            raise PaymentDeclined(DeclineCode.INCORRECT_CVC)

    install = pytest.MonkeyPatch()
    install_provider(install, Refusing())
    try:
        with pytest.raises(ValidationError) as info:
            pm.add_card_with_pin(session, user=user, pin=PIN, **card())
    finally:
        install.undo()
    assert (info.value.code, info.value.params) == ("card_declined", {"reason": "incorrect_cvc"})
    session.rollback()
    assert active(session, user) == []


# ---------------------------------------------------------------- duplicates


def test_the_same_card_twice_is_refused_before_the_pin(session, spy):
    user = new_user(session)
    pm.add_card_with_pin(session, user=user, pin=PIN, **card())
    session.commit()
    for same in (card(), card("4242-4242-4242-4242", year=YEAR % 100, cvc="999", holder_name="Someone")):
        with pytest.raises(Conflict) as info:
            pm.add_card_with_pin(session, user=user, pin=WRONG_PIN, **same)
        assert info.value.code == "method_duplicate"
        # Also from checkout's inline card form, which adds without the hub's PIN step.
        with pytest.raises(Conflict):
            pm.add_card(session, user=user, **same)
        session.rollback()
    assert tries_left(session, user) == 5 and len(active(session, user)) == 1
    # Another expiry is another card (a renewed one); another user may save the same card.
    pm.add_card_with_pin(session, user=user, pin=PIN, **card(month=11))
    session.commit()
    other = new_user(session)
    pm.add_card_with_pin(session, user=other, pin=PIN, **card())
    session.commit()
    assert len(active(session, user)) == 2


def test_a_removed_card_may_be_added_again(session, spy):
    user = new_user(session)
    first = pm.add_card_with_pin(session, user=user, pin=PIN, **card())
    session.commit()
    pm.remove_method_with_pin(session, user=user, method_id=first.id, pin=PIN)
    session.commit()
    again = pm.add_card_with_pin(session, user=user, pin=PIN, **card())
    session.commit()
    assert [m.id for m in active(session, user)] == [again.id] and again.id != first.id


def test_a_card_saved_before_fingerprints_is_still_a_duplicate(session, spy):
    user = new_user(session)
    legacy = PaymentMethod(
        user_id=user.id, provider="sandbox", provider_token="sbx_tok_ok_" + "1" * 32, brand="visa", last4="4242",
        exp_month=12, exp_year=YEAR,
    )
    session.add(legacy)
    session.commit()
    assert legacy.fingerprint is None
    with pytest.raises(Conflict) as info:
        pm.add_card_with_pin(session, user=user, pin=PIN, **card())
    assert info.value.code == "method_duplicate"


def test_the_database_refuses_two_active_copies(session):
    """Two tabs passing the duplicate check at once: the unique index keeps one."""
    user = new_user(session)
    pm.add_card(session, user=user, **card())
    session.commit()
    twin = PaymentMethod(
        user_id=user.id, provider="sandbox", provider_token="x", brand="visa", last4="4242",
        exp_month=12, exp_year=YEAR, fingerprint=f"card:visa:4242:12/{YEAR}",
    )
    session.add(twin)
    with pytest.raises(sa_exc.IntegrityError):
        session.flush()
    session.rollback()


def test_a_twin_saved_meanwhile_is_a_duplicate_and_detached(session, spy, monkeypatch):
    user = new_user(session)
    monkeypatch.setattr(pm, "_check_room_and_duplicates", lambda session, **kw: [])
    pm.add_card(session, user=user, **card())
    session.commit()
    with pytest.raises(Conflict) as info:
        pm.add_card(session, user=user, **card())
    assert info.value.code == "method_duplicate"
    assert len(spy.detached) == 1
    session.rollback()
    assert len(active(session, user)) == 1


def test_there_is_a_bound_on_saved_methods(session, spy, monkeypatch):
    monkeypatch.setattr(pm, "MAX_ACTIVE_METHODS", 2)
    user = new_user(session)
    pm.add_card(session, user=user, **card())
    pm.add_card(session, user=user, **card(month=11))
    session.commit()
    with pytest.raises(Conflict) as info:
        pm.add_paypal(session, user=user, pin=PIN, email="ada@example.com")
    assert (info.value.code, info.value.params) == ("too_many_methods", {"max": 2})
    assert tries_left(session, user) == 5


# ---------------------------------------------------------------- PayPal


def test_paypal_is_linked_by_email_and_shown_masked(session):
    user = new_user(session)
    pm.add_card(session, user=user, **card())
    session.commit()
    paypal = pm.add_paypal(session, user=user, pin=PIN, email="  Giulia.Rossi@Example.com ")
    session.commit()
    assert (paypal.kind, paypal.brand, paypal.account_email) == ("paypal", "paypal", "giulia.rossi@example.com")
    assert not paypal.is_default and not pm.is_expired(paypal)
    views = {v.id: v for v in pm.method_views(session, user=user)}
    assert (views[paypal.id].brand, views[paypal.id].detail, views[paypal.id].expiry) == ("PayPal", "g•••@example.com", "")
    assert "giulia.rossi" not in repr(views)
    assert pm.method_label(paypal) == "PayPal g•••@example.com"
    with pytest.raises(Conflict) as info:
        pm.add_paypal(session, user=user, pin=WRONG_PIN, email="GIULIA.ROSSI@example.com")
    assert info.value.code == "method_duplicate" and tries_left(session, user) == 5


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "@b.com", None, 42, ["a@b.com"], "a" * 250 + "@b.com"])
def test_a_bad_paypal_email_is_refused_before_the_pin(session, email):
    user = new_user(session)
    with pytest.raises(ValidationError) as info:
        pm.add_paypal(session, user=user, pin=WRONG_PIN, email=email)
    assert info.value.code == "paypal_email_invalid"
    assert tries_left(session, user) == 5 and active(session, user) == []


def test_paypal_refused_by_the_gateway_or_not_offered_by_it(session, monkeypatch):
    user = new_user(session)
    with pytest.raises(ValidationError) as info:
        pm.add_paypal(session, user=user, pin=PIN, email="ada@declined.example.com")
    assert info.value.code == "paypal_declined"
    session.rollback()

    class CardsOnly(SandboxProvider):
        link_account = PaymentProvider.link_account

    install_provider(monkeypatch, CardsOnly())
    with pytest.raises(Conflict) as info:
        pm.add_paypal(session, user=user, pin=PIN, email="ada@example.com")
    assert info.value.code == "paypal_unavailable"
    session.rollback()
    assert active(session, user) == []


def test_paypal_pays_like_a_card_through_the_engine(session):
    user = new_user(session)
    paypal = pm.add_paypal(session, user=user, pin=PIN, email="ada@example.com")
    session.commit()
    product = make_product(session, price_cents=1999)
    session.commit()
    key = authorized_key(session, user)
    result = checkout.checkout_items(
        session, user=user, key=key, items=[(product.id, 1)], method_id=paypal.id, shipping=SHIPPING, app="facebook",
    )
    assert result.status == "succeeded" and result.total_cents == 1999
    payment = session.get(Payment, result.payment_id)
    assert (payment.method_id, payment.provider, payment.amount_cents) == (paypal.id, "sandbox", 1999)
    charged = session.exec(select(SandboxCharge).where(SandboxCharge.idempotency_key == key)).one()
    assert charged.amount_cents == 1999


# ---------------------------------------------------------------- default and removal


def test_set_default_and_remove_with_the_pin(session, spy):
    user = new_user(session)
    a = pm.add_card_with_pin(session, user=user, pin=PIN, **card())
    session.commit()
    b = pm.add_card_with_pin(session, user=user, pin=PIN, **card("5555555555554444"))
    session.commit()
    c = pm.add_paypal(session, user=user, pin=PIN, email="ada@example.com")
    session.commit()
    assert [m.id for m in active(session, user) if m.is_default] == [a.id]
    pm.set_default(session, user=user, method_id=str(b.id))
    session.commit()
    assert [(m.id, m.is_default) for m in active(session, user)] == [(b.id, True), (c.id, False), (a.id, False)]

    with pytest.raises(ValidationError) as info:
        pm.remove_method_with_pin(session, user=user, method_id=b.id, pin=WRONG_PIN)
    session.rollback()
    assert info.value.code == "pin_wrong" and spy.detached == []
    assert session.get(PaymentMethod, b.id).removed_at is None

    token = b.provider_token
    pm.remove_method_with_pin(session, user=user, method_id=str(b.id), pin=PIN)
    session.commit()
    assert spy.detached == [{"customer_ref": session.get(PayProfile, user.id).provider_customer_ref, "token": token}]
    removed = session.get(PaymentMethod, b.id)
    assert removed.removed_at is not None and removed.provider_token == "" and not removed.is_default
    # The default moved to the newest remaining method.
    assert [(m.id, m.is_default) for m in active(session, user)] == [(c.id, True), (a.id, False)]

    pm.remove_method_with_pin(session, user=user, method_id=c.id, pin=PIN)
    session.commit()
    pm.remove_method_with_pin(session, user=user, method_id=a.id, pin=PIN)
    session.commit()
    # None left: checkout offers nothing and asks for a new card.
    assert active(session, user) == [] and pm.payable_methods(session, user=user) == []


def test_the_default_does_not_move_to_an_expired_card(session):
    user = new_user(session)
    good = pm.add_card(session, user=user, **card())
    session.commit()
    expired_card(session, user)
    newest = pm.add_card(session, user=user, **card("5555555555554444"), make_default=True)
    session.commit()
    pm.remove_method(session, user=user, method_id=newest.id)
    session.commit()
    assert [m.id for m in active(session, user) if m.is_default] == [good.id]


def test_removal_waits_for_a_gateway_that_cannot_be_asked(session, monkeypatch):
    from socialshop.payments.base import ProviderUnavailable

    class Down(SandboxProvider):
        def detach_method(self, **kwargs):
            raise ProviderUnavailable("down")

    user = new_user(session)
    method = pm.add_card(session, user=user, **card())
    session.commit()
    install_provider(monkeypatch, Down())
    with pytest.raises(Conflict) as info:
        pm.remove_method_with_pin(session, user=user, method_id=method.id, pin=PIN)
    assert info.value.code == "provider_unavailable"
    session.rollback()
    assert [m.id for m in active(session, user)] == [method.id]


@pytest.mark.parametrize("garbage", ["abc", -1, 0, None, True, 1.5, "1 or 1=1", 2**70, [1], {"id": 1}])
def test_only_the_owner_can_touch_a_method(session, spy, garbage):
    owner, thief = new_user(session), new_user(session)
    method = pm.add_card(session, user=owner, **card())
    session.commit()
    for method_id in (garbage, method.id, str(method.id)):
        with pytest.raises(NotFound) as info:
            pm.remove_method_with_pin(session, user=thief, method_id=method_id, pin=PIN)
        assert info.value.code == "method_not_found"
        with pytest.raises(NotFound):
            pm.set_default(session, user=thief, method_id=method_id)
    # A forged id costs the thief no PIN try (ownership is checked first) and changes nothing.
    assert tries_left(session, thief) == 5
    assert pm.method_views(session, user=thief) == []
    assert spy.detached == []
    assert session.get(PaymentMethod, method.id).removed_at is None and session.get(PaymentMethod, method.id).is_default


# ---------------------------------------------------------------- expiry


def test_an_expired_card_is_marked_not_offered_and_cannot_be_default(session):
    user = new_user(session)
    good = pm.add_card(session, user=user, **card())
    session.commit()
    old = expired_card(session, user)
    views = {v.id: v for v in pm.method_views(session, user=user)}
    assert views[old.id].expired and not views[good.id].expired
    assert [m.id for m in pm.payable_methods(session, user=user)] == [good.id]
    with pytest.raises(Conflict) as info:
        pm.set_default(session, user=user, method_id=old.id)
    assert info.value.code == "method_expired" and info.value.params == {"expiry": pm.expiry_label(old)}


def test_a_card_is_good_through_its_expiry_month(session, monkeypatch):
    user = new_user(session)
    today = utcnow().date()
    method = pm.add_card(session, user=user, **card(month=today.month, year=today.year))
    session.commit()
    assert not pm.is_expired(method)
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    monkeypatch.setattr(pm, "_today", lambda: next_month)
    assert pm.is_expired(method)
    assert pm.payable_methods(session, user=user) == []


def test_an_expired_card_cannot_pay_on_any_money_path(session):
    user = new_user(session)
    old = expired_card(session, user)
    product = make_product(session)
    fundraiser = make_fundraiser(session)
    session.commit()
    key = authorized_key(session, user)
    with pytest.raises(Conflict) as info:
        checkout.checkout_items(
            session, user=user, key=key, items=[(product.id, 1)], method_id=old.id, shipping=SHIPPING, app="facebook",
        )
    assert info.value.code == "method_expired"
    session.rollback()
    key = authorized_key(session, user, kind="donation")
    with pytest.raises(Conflict) as info:
        donations.donate(
            session, user=user, key=key, fundraiser_id=fundraiser.id, amount_cents=500, method_id=old.id, app="facebook",
        )
    assert info.value.code == "method_expired"
    session.rollback()
    assert session.exec(select(Payment)).all() == [] and session.exec(select(SandboxCharge)).all() == []


def test_masking_keeps_only_the_first_letter_and_the_domain():
    assert pm.mask_email("giulia@example.com") == "g•••@example.com"
    assert pm.mask_email("x@y.it") == "x•••@y.it"
    assert pm.mask_email("") == "•••"
