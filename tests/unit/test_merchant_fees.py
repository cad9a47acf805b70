"""The fees page: choosing a package (new orders only) and "what you would have paid"."""

from __future__ import annotations

import datetime as dt

import pytest

from socialshop.models import Shop
from socialshop.services import merchant_fees, payouts
from socialshop.services.errors import PermissionDenied, ValidationError
from tests.unit.factories import make_user
from tests.unit.merchant_money_factories import NOW, make_merchant, paid_order, refund

DAY = dt.timedelta(days=1)


def test_the_comparison_applies_every_package_to_the_shops_own_last_30_days(session):
    merchant, shop = make_merchant(session, package="starter")
    paid_order(session, shop=shop, gross=500, paid_at=NOW - DAY)
    paid_order(session, shop=shop, gross=500, paid_at=NOW - 2 * DAY)
    half_back = paid_order(session, shop=shop, gross=2_000, paid_at=NOW - 10 * DAY)
    paid_order(session, shop=shop, gross=10_000, paid_at=NOW - 29 * DAY)
    paid_order(session, shop=shop, gross=99_999, paid_at=NOW - 31 * DAY)  # outside the window
    refund(session, half_back, 1_000)
    session.commit()

    view = merchant_fees.overview(session, user=merchant, now=NOW)

    costs = {c.code: c for c in view.costs}
    assert view.orders == 4
    assert view.sales_cents == 500 + 500 + 1_000 + 10_000
    # Starter: 5% + 0.40 on orders up to 8.00: 2 x (25 + 40), 100 of which half came back, 500.
    assert costs["starter"].order_fees_cents == 130 + 50 + 500
    # Growth: 3.99%: 2 x 20 (19.95 rounds up), 80 -> 40 after the refund, 399.
    assert costs["growth"].order_fees_cents == 40 + 40 + 399
    # Pro: 2.9% + 0.30: 2 x (15 + 30), 88 -> 44, 320; plus the monthly fee.
    assert costs["pro"].order_fees_cents == 90 + 44 + 320
    assert costs["pro"].total_cents == 454 + 1_900
    assert [c.code for c in view.costs if c.current] == ["starter"]
    # Actually paid: the fees stored on the orders, less what the refund gave back.
    assert view.actual_cents == 680 == costs["starter"].total_cents
    assert view.package == "starter"


def test_actually_paid_includes_the_monthly_fee_charged_in_the_window(session):
    merchant, shop = make_merchant(session, package="pro")
    now = dt.datetime.now(dt.UTC)  # the ledger stamps the fee with the real clock
    paid_order(session, shop=shop, gross=1_000, paid_at=now - DAY)  # 29 + 30
    session.commit()
    payouts.balance(session, user=merchant, now=now)  # posts this month's fee
    session.commit()
    view = merchant_fees.overview(session, user=merchant, now=now)
    assert view.actual_monthly_cents == 1_900
    assert view.actual_cents == 59 + 1_900
    assert {c.code: c.total_cents for c in view.costs}["pro"] == 59 + 1_900


def test_a_new_package_applies_to_new_orders_only(session):
    merchant, shop = make_merchant(session, package="starter")
    old = paid_order(session, shop=shop, gross=2_000, paid_at=NOW - 3 * DAY)
    session.commit()

    changed = merchant_fees.choose_package(session, user=merchant, package="growth", now=NOW)
    session.commit()

    assert (changed.fee_package, changed.fee_package_since) == ("growth", NOW)
    session.refresh(old)
    assert (old.fee_package, old.fee_cents) == ("starter", 100)
    # Its money still waits the week Starter promised, not Growth's two days.
    assert payouts.balance(session, user=merchant, now=NOW).pending_cents == 1_900
    assert merchant_fees.overview(session, user=merchant, now=NOW).package == "growth"


def test_choosing_the_current_package_changes_nothing(session):
    merchant, shop = make_merchant(session, package="growth")
    session.commit()
    merchant_fees.choose_package(session, user=merchant, package="growth", now=NOW)
    assert session.get(Shop, shop.id).fee_package_since is None


@pytest.mark.parametrize("bad", ["gold", "", None, 3, ["pro"], {"code": "pro"}, "PRO", "pro "])
def test_an_unknown_package_is_refused_and_nothing_changes(session, bad):
    merchant, shop = make_merchant(session, package="starter")
    session.commit()
    with pytest.raises(ValidationError, match="fee_package_unknown"):
        merchant_fees.choose_package(session, user=merchant, package=bad, now=NOW)
    session.rollback()
    assert session.get(Shop, shop.id).fee_package == "starter"


def test_shoppers_cannot_see_or_change_packages(session):
    _, shop = make_merchant(session)
    shopper = make_user(session)
    session.commit()
    with pytest.raises(PermissionDenied):
        merchant_fees.choose_package(session, user=shopper, package="pro")
    with pytest.raises(PermissionDenied):
        merchant_fees.overview(session, user=shopper)
    assert session.get(Shop, shop.id).fee_package == "starter"
