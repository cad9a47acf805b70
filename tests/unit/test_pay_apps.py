import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import update
from sqlmodel import Session, func, select

from socialshop.models import AppActivation, AppSurface, CheckoutAttempt, Payment, User, utcnow
from socialshop.services import cart, checkout, donations, pay_apps, transfers
from socialshop.services.errors import Conflict, ValidationError
from tests.unit.factories import (
    SHIPPING,
    add_card,
    authorized_key,
    make_buyer,
    make_fundraiser,
    make_product,
    make_user,
    stock_of,
)


def test_everything_is_on_by_default_in_app_order(session):
    user = make_user(session)
    result = pay_apps.list_activation(session, user=user)
    assert list(result) == ["facebook", "instagram", "messenger", "whatsapp"]
    assert list(result) == AppSurface.values()
    assert all(result.values())
    pay_apps.require_pay_enabled(session, user=user, app="instagram")


def test_switch_off_and_on_again(session):
    user, other = make_user(session), make_user(session)
    state = pay_apps.set_activation(session, user=user, app="whatsapp", enabled=False)
    assert state == {"facebook": True, "instagram": True, "messenger": True, "whatsapp": False}
    with pytest.raises(Conflict) as info:
        pay_apps.require_pay_enabled(session, user=user, app="whatsapp")
    assert info.value.code == "pay_disabled_in_app"
    assert info.value.params == {"app": "whatsapp", "link": "/pay/apps"}
    # Another user's switches are untouched.
    pay_apps.require_pay_enabled(session, user=other, app="whatsapp")
    pay_apps.set_activation(session, user=user, app=AppSurface.WHATSAPP, enabled=True)
    pay_apps.set_activation(session, user=user, app="whatsapp", enabled=True)
    session.commit()
    pay_apps.require_pay_enabled(session, user=user, app="whatsapp")
    rows = session.exec(select(func.count()).select_from(AppActivation)).one()
    assert rows == 1  # upserted, never duplicated


