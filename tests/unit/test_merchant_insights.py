"""Merchant insights: sales by day, app, product and city, groups of fewer than 5 buyers suppressed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from socialshop.services import merchant_insights
from socialshop.services.errors import PermissionDenied, ValidationError
from tests.unit.factories import make_product, make_user
from tests.unit.merchant_money_factories import NOW, make_merchant, paid_order, refund

DAY = dt.timedelta(days=1)


def by_key(groups):
    return {g.key: g for g in groups}


def buyers(session, n):
    return [make_user(session, with_pin=False) for _ in range(n)]


def test_a_city_of_4_buyers_is_suppressed_and_one_of_5_is_shown(session):
    merchant, shop = make_merchant(session)
    mug = make_product(session, shop=shop, title="Mug")
    for buyer in buyers(session, 5):
        paid_order(session, shop=shop, buyer=buyer, gross=1_000, city="Milano", product=mug)
    small = buyers(session, 4)
    for buyer in small:
        paid_order(session, shop=shop, buyer=buyer, gross=3_000, city="Cagliari", product=mug)
    # Another 5 buyers paid without an address: "no address" is a group like any city.
    for buyer in buyers(session, 5):
        paid_order(session, shop=shop, buyer=buyer, gross=200, needs_shipping=False, product=mug)
    session.commit()

    view = merchant_insights.insights(session, user=merchant, period="30days", now=NOW)

    cities = by_key(view.by_city)
    # Cagliari's 4 buyers are hidden, and with them the next smallest group: otherwise the
    # total minus the shown cities would give Cagliari's sales away.
    assert cities["cagliari"] == merchant_insights.Group("cagliari", "Cagliari", False)
    assert cities["no_address"] == merchant_insights.Group("no_address", "", False)
    assert cities["milano"].shown
    assert (cities["milano"].cents, cities["milano"].orders, cities["milano"].buyers) == (5_000, 5, 5)
    assert (view.total_cents, view.total_buyers) == (18_000, 14)
    # The one product and the one app hold every buyer.
    assert [(g.label, g.cents) for g in view.by_product] == [("Mug", 18_000)]


def test_one_buyer_with_many_orders_counts_once(session):
    merchant, shop = make_merchant(session)
    regular = make_user(session, with_pin=False)
    for _ in range(10):
        paid_order(session, shop=shop, buyer=regular, gross=1_000, app="whatsapp")
    for buyer in buyers(session, 3):  # 13 orders, 4 buyers
        paid_order(session, shop=shop, buyer=buyer, gross=1_000, app="whatsapp")
    for buyer in buyers(session, 2):
        paid_order(session, shop=shop, buyer=buyer, gross=1_000, app="facebook")
    for buyer in buyers(session, 5):
        paid_order(session, shop=shop, buyer=buyer, gross=1_000, app="instagram")
    session.commit()

    view = merchant_insights.insights(session, user=merchant, period="7days", now=NOW)

    apps = by_key(view.by_app)
    assert apps["whatsapp"] == merchant_insights.Group("whatsapp", "whatsapp", False)
    assert not apps["facebook"].shown
    # The hidden apps together hold 6 buyers: Instagram can be shown.
    assert (apps["instagram"].shown, apps["instagram"].buyers, apps["instagram"].cents) == (True, 5, 5_000)
    assert (view.total_orders, view.total_buyers) == (20, 11)


def test_a_lone_hidden_group_takes_the_smallest_shown_one_with_it(session):
    merchant, shop = make_merchant(session)
    regular = make_user(session, with_pin=False)
    for _ in range(10):
        paid_order(session, shop=shop, buyer=regular, gross=1_000, app="whatsapp")
    for buyer in buyers(session, 5):
        paid_order(session, shop=shop, buyer=buyer, gross=1_000, app="instagram")
    for buyer in buyers(session, 6):
        paid_order(session, shop=shop, buyer=buyer, gross=1_000, app="facebook")
    session.commit()

    apps = by_key(merchant_insights.insights(session, user=merchant, period="7days", now=NOW).by_app)
    # Otherwise total - Instagram - Facebook would be exactly what the one regular spent.
    assert not apps["whatsapp"].shown and not apps["instagram"].shown
    assert apps["facebook"].shown and apps["facebook"].cents == 6_000


def test_four_buyers_in_a_whole_period_show_nothing(session):
    merchant, shop = make_merchant(session)
    for buyer in buyers(session, 4):
        paid_order(session, shop=shop, buyer=buyer, gross=1_000)
    session.commit()
    view = merchant_insights.insights(session, user=merchant, period="30days", now=NOW)
    assert view.has_sales and not view.total_shown
    assert view.total_cents == 0
    for groups in (view.by_day, view.by_app, view.by_product, view.by_city):
        assert groups and not any(g.shown for g in groups)
        assert all(g.cents == g.orders == g.buyers == 0 for g in groups)


def test_days_refunds_and_the_period(session):
    merchant, shop = make_merchant(session)
    crowd = buyers(session, 6)
    orders = [paid_order(session, shop=shop, buyer=b, gross=2_000, paid_at=NOW - DAY) for b in crowd]
    refund(session, orders[0], 500)
    refund(session, orders[1], 2_000)  # fully refunded: no sale, no buyer
    for b in crowd:
        paid_order(session, shop=shop, buyer=b, gross=1_000, paid_at=NOW - 20 * DAY)
    session.commit()

    week = merchant_insights.insights(session, user=merchant, period="7days", now=NOW)
    assert [(g.key, g.shown, g.cents, g.buyers) for g in week.by_day] == [("2026-12-02", True, 9_500, 5)]
    assert week.since == dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    month = merchant_insights.insights(session, user=merchant, period="30days", now=NOW)
    assert [g.key for g in month.by_day] == ["2026-11-13", "2026-12-02"]
    assert month.total_cents == 9_500 + 6_000


def test_suppressed_numbers_never_reach_the_result(session):
    merchant, shop = make_merchant(session)
    secret_buyer = make_user(session, with_pin=False)
    paid_order(session, shop=shop, buyer=secret_buyer, gross=123_456, city="Nuoro")
    for buyer in buyers(session, 6):
        paid_order(session, shop=shop, buyer=buyer, gross=1_000, city="Roma")
    session.commit()
    view = merchant_insights.insights(session, user=merchant, period="30days", now=NOW)
    text = repr(dataclasses.asdict(view))
    # Not the amount, nor total - Roma's: the total is shown only with Roma hidden as well.
    assert "123456" not in text
    cities = by_key(view.by_city)
    assert not cities["nuoro"].shown and not cities["roma"].shown


def test_bad_period_and_shoppers_are_refused(session):
    merchant, _ = make_merchant(session)
    shopper = make_user(session)
    session.commit()
    for bad in ("1year", "", None, 30, ["7days"]):
        with pytest.raises(ValidationError, match="insights_period_invalid"):
            merchant_insights.insights(session, user=merchant, period=bad, now=NOW)
    with pytest.raises(PermissionDenied):
        merchant_insights.insights(session, user=shopper, period="30days", now=NOW)


def test_other_shops_sales_are_not_counted(session):
    merchant, shop = make_merchant(session)
    _, other = make_merchant(session)
    for buyer in buyers(session, 5):
        paid_order(session, shop=other, buyer=buyer, gross=1_000)
    session.commit()
    view = merchant_insights.insights(session, user=merchant, period="30days", now=NOW)
    assert not view.has_sales


def test_long_breakdowns_end_with_one_others_group_of_each_kind(session):
    merchant, shop = make_merchant(session)
    for n in range(10):
        product = make_product(session, shop=shop, title=f"Big {n}")
        for buyer in buyers(session, 5):
            paid_order(session, shop=shop, buyer=buyer, gross=1_000 + n, product=product)
    for n in range(10):
        product = make_product(session, shop=shop, title=f"Small {n}")
        paid_order(session, shop=shop, gross=500, product=product)
    session.commit()

    products = merchant_insights.insights(session, user=merchant, period="30days", now=NOW).by_product

    shown = [g for g in products if g.shown]
    assert [g.label for g in shown[:7]] == [f"Big {n}" for n in range(9, 2, -1)]
    assert shown[7] == merchant_insights.Group("others", "", True, 5 * (1_000 + 1_001 + 1_002), 15, 15)
    hidden = [g for g in products if not g.shown]
    assert [g.label for g in hidden] == [f"Small {n}" for n in range(7)] + ["3"]
    assert hidden[-1].key == "more_hidden"
