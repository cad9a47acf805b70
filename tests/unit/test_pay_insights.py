"""Pay insights: spending by app, merchant, category and month, per period, only mine, net of refunds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from socialshop.models import Order, Payment, utcnow
from socialshop.services import checkout, donations, orders, pay_insights, transfers
from socialshop.services.errors import ValidationError
from socialshop.services.pay_insights import MonthTotal, Period, Slice
from tests.unit.factories import (
    SHIPPING,
    add_card,
    authorized_key,
    make_buyer,
    make_fundraiser,
    make_product,
    make_shop,
    make_user,
)

OIL, CANDLE, BOOK = 1_000, 500, 2_000
DONATION, TRANSFER = 700, 300


def _buy(session, user, method, lines, app="facebook"):
    key = authorized_key(session, user, app=app)
    result = checkout.checkout_items(
        session, user=user, key=key, items=[(p.id, q) for p, q in lines], method_id=method.id, shipping=SHIPPING, app=app,
    )
    assert result.succeeded, result
    return result


def _mid_month(now: dt.datetime, months_back: int) -> dt.datetime:
    """Noon on the 15th, `months_back` calendar months before now's month."""
    index = now.year * 12 + now.month - 1 - months_back
    return dt.datetime(index // 12, index % 12 + 1, 15, 12, tzinfo=dt.UTC)


def _first_of(moment: dt.datetime) -> dt.date:
    return dt.date(moment.year, moment.month, 1)


def _backdate(session, payment_id, when):
    session.exec(update(Payment).where(Payment.id == payment_id).values(created_at=when))
    session.commit()


@pytest.fixture
def world(session):
    return build_world(session)


def build_world(session):
    """A shopper's money this month, two and fourteen months ago, plus what must not count."""
    now = utcnow()
    user, card = make_buyer(session)
    bottega = make_shop(session, name="Bottega Verde")
    libreria = make_shop(session, name="Libreria del Porto")
    oil = make_product(session, shop=bottega, price_cents=OIL, category="food", stock=50)
    candle = make_product(session, shop=bottega, price_cents=CANDLE, category="home", stock=50)
    book = make_product(session, shop=libreria, price_cents=BOOK, category="books", stock=50)
    fundraiser = make_fundraiser(session, title="Canile di Quartu")
    friend = make_user(session, name="Marco")
    session.commit()

    # This month: one cart over two shops on Facebook, a donation, a transfer.
    _buy(session, user, card, [(oil, 2), (candle, 1), (book, 1)])
    key = authorized_key(session, user, kind="donation")
    assert donations.donate(session, user=user, key=key, fundraiser_id=fundraiser.id, amount_cents=DONATION,
                            method_id=card.id, app="facebook").succeeded
    key = authorized_key(session, user, kind="transfer", app="messenger")
    assert transfers.send_money(session, user=user, key=key, to_user_id=friend.id, amount_cents=TRANSFER,
                                method_id=card.id).succeeded
    # Bought on Instagram and cancelled: refunded in full, counts nothing.
    refunded = _buy(session, user, card, [(book, 1)], app="instagram")
    orders.cancel_order(session, user=user, order_id=refunded.order_ids[0])
    # A payment that failed, and a declined card (no payment at all).
    failed = _buy(session, user, card, [(oil, 1)], app="instagram")
    session.exec(update(Payment).where(Payment.id == failed.payment_id).values(status="failed"))
    session.commit()
    declined = add_card(session, user, "4000000000000002")
    key = authorized_key(session, user, app="instagram")
    assert not checkout.checkout_items(session, user=user, key=key, items=[(oil.id, 1)], method_id=declined.id,
                                       shipping=SHIPPING, app="instagram").succeeded
    # Older: a candle two months ago on WhatsApp, oil fourteen months ago on WhatsApp.
    _backdate(session, _buy(session, user, card, [(candle, 1)], app="whatsapp").payment_id, _mid_month(now, 2))
    _backdate(session, _buy(session, user, card, [(oil, 1)], app="whatsapp").payment_id, _mid_month(now, 14))
    # Someone else's shopping in the same shops and apps.
    other, other_card = make_buyer(session)
    _buy(session, other, other_card, [(book, 3), (oil, 1)], app="instagram")
    return {"user": user, "other": other, "now": now, "bottega": bottega, "libreria": libreria,
            "fundraiser": fundraiser}


def test_this_month_by_app_merchant_category_and_month(session, world):
    view = pay_insights.insights(session, user=world["user"], period="month", now=world["now"])

    this_month = 2 * OIL + CANDLE + BOOK + DONATION + TRANSFER
    assert view.period is Period.MONTH and view.currency == "EUR"
    assert view.totals == [("EUR", this_month)] and view.total_cents == this_month
    assert view.by_app == [Slice("facebook", 2 * OIL + CANDLE + BOOK + DONATION), Slice("messenger", TRANSFER)]
    assert view.by_merchant == [
        Slice(f"shop:{world['bottega'].id}", 2 * OIL + CANDLE, "Bottega Verde"),
        Slice(f"shop:{world['libreria'].id}", BOOK, "Libreria del Porto"),
        Slice(f"fundraiser:{world['fundraiser'].id}", DONATION, "Canile di Quartu"),
        Slice("people", TRANSFER),
    ]
    assert view.by_category == [
        Slice("books", BOOK), Slice("food", 2 * OIL), Slice("donations", DONATION),
        Slice("home", CANDLE), Slice("transfers", TRANSFER),
    ]
    assert view.by_month == [MonthTotal(_first_of(world["now"]), this_month)]
    # Every breakdown adds up to the total.
    for breakdown in (view.by_app, view.by_merchant, view.by_category):
        assert sum(s.cents for s in breakdown) == this_month


def test_longer_periods_add_older_months_and_show_empty_months_as_zero(session, world):
    now = world["now"]
    this_month = 2 * OIL + CANDLE + BOOK + DONATION + TRANSFER

    three = pay_insights.insights(session, user=world["user"], period="3months", now=now)
    assert three.total_cents == this_month + CANDLE
    assert three.by_month == [
        MonthTotal(_first_of(_mid_month(now, 2)), CANDLE),
        MonthTotal(_first_of(_mid_month(now, 1)), 0),
        MonthTotal(_first_of(now), this_month),
    ]
    assert dict((s.key, s.cents) for s in three.by_app)["whatsapp"] == CANDLE
    assert dict((s.key, s.cents) for s in three.by_category)["home"] == 2 * CANDLE

    year = pay_insights.insights(session, user=world["user"], period="12months", now=now)
    assert year.total_cents == this_month + CANDLE
    assert len(year.by_month) == 12 and year.by_month[-1].month == _first_of(now)
    assert [m.cents for m in year.by_month].count(0) == 10

    ever = pay_insights.insights(session, user=world["user"], period="all", now=now)
    assert ever.since is None and ever.total_cents == this_month + CANDLE + OIL
    assert len(ever.by_month) == 15 and not ever.months_truncated
    assert ever.by_month[0] == MonthTotal(_first_of(_mid_month(now, 14)), OIL)
    assert dict((s.key, s.cents) for s in ever.by_app)["whatsapp"] == CANDLE + OIL


def test_the_same_sums_on_postgresql(pg_engine):
    """Month extraction and integer division are the database's: check them on PostgreSQL too."""
    from sqlmodel import Session

    with Session(pg_engine, expire_on_commit=False) as session:
        world = build_world(session)
        test_this_month_by_app_merchant_category_and_month(session, world)
        test_longer_periods_add_older_months_and_show_empty_months_as_zero(session, world)
        test_a_partial_refund_comes_off_the_order_lines_in_proportion(session, world)


def test_all_time_longer_than_the_chart_keeps_the_latest_months(session, world):
    session.exec(update(Payment).where(Payment.payer_id == world["user"].id, Payment.app == "whatsapp",
                                       Payment.amount_cents == OIL).values(created_at=_mid_month(world["now"], 40)))
    session.commit()
    ever = pay_insights.insights(session, user=world["user"], period="all", now=world["now"])
    assert ever.months_truncated and len(ever.by_month) == pay_insights.MAX_CHART_MONTHS
    assert ever.by_month[-1].month == _first_of(world["now"])
    assert ever.total_cents == 2 * OIL + CANDLE + BOOK + DONATION + TRANSFER + CANDLE + OIL


def test_other_peoples_spending_is_not_mine(session, world):
    mine = pay_insights.insights(session, user=world["user"], period="all", now=world["now"])
    theirs = pay_insights.insights(session, user=world["other"], period="all", now=world["now"])
    assert theirs.totals == [("EUR", 3 * BOOK + OIL)]
    assert theirs.by_app == [Slice("instagram", 3 * BOOK + OIL)]
    assert "instagram" not in {s.key for s in mine.by_app}
    stranger = make_user(session)
    empty = pay_insights.insights(session, user=stranger, period="all", now=world["now"])
    assert (empty.totals, empty.currency, empty.by_app, empty.by_month) == ([], None, [], [])


def test_a_partial_refund_comes_off_the_order_lines_in_proportion(session, world):
    order = session.exec(
        update(Order).where(Order.buyer_id == world["user"].id, Order.shop_id == world["bottega"].id,
                            Order.subtotal_cents == 2 * OIL + CANDLE)
        .values(refunded_cents=(2 * OIL + CANDLE) // 2).returning(Order.payment_id)
    ).one()
    session.exec(update(Payment).where(Payment.id == order[0]).values(refunded_cents=(2 * OIL + CANDLE) // 2))
    session.commit()
    view = pay_insights.insights(session, user=world["user"], period="month", now=world["now"])
    categories = {s.key: s.cents for s in view.by_category}
    assert (categories["food"], categories["home"]) == (OIL, CANDLE // 2)
    assert {s.key: s.cents for s in view.by_merchant}[f"shop:{world['bottega'].id}"] == (2 * OIL + CANDLE) // 2
    assert sum(s.cents for s in view.by_category) == view.total_cents


def test_many_merchants_end_in_one_others_slice(session, world):
    slices = pay_insights.spending_by_merchant(
        session, user=world["user"], period=Period.MONTH, currency="EUR", now=world["now"], limit=2
    )
    assert slices == [
        Slice(f"shop:{world['bottega'].id}", 2 * OIL + CANDLE, "Bottega Verde"),
        Slice("others", BOOK + DONATION + TRANSFER),
    ]


def test_currencies_are_never_added_together(session):
    user, card = make_buyer(session)
    euro = make_product(session, price_cents=1_500)
    session.commit()
    _buy(session, user, card, [(euro, 1)])
    # The ledger books one currency per account today, so no flow can pay in dollars yet:
    # the row is written as a dollar payment would be recorded.
    session.add(Payment(payer_id=user.id, kind="transfer", app="messenger", amount_cents=900, currency="USD",
                        provider="sandbox", idempotency_key="usd-transfer"))
    session.commit()
    view = pay_insights.insights(session, user=user, period="month")
    assert view.totals == [("EUR", 1_500), ("USD", 900)]
    assert view.currency == "EUR" and view.by_app == [Slice("facebook", 1_500)]
    assert [m.cents for m in view.by_month] == [1_500]
    assert pay_insights.spending_by_category(session, user=user, period=Period.MONTH, currency="USD") == [
        Slice("transfers", 900)
    ]


@pytest.mark.parametrize("bad", ["week", "", "MONTH", None, 3, ["month"], "all; drop table payment"])
def test_an_unknown_period_is_refused(session, bad):
    user = make_user(session)
    with pytest.raises(ValidationError) as error:
        pay_insights.insights(session, user=user, period=bad)
    assert error.value.code == "insights_period_invalid"


def test_period_starts_on_the_first_of_a_calendar_month():
    now = dt.datetime(2026, 2, 20, 9, 30, tzinfo=dt.UTC)
    start = pay_insights.period_start
    assert start(Period.MONTH, now) == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    assert start(Period.THREE_MONTHS, now) == dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    assert start(Period.TWELVE_MONTHS, now) == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    assert start(Period.ALL, now) is None


def test_every_period_category_and_error_has_a_message():
    from socialshop.i18n import CATALOG
    from socialshop.models import ProductCategory

    for period in Period:
        assert f"insights.period.{period.value}" in CATALOG
    for category in [*ProductCategory.values(), "donations", "transfers"]:
        assert f"insights.category.{category}" in CATALOG
    assert "error.insights_period_invalid" in CATALOG


def test_the_page_loads_only_the_signed_in_users_insights_and_refuses_a_forged_period(session, world):
    from socialshop.services import accounts
    from socialshop.state.pay_insights import _insights_for

    login = accounts.sign_up_and_log_in(session, email="looker@example.com", password="a-good-pass-42",
                                        display_name="Lou")
    session.commit()
    assert _insights_for("not-a-token", "month") is None
    mine = _insights_for(login.token, "all")
    assert mine is not None and mine.totals == [] and mine.by_month == []
    with pytest.raises(ValidationError) as error:
        _insights_for(login.token, "forever")
    assert error.value.code == "insights_period_invalid"


def test_rows_carry_both_languages_with_babel_money_months_and_shares():
    from socialshop.state.pay_insights import _month_rows, _slice_rows

    [row] = _month_rows([MonthTotal(dt.date(2026, 12, 1), 1_250)], "EUR")
    assert (row.key, row.name_en, row.name_it, row.axis_en, row.axis_it) == (
        "2026-12", "December 2026", "dicembre 2026", "Dec", "dic"
    )
    assert (row.amount_en, row.amount_it, row.value) == ("€12.50", "€\xa012,50", 12.5)
    rows = _slice_rows([Slice("food", 1_000), Slice("shop:3", 500, "Caffè Aurora")], 1_500, "EUR",
                       "insights.category")
    assert [(r.name_en, r.name_it) for r in rows] == [("Food", "Alimentari"), ("Caffè Aurora", "Caffè Aurora")]
    assert [(r.share_en, r.share_it) for r in rows] == [("66.7%", "66,7%"), ("33.3%", "33,3%")]
    assert rows[0].color != rows[1].color


def test_every_demo_product_has_a_category():
    from socialshop import seed
    from socialshop.models import ProductCategory

    titles = {product[0] for shop in seed.SHOPS for product in shop.products}
    assert set(seed.PRODUCT_CATEGORIES) == titles
    assert set(seed.PRODUCT_CATEGORIES.values()) <= set(ProductCategory) - {ProductCategory.OTHER}
