"""Payouts: balance split into available / pending / held, Pay out now, the payout list,
negative balances; the Pro monthly fee posted once a month."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlmodel import func, select

from socialshop.models import CartItem, LedgerTransaction, Payout
from socialshop.services import checkout, ledger, merchant_fees, payouts
from socialshop.services.errors import Conflict, PermissionDenied, ValidationError
from tests.unit.factories import (
    SHIPPING,
    SpyProvider,
    assert_books_balance,
    authorized_key,
    install_provider,
    make_buyer,
    make_product,
    make_user,
)
from tests.unit.merchant_money_factories import NOW, make_merchant, paid_order, refund

DAY = dt.timedelta(days=1)


def key() -> str:
    return secrets.token_urlsafe(24)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_pending_follows_the_package_each_order_was_paid_under_and_a_hold_is_kept(session):
    merchant, shop = make_merchant(session, package="growth")  # payout 2 days after payment
    paid_order(session, shop=shop, gross=10_000, paid_at=NOW - 5 * DAY)  # fee 399: free
    paid_order(session, shop=shop, gross=5_000, paid_at=NOW - DAY)  # fee 200: pending one more day
    # Paid under Starter before the shop moved to Growth: pending for 7 days, not 2.
    paid_order(session, shop=shop, gross=2_000, package="starter", paid_at=NOW - 3 * DAY)  # fee 100
    session.commit()

    view = payouts.balance(session, user=merchant, now=NOW)

    assert view.balance_cents == 9_601 + 4_800 + 1_900
    assert view.pending_cents == 4_800 + 1_900
    assert view.held_cents == 1_700  # 10% of 17,000 sold in the last 30 days
    assert view.available_cents == view.balance_cents - 6_700 - 1_700 == 7_901
    assert view.next_release_at == NOW + DAY
    assert view.owed_cents == 0


def test_orders_from_before_packages_wait_like_the_default_package(session):
    merchant, shop = make_merchant(session, package="pro")
    paid_order(session, shop=shop, gross=1_000, package="", paid_at=NOW - 3 * DAY)
    session.commit()
    view = payouts.balance(session, user=merchant, now=NOW)
    # 950 of sales net of the (5%) fee, less the monthly fee Pro charged on this first look.
    assert view.balance_cents == 950 - 1_900
    assert (view.pending_cents, view.available_cents) == (0, 0)


def test_pay_out_moves_what_is_available_once_per_key(session):
    merchant, shop = make_merchant(session, package="growth")
    paid_order(session, shop=shop, gross=10_000, paid_at=NOW - 5 * DAY)
    paid_order(session, shop=shop, gross=5_000, paid_at=NOW - DAY)
    session.commit()
    before = payouts.balance(session, user=merchant, now=NOW)
    session.commit()
    click = key()

    payout = payouts.pay_out(session, user=merchant, key=click, now=NOW)
    again = payouts.pay_out(session, user=merchant, key=click, now=NOW)  # double click

    assert payout.amount_cents == before.available_cents == 14_401 - 4_800 - 1_500
    assert again.id == payout.id
    assert count(session, Payout) == 1
    assert ledger.balance(session, account_code=ledger.merchant_account(shop.id)) == 4_800 + 1_500
    assert ledger.balance(session, account_code=ledger.payout_account(shop.id)) == payout.amount_cents
    after = payouts.balance(session, user=merchant, now=NOW)
    assert (after.available_cents, after.pending_cents, after.held_cents) == (0, 4_800, 1_500)

    # A new click with nothing left: refused, nothing written.
    transactions = count(session, LedgerTransaction)
    with pytest.raises(Conflict) as refused:
        payouts.pay_out(session, user=merchant, key=key(), now=NOW)
    assert refused.value.code == "payout_nothing_available"
    assert count(session, Payout) == 1
    assert count(session, LedgerTransaction) == transactions


def test_pay_out_with_nothing_available_changes_nothing(session):
    merchant, shop = make_merchant(session)
    paid_order(session, shop=shop, gross=3_000, paid_at=NOW - DAY)  # still pending (weekly)
    session.commit()
    transactions = count(session, LedgerTransaction)
    with pytest.raises(Conflict, match="payout_nothing_available"):
        payouts.pay_out(session, user=merchant, key=key(), now=NOW)
    assert count(session, Payout) == 0
    assert count(session, LedgerTransaction) == transactions


def test_a_refund_bigger_than_the_balance_leaves_a_debt_shown_and_no_payout(session):
    merchant, shop = make_merchant(session, package="growth")
    order = paid_order(session, shop=shop, gross=10_000, paid_at=NOW - 40 * DAY)  # no hold left
    session.commit()
    paid = payouts.pay_out(session, user=merchant, key=key(), now=NOW)
    assert paid.amount_cents == 9_601

    refund(session, order, 10_000)  # the whole order, after its money was paid out
    session.commit()
    view = payouts.balance(session, user=merchant, now=NOW)
    assert view.balance_cents == -9_601
    assert view.owed_cents == 9_601
    assert (view.available_cents, view.pending_cents, view.held_cents) == (0, 0, 0)
    with pytest.raises(Conflict) as refused:
        payouts.pay_out(session, user=merchant, key=key(), now=NOW)
    assert refused.value.params == {"owed": 9_601}

    # The debt is taken from the next sales: nothing is available until they cover it.
    paid_order(session, shop=shop, gross=20_000, paid_at=NOW - 3 * DAY)
    session.commit()
    view = payouts.balance(session, user=merchant, now=NOW)
    assert view.balance_cents == -9_601 + 19_202
    assert view.held_cents == 2_000  # 10% of the 30 days' 20,000 (the refunded order is older)
    assert view.available_cents == 19_202 - 9_601 - 2_000


def test_shoppers_and_other_shops_cannot_reach_payouts(session):
    merchant, shop = make_merchant(session, package="growth")
    paid_order(session, shop=shop, gross=10_000, paid_at=NOW - 5 * DAY)
    other_merchant, _ = make_merchant(session)
    shopper = make_user(session)
    session.commit()
    used = key()
    payouts.pay_out(session, user=merchant, key=used, now=NOW)

    for call in (
        lambda: payouts.balance(session, user=shopper, now=NOW),
        lambda: payouts.pay_out(session, user=shopper, key=key(), now=NOW),
        lambda: payouts.list_payouts(session, user=shopper),
        lambda: payouts.balance(session, user=None, now=NOW),
    ):
        with pytest.raises(PermissionDenied, match="merchant_only"):
            call()
    # Another shop replaying this shop's key gets a refusal, not this shop's payout.
    with pytest.raises(ValidationError, match="payout_key_invalid"):
        payouts.pay_out(session, user=other_merchant, key=used, now=NOW)
    assert payouts.list_payouts(session, user=other_merchant).payouts == []


@pytest.mark.parametrize("bad", [None, "", "short", 12345678901234567890, "x" * 65, "a b" * 10, ["k" * 20], "é" * 20])
def test_a_malformed_key_is_refused(session, bad):
    merchant, _ = make_merchant(session)
    session.commit()
    with pytest.raises(ValidationError, match="payout_key_invalid"):
        payouts.pay_out(session, user=merchant, key=bad, now=NOW)
    assert count(session, Payout) == 0


def test_the_payout_list_pages_by_key(session):
    merchant, shop = make_merchant(session, package="growth")
    for n in range(3):
        session.add(Payout(shop_id=shop.id, requested_by_id=merchant.id, amount_cents=100 + n,
                           idempotency_key=key(), created_at=NOW - (3 - n) * DAY))
    session.commit()

    first = payouts.list_payouts(session, user=merchant, limit=2)
    assert [p.amount_cents for p in first.payouts] == [102, 101]
    second = payouts.list_payouts(session, user=merchant, before=first.next_before, limit=2)
    assert [p.amount_cents for p in second.payouts] == [100]
    assert second.next_before == 0
    for bad in ("abc", -1, 1.5, True, {"id": 1}):
        with pytest.raises(ValidationError, match="payout_cursor_invalid"):
            payouts.list_payouts(session, user=merchant, before=bad)
    for bad in (0, 101, "2", True):
        with pytest.raises(ValidationError, match="limit_invalid"):
            payouts.list_payouts(session, user=merchant, limit=bad)


def test_the_monthly_fee_is_posted_once_per_calendar_month(session):
    merchant, shop = make_merchant(session, package="pro")
    session.commit()
    merchant_account = ledger.merchant_account(shop.id)

    payouts.balance(session, user=merchant, now=NOW)
    payouts.balance(session, user=merchant, now=NOW + DAY)
    session.commit()
    assert ledger.balance(session, account_code=merchant_account) == -1_900
    # Moving away and back within the month does not charge it again...
    merchant_fees.choose_package(session, user=merchant, package="growth", now=NOW)
    merchant_fees.choose_package(session, user=merchant, package="pro", now=NOW)
    payouts.balance(session, user=merchant, now=NOW + 2 * DAY)
    session.commit()
    assert ledger.balance(session, account_code=merchant_account) == -1_900
    # ...the next month does.
    payouts.balance(session, user=merchant, now=dt.datetime(2027, 1, 1, 0, 5, tzinfo=dt.UTC))
    session.commit()
    assert ledger.balance(session, account_code=merchant_account) == -3_800
    assert ledger.balance(session, account_code=ledger.platform_fees_account()) == 3_800
    keys = session.exec(
        select(LedgerTransaction.idempotency_key).where(LedgerTransaction.kind == "monthly_fee")
    ).all()
    assert sorted(keys) == [f"monthly_fee:{shop.id}:2026-12", f"monthly_fee:{shop.id}:2027-01"]


def test_no_monthly_fee_on_packages_without_one(session):
    merchant, shop = make_merchant(session, package="starter")
    session.commit()
    payouts.balance(session, user=merchant, now=NOW)
    session.commit()
    assert count(session, LedgerTransaction) == 0


def test_a_payout_after_a_real_checkout_keeps_the_books_balanced(session, monkeypatch):
    install_provider(monkeypatch, SpyProvider())
    merchant, shop = make_merchant(session, package="growth")
    mug = make_product(session, shop=shop, price_cents=4_000, stock=5)
    buyer, method = make_buyer(session)
    session.add(CartItem(user_id=buyer.id, product_id=mug.id, quantity=1))
    session.commit()
    result = checkout.checkout_items(
        session, user=buyer, key=authorized_key(session, buyer), items=[(mug.id, 1)], method_id=method.id,
        shipping=SHIPPING, app="facebook",
    )
    assert result.succeeded
    balance = ledger.balance(session, account_code=ledger.merchant_account(shop.id))

    later = dt.datetime.now(dt.UTC) + 40 * DAY  # past every delay and the hold window
    payout = payouts.pay_out(session, user=merchant, key=key(), now=later)

    assert payout.amount_cents == balance
    assert ledger.balance(session, account_code=ledger.merchant_account(shop.id)) == 0
    assert_books_balance(session)


def test_payouts_show_in_the_merchants_pay_history_with_a_receipt(session):
    from socialshop.services import history
    from socialshop.services.errors import NotFound

    merchant, shop = make_merchant(session, package="growth")
    paid_order(session, shop=shop, gross=10_000, paid_at=NOW - 5 * DAY)
    session.commit()
    payout = payouts.pay_out(session, user=merchant, key=key(), now=NOW)

    page = history.list_history(session, user=merchant)
    assert [(e.id, e.kind, e.direction, e.amount_cents, e.counterparty) for e in page.entries] == [
        (f"payout-{payout.id}", "payout", "in", payout.amount_cents, shop.name)
    ]
    only = history.list_history(session, user=merchant, filters=history.parse_filter(type="payout"))
    assert len(only.entries) == 1
    assert history.list_history(session, user=merchant, filters=history.parse_filter(app="instagram")).entries == []
    assert history.list_history(session, user=merchant, filters=history.parse_filter(status="failed")).entries == []
    assert "payout" in history.export_csv(session, user=merchant)

    receipt = history.get_receipt(session, user=merchant, entry=f"payout-{payout.id}")
    assert (receipt.kind, receipt.total_label, receipt.counterparty) == ("payout", "€86.01", shop.name)  # 96.01 less the 10% reserve
    other_merchant, _ = make_merchant(session)
    for stranger in (other_merchant, make_user(session)):
        with pytest.raises(NotFound):
            history.get_receipt(session, user=stranger, entry=f"payout-{payout.id}")
        assert history.list_history(session, user=stranger).entries == []


@pytest.mark.parametrize("database", ["engine", "pg_engine"])
def test_two_tabs_paying_out_at_once_move_the_money_once(request, database):
    import threading

    from sqlmodel import Session

    engine = request.getfixturevalue(database)
    session = Session(engine, expire_on_commit=False)
    request.addfinalizer(session.close)
    merchant, shop = make_merchant(session, package="growth")
    paid_order(session, shop=shop, gross=10_000, paid_at=NOW - 40 * DAY)
    session.commit()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def tab() -> None:
        with Session(engine, expire_on_commit=False) as own:
            user = own.get(type(merchant), merchant.id)
            barrier.wait()
            try:
                outcomes.append(payouts.pay_out(own, user=user, key=key(), now=NOW).amount_cents)
            except Conflict as refused:
                outcomes.append(refused.code)

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes, key=str) == [9_601, "payout_nothing_available"]
    assert count(session, Payout) == 1
    assert ledger.balance(session, account_code=ledger.merchant_account(shop.id)) == 0