@pytest.mark.parametrize("app", ["myspace", "", None, 3, "FACEBOOK ", ["facebook"]])
def test_unknown_apps_are_refused(session, app):
    user = make_user(session)
    for call in (
        lambda: pay_apps.set_activation(session, user=user, app=app, enabled=False),
        lambda: pay_apps.require_pay_enabled(session, user=user, app=app),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.code == "app_invalid"


@pytest.mark.parametrize("enabled", ["false", "true", 0, 1, None])
def test_enabled_must_be_a_real_bool(session, enabled):
    user = make_user(session)
    with pytest.raises(ValidationError) as info:
        pay_apps.set_activation(session, user=user, app="facebook", enabled=enabled)
    assert info.value.code == "enabled_invalid"
    assert pay_apps.list_activation(session, user=user)["facebook"] is True


def test_no_payment_in_a_switched_off_app(session):
    user, method = make_buyer(session)
    product = make_product(session, stock=5)
    session.commit()
    attempt = checkout.open_attempt(session, user=user, kind="purchase", app="instagram")
    attempt.pin_verified_at = attempt.created_at
    session.commit()
    pay_apps.set_activation(session, user=user, app="instagram", enabled=False)
    session.commit()
    with pytest.raises(Conflict) as info:
        checkout.checkout_items(
            session, user=user, key=attempt.idempotency_key, items=[(product.id, 1)],
            method_id=method.id, shipping=SHIPPING, app="instagram",
        )
    assert info.value.code == "pay_disabled_in_app"
    assert stock_of(session, product.id) == 5
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0
    with pytest.raises(Conflict):
        checkout.open_attempt(session, user=user, kind="purchase", app="instagram")


# ---------------------------------------------------------------- all apps at once


def test_use_on_all_apps_sets_every_switch(session):
    user, other = make_user(session), make_user(session)
    pay_apps.set_activation(session, user=user, app="messenger", enabled=False)
    state = pay_apps.set_all_activation(session, user=user, enabled=False)
    assert state == {app: False for app in AppSurface.values()}
    assert all(pay_apps.list_activation(session, user=other).values())
    state = pay_apps.set_all_activation(session, user=user, enabled=True)
    assert all(state.values())
    for bad in ("false", 0, None):
        with pytest.raises(ValidationError) as info:
            pay_apps.set_all_activation(session, user=user, enabled=bad)
        assert info.value.code == "enabled_invalid"
    assert all(pay_apps.list_activation(session, user=user).values())


def test_switching_keeps_the_limit_and_the_limit_keeps_the_switch(session):
    user = make_user(session)
    pay_apps.set_monthly_limit(session, user=user, app="instagram", limit="50")
    pay_apps.set_activation(session, user=user, app="instagram", enabled=False)
    pay_apps.set_monthly_limit(session, user=user, app="instagram", limit="60")
    setting = next(s for s in pay_apps.list_settings(session, user=user) if s.app == "instagram")
    assert setting.enabled is False and setting.monthly_limit_cents == 6000


# ---------------------------------------------------------------- limits: input


@pytest.mark.parametrize(
    ("raw", "language", "cents"),
    [("50", "en", 5000), ("12.50", "en", 1250), ("12,50", "it", 1250), ("0", "en", 0), ("100000", "en", 10_000_000),
     (7_500, "en", 7_500), ("", "en", None), ("   ", "en", None), (None, "en", None)],
)
def test_limits_are_parsed(session, raw, language, cents):
    user = make_user(session)
    assert pay_apps.set_monthly_limit(session, user=user, app="facebook", limit=raw, language=language) == cents
    stored = next(s for s in pay_apps.list_settings(session, user=user) if s.app == "facebook")
    assert stored.monthly_limit_cents == cents


@pytest.mark.parametrize(
    ("raw", "code"),
    [("-1", "limit_negative"), ("-0.01", "limit_negative"), (-5, "limit_negative"),
     ("100000.01", "limit_too_high"), ("1e9", "amount_not_numeric"), ("9" * 30, "amount_not_numeric"),
     ("ten", "amount_not_numeric"), ("1.234", "amount_too_many_decimals"), ([50], "amount_not_numeric"),
     (True, "amount_not_numeric"), (10_000_001, "limit_too_high")],
)
def test_bad_limits_are_refused_and_change_nothing(session, raw, code):
    user = make_user(session)
    pay_apps.set_monthly_limit(session, user=user, app="facebook", limit="40")
    with pytest.raises(ValidationError) as info:
        pay_apps.set_monthly_limit(session, user=user, app="facebook", limit=raw)
    assert info.value.code == code
    assert next(s for s in pay_apps.list_settings(session, user=user) if s.app == "facebook").monthly_limit_cents == 4000


def test_limit_errors_have_a_message_naming_the_maximum():
    from socialshop import i18n

    text = i18n.error_message("limit_too_high", "en", max=pay_apps.MAX_MONTHLY_LIMIT_CENTS, currency="EUR")
    assert "€100,000.00" in text
    text = i18n.error_message("pay_limit_reached", "it", app="instagram", limit=5000, remaining=1000, currency="EUR")
    assert "Instagram" in text and "50,00" in text and "10,00" in text


def test_a_limit_for_an_unknown_app_is_refused(session):
    user = make_user(session)
    with pytest.raises(ValidationError) as info:
        pay_apps.set_monthly_limit(session, user=user, app="myspace", limit="10")
    assert info.value.code == "app_invalid"


# ---------------------------------------------------------------- limits: every money path


def _buy(session, user, method, product, app, quantity=1):
    key = authorized_key(session, user, app=app)
    return checkout.checkout_items(
        session, user=user, key=key, items=[(product.id, quantity)], method_id=method.id, shipping=SHIPPING, app=app,
    )


def test_a_purchase_over_the_limit_is_refused_naming_the_app_and_limit(session):
    user, method = make_buyer(session)
    product = make_product(session, stock=10, price_cents=2_000)
    pay_apps.set_monthly_limit(session, user=user, app="instagram", limit="50")
    session.commit()
    assert _buy(session, user, method, product, "instagram", 2).succeeded  # 40 of 50
    with pytest.raises(Conflict) as info:
        _buy(session, user, method, product, "instagram", 1)  # 60 > 50
    assert info.value.code == "pay_limit_reached"
    assert info.value.params == {"app": "instagram", "limit": 5000, "remaining": 1000, "currency": "EUR",
                                 "link": "/pay/apps"}
    assert stock_of(session, product.id) == 8
    assert session.exec(select(func.count()).select_from(Payment)).one() == 1
    # Other apps have their own limit (none here), and exactly the limit is allowed.
    assert _buy(session, user, method, product, "facebook", 3).succeeded
    pay_apps.set_monthly_limit(session, user=user, app="instagram", limit="60")
    session.commit()
    assert _buy(session, user, method, product, "instagram", 1).succeeded


def test_the_cart_checkout_obeys_switch_and_limit(session):
    user, method = make_buyer(session)
    product = make_product(session, stock=10, price_cents=3_000)
    cart.add_to_cart(session, user=user, product_id=product.id, quantity=2, app="instagram")
    pay_apps.set_monthly_limit(session, user=user, app="instagram", limit="50")
    session.commit()
    key = authorized_key(session, user, app="instagram")
    with pytest.raises(Conflict) as info:
        checkout.checkout_cart(session, user=user, key=key, method_id=method.id, shipping=SHIPPING, app="instagram")
    assert info.value.code == "pay_limit_reached" and info.value.params["app"] == "instagram"
    pay_apps.set_monthly_limit(session, user=user, app="instagram", limit="")
    pay_apps.set_activation(session, user=user, app="instagram", enabled=False)
    session.commit()
    with pytest.raises(Conflict) as info:
        checkout.checkout_cart(session, user=user, key=key, method_id=method.id, shipping=SHIPPING, app="instagram")
    assert info.value.code == "pay_disabled_in_app" and info.value.params["link"] == "/pay/apps"
    assert stock_of(session, product.id) == 10
    pay_apps.set_activation(session, user=user, app="instagram", enabled=True)
    session.commit()
    result = checkout.checkout_cart(session, user=user, key=key, method_id=method.id, shipping=SHIPPING, app="instagram")
    assert result.succeeded and stock_of(session, product.id) == 8


def test_a_donation_over_the_limit_is_refused(session):
    user, method = make_buyer(session)
    fundraiser = make_fundraiser(session)
    pay_apps.set_monthly_limit(session, user=user, app="facebook", limit="20")
    session.commit()
    key = authorized_key(session, user, kind="donation", app="facebook")
    with pytest.raises(Conflict) as info:
        donations.donate(session, user=user, key=key, fundraiser_id=fundraiser.id, amount_cents=2_001,
                         method_id=method.id, app="facebook")
    assert info.value.code == "pay_limit_reached" and info.value.params["app"] == "facebook"
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0
    # The refused attempt is still open: the same key pays once the amount fits.
    result = donations.donate(session, user=user, key=key, fundraiser_id=fundraiser.id, amount_cents=2_000,
                              method_id=method.id, app="facebook")
    assert result.succeeded


def test_a_messenger_transfer_obeys_switch_and_limit(session):
    user, method = make_buyer(session)
    friend = make_user(session)
    pay_apps.set_monthly_limit(session, user=user, app="messenger", limit="10")
    session.commit()
    key = authorized_key(session, user, kind="transfer", app="messenger")
    with pytest.raises(Conflict) as info:
        transfers.send_money(session, user=user, key=key, to_user_id=friend.id, amount_cents=1_001,
                             method_id=method.id)
    assert info.value.code == "pay_limit_reached" and info.value.params["app"] == "messenger"
    # Switched off after the sheet opened: refused when the engine claims it.
    pay_apps.set_monthly_limit(session, user=user, app="messenger", limit=None)
    pay_apps.set_activation(session, user=user, app="messenger", enabled=False)
    session.commit()
    with pytest.raises(Conflict) as info:
        transfers.send_money(session, user=user, key=key, to_user_id=friend.id, amount_cents=500,
                             method_id=method.id)
    assert info.value.code == "pay_disabled_in_app"
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0


def test_the_switch_is_checked_again_at_claim_time(session):
    """Between the checks before the claim and the claim itself, the switch is read
    once more in the claim transaction: a switch flipped in that window still counts."""
    user, method = make_buyer(session)
    pay_apps.set_activation(session, user=user, app="messenger", enabled=False)
    session.commit()
    with pytest.raises(Conflict) as info:
        pay_apps.enforce_at_claim(session, user_id=user.id, app="messenger", amount_cents=1, currency="EUR",
                                  attempt_id=0)
    assert info.value.code == "pay_disabled_in_app"
    pay_apps.enforce_at_claim(session, user_id=user.id, app="facebook", amount_cents=10**9, currency="EUR",
                              attempt_id=0)


def test_last_month_and_failed_payments_do_not_count(session):
    user, method = make_buyer(session)
    product = make_product(session, stock=10, price_cents=4_000)
    pay_apps.set_monthly_limit(session, user=user, app="instagram", limit="50")
    session.commit()
    old = _buy(session, user, method, product, "instagram")
    assert old.succeeded
    # Claimed on the last days of last month: this month starts from zero.
    last_month = pay_apps.month_start(utcnow()) - dt.timedelta(days=3)
    session.exec(
        update(CheckoutAttempt).where(CheckoutAttempt.idempotency_key == old.attempt_key).values(claimed_at=last_month)
    )
    session.commit()
    declined_user_card = add_card(session, user, "4000000000000002")
    session.commit()
    assert _buy(session, user, declined_user_card, product, "instagram").status == "failed"
    spent = pay_apps.spent_this_month(session, user=user)
    assert spent["instagram"] == 0
    assert _buy(session, user, method, product, "instagram").succeeded
    assert pay_apps.spent_this_month(session, user=user)["instagram"] == 4_000
    with pytest.raises(Conflict):
        _buy(session, user, method, product, "instagram")


@pytest.mark.parametrize("engine_fixture", ["engine", "pg_engine"])
def test_concurrent_payments_cannot_both_pass_the_limit(request, engine_fixture):
    from tests.unit.test_concurrency import codes, run_together

    db = request.getfixturevalue(engine_fixture)
    with Session(db, expire_on_commit=False) as session:
        user, method = make_buyer(session)
        product = make_product(session, stock=100, price_cents=3_000)
        pay_apps.set_monthly_limit(session, user=user, app="instagram", limit="100")
        session.commit()
        keys = [authorized_key(session, user, app="instagram") for _ in range(8)]

    def buy(session, i):
        return checkout.checkout_items(
            session, user=session.get(User, user.id), key=keys[i], items=[(product.id, 1)],
            method_id=method.id, shipping=SHIPPING, app="instagram",
        )

    outcomes = run_together(db, buy)

    # 3 × €30 fit under €100, a fourth would not, whatever the interleaving.
    assert codes(outcomes) == Counter({"succeeded": 3, "pay_limit_reached": 5}), outcomes
    with Session(db) as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 3
        assert stock_of(session, product.id) == 97
