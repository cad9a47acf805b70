"""money.refunds: merchant and support refunds, full or partial, exactly once, fees pro rata."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, SQLModel, func, select

import socialshop.db
from socialshop import payments
from socialshop.db import make_engine
from socialshop.models import Notification, Order, OrderEvent, Payment, Refund, RefundAttempt, Role
from socialshop.money import reconcile, refunds
from socialshop.payments.base import DeclineCode, PaymentDeclined, ProviderUnavailable
from socialshop.payments.sandbox import SandboxProvider
from socialshop.services import checkout, ledger
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from tests.unit.factories import (
    SHIPPING,
    SpyProvider,
    assert_books_balance,
    authorized_key,
    install_provider,
    make_buyer,
    make_product,
    make_shop,
    make_user,
    stock_of,
)


@pytest.fixture
def spy(monkeypatch):
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


def bought(session, user, method, products):
    key = authorized_key(session, user, app="instagram")
    result = checkout.checkout_items(
        session, user=user, key=key, items=[(p.id, q) for p, q in products], method_id=method.id,
        shipping=SHIPPING, app="instagram",
    )
    assert result.succeeded
    return result


def shop_with_order(session, *, price_cents=2000, quantity=1, package="starter"):
    shop = make_shop(session, fee_package=package)
    owner = session.get(type(make_user(session)), shop.owner_id)
    product = make_product(session, shop=shop, price_cents=price_cents, stock=10)
    buyer, method = make_buyer(session)
    session.commit()
    result = bought(session, buyer, method, [(product, quantity)])
    return owner, shop, buyer, method, session.get(Order, result.order_ids[0])


def fresh(session, order):
    session.refresh(order)
    return order


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_partial_then_rest_gives_the_fee_back_pro_rata(session, spy):
    owner, shop, buyer, method, order = shop_with_order(session, price_cents=2000)
    assert (order.fee_cents, order.fee_package) == (100, "starter")  # 5% of 20.00

    first = refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=1000, reason="one broken")
    assert first.succeeded and first.amount_cents == 1000
    order = fresh(session, order)
    assert (order.status, order.refunded_cents, order.fee_refunded_cents, order.refund_pending_cents) == (
        "partially_refunded", 1000, 50, 0)
    assert ledger.balance(session, account_code=ledger.merchant_account(shop.id)) == 1900 - 950
    assert ledger.balance(session, account_code=ledger.platform_fees_account()) == 50
    assert ledger.balance(session, account_code=ledger.external_method_account(method.id)) == -1000
    payment = session.get(Payment, order.payment_id)
    session.refresh(payment)
    assert (payment.status, payment.refunded_cents) == ("partially_refunded", 1000)
    refund = session.exec(select(Refund)).one()
    assert (refund.amount_cents, refund.idempotency_key, refund.reason) == (1000, f"refund:order:{order.id}:1", "one broken")
    assert spy.refunds[-1] == {"charge_ref": payment.provider_ref, "amount_cents": 1000, "idempotency_key": refund.idempotency_key}
    note = session.exec(select(Notification).where(Notification.user_id == buyer.id, Notification.kind == "refund")).one()
    assert note.link == f"/orders/{order.id}"
    assert_books_balance(session)

    rest = refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents="1000")
    assert rest.succeeded
    order = fresh(session, order)
    assert (order.status, order.refunded_cents, order.fee_refunded_cents) == ("refunded", 2000, 100)
    for code in (ledger.merchant_account(shop.id), ledger.platform_fees_account(), ledger.external_method_account(method.id)):
        assert ledger.balance(session, account_code=code) == 0
    statuses = session.exec(select(OrderEvent.to_status).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)).all()
    assert statuses == ["pending", "paid", "partially_refunded", "refunded"]
    # Nothing is left: any further refund is refused, nothing changes.
    with pytest.raises(Conflict) as info:
        refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=1)
    assert info.value.code == "order_not_refundable"
    assert_books_balance(session)


def test_refund_over_what_is_left_is_refused(session, spy):
    owner, shop, buyer, method, order = shop_with_order(session, price_cents=2000)
    with pytest.raises(Conflict) as info:
        refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=2001)
    assert info.value.code == "refund_exceeds_remaining" and info.value.params == {"remaining": 2000, "currency": "EUR"}
    refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=1500)
    with pytest.raises(Conflict) as info:
        refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=501)
    assert info.value.params["remaining"] == 500
    assert fresh(session, order).refunded_cents == 1500 and len(spy.refunds) == 1
    assert_books_balance(session)


@pytest.mark.parametrize("bad", [0, -1, "0", "-5", "abc", "1.5", 1.5, None, True, [], 10**30])
def test_garbage_amounts_change_nothing(session, spy, bad):
    owner, shop, buyer, method, order = shop_with_order(session)
    with pytest.raises(ValidationError) as info:
        refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=bad)
    assert info.value.code == "refund_amount_invalid"
    assert fresh(session, order).refunded_cents == 0 and count(session, RefundAttempt) == 0 and spy.refunds == []


def test_another_shops_order_and_shoppers_are_refused(session, spy):
    owner, shop, buyer, method, order = shop_with_order(session)
    other_owner, *_ = shop_with_order(session)
    for forged in (order.id, str(order.id), "x", -3, None, 10**25):
        with pytest.raises(NotFound):
            refunds.refund_order(session, actor=other_owner, order_id=forged, amount_cents=100)
    with pytest.raises(PermissionDenied) as info:
        refunds.refund_order(session, actor=buyer, order_id=order.id, amount_cents=100)
    assert info.value.code == "merchant_only"
    # Only support may act as support.
    with pytest.raises(PermissionDenied) as info:
        refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=100, by_support=True)
    assert info.value.code == "support_only"
    assert fresh(session, order).refunded_cents == 0 and spy.refunds == [] and count(session, RefundAttempt) == 0


def test_support_can_refund_any_order(session, spy):
    owner, shop, buyer, method, order = shop_with_order(session)
    agent = make_user(session)
    agent.role = Role.SUPPORT.value
    session.add(agent)
    session.commit()
    result = refunds.refund_order(session, actor=agent, order_id=order.id, amount_cents=700, reason="dispute 4",
                                  by_support=True)
    assert result.succeeded
    attempt = session.exec(select(RefundAttempt)).one()
    assert (attempt.requested_by, attempt.actor_id, attempt.reason) == ("support", agent.id, "dispute 4")
    assert_books_balance(session)


def test_a_decline_releases_the_reservation(session, monkeypatch):
    owner, shop, buyer, method, order = shop_with_order(session)
    install_provider(monkeypatch, SpyProvider(refund_error=PaymentDeclined(DeclineCode.PROCESSING_ERROR)))
    result = refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=2000)
    assert result.status == "failed" and result.failure_code == "processing_error"
    order = fresh(session, order)
    assert (order.status, order.refunded_cents, order.refund_pending_cents) == ("paid", 0, 0)
    assert count(session, Refund) == 0
    assert_books_balance(session)
    install_provider(monkeypatch, SpyProvider())
    assert refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=2000).succeeded
    assert_books_balance(session)


def test_a_lost_answer_stays_pending_and_the_reconciler_finishes_it_exactly_once(session, engine, monkeypatch):
    owner, shop, buyer, method, order = shop_with_order(session)
    install_provider(monkeypatch, SpyProvider(refund_error=ProviderUnavailable("timeout")))
    result = refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=800)
    assert result.pending and result.status == "pending"
    order = fresh(session, order)
    assert (order.status, order.refunded_cents, order.refund_pending_cents) == ("paid", 0, 800)
    # Held: what is left to refund already counts it.
    assert refunds.refundable_cents(order) == 1200
    with pytest.raises(Conflict):
        refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=1201)
    assert_books_balance(session)

    # Still no answer: stays pending, never failed.
    reconcile.reconcile_refunds(engine, after=dt.timedelta(0))
    assert fresh(session, order).refund_pending_cents == 800

    spy = SpyProvider()
    install_provider(monkeypatch, spy)
    # Two reconcilers at once (another worker), then another run: one refund recorded.
    done = []
    threads = [threading.Thread(target=lambda: done.append(reconcile.reconcile_refunds(engine, after=dt.timedelta(0))))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    reconcile.reconcile_refunds(engine, after=dt.timedelta(0))
    order = fresh(session, order)
    assert (order.status, order.refunded_cents, order.refund_pending_cents, order.fee_refunded_cents) == (
        "partially_refunded", 800, 0, 40)
    assert count(session, Refund) == 1
    assert {r["idempotency_key"] for r in spy.refunds} == {f"refund:order:{order.id}:1"}
    assert len(session.exec(select(Notification).where(Notification.kind == "refund")).all()) == 1
    assert_books_balance(session)


def test_a_crash_between_reserve_and_gateway_is_finished_by_the_reconciler(session, engine, spy):
    owner, shop, buyer, method, order = shop_with_order(session)
    # The process died right after committing the plan: nothing was sent.
    attempt_id = refunds.reserve(session, order_id=order.id, amount_cents=500, actor_id=owner.id, requested_by="merchant")
    assert spy.refunds == []
    assert_books_balance(session)
    reconcile.reconcile_refunds(engine, after=dt.timedelta(0))
    assert refunds.result_of(session, attempt_id=attempt_id).succeeded
    assert fresh(session, order).refunded_cents == 500 and len(spy.refunds) == 1
    assert_books_balance(session)


def test_settling_twice_records_once(session, spy):
    owner, shop, buyer, method, order = shop_with_order(session)
    attempt_id = refunds.reserve(session, order_id=order.id, amount_cents=500, actor_id=owner.id, requested_by="merchant")
    assert refunds.settle(session, attempt_id=attempt_id, provider_ref="re_1", source="merchant")
    assert not refunds.settle(session, attempt_id=attempt_id, provider_ref="re_1", source="reconciler")
    assert not refunds.fail(session, attempt_id=attempt_id, code="card_declined", source="reconciler")
    assert fresh(session, order).refunded_cents == 500 and count(session, Refund) == 1
    assert_books_balance(session)


@pytest.mark.parametrize("engine_fixture", ["engine", "pg_engine"])
def test_concurrent_partial_refunds_never_exceed_what_was_paid(request, monkeypatch, engine_fixture):
    db = request.getfixturevalue(engine_fixture)
    install_provider(monkeypatch, SpyProvider())
    with Session(db, expire_on_commit=False) as session:
        owner, shop, buyer, method, order = shop_with_order(session, price_cents=1000)
    n = 6
    barrier = threading.Barrier(n)
    outcomes: list[object] = [None] * n

    def worker(i):
        with Session(db, expire_on_commit=False) as s:
            me = s.get(type(owner), owner.id)
            barrier.wait(timeout=30)
            try:
                outcomes[i] = refunds.refund_order(s, actor=me, order_id=order.id, amount_cents=300).status
            except Conflict as error:
                outcomes[i] = error.code

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["refund_exceeds_remaining"] * 3 + ["succeeded"] * 3  # type: ignore[type-var]
    with Session(db) as session:
        final = session.get(Order, order.id)
        assert (final.refunded_cents, final.refund_pending_cents, final.status) == (900, 0, "partially_refunded")
        keys = sorted(session.exec(select(RefundAttempt.idempotency_key)).all())
        assert keys == [f"refund:order:{order.id}:{i}" for i in (1, 2, 3)]
        assert ledger.check_invariants(session) == []


def test_a_package_change_applies_to_new_orders_only(session, spy):
    owner, shop, buyer, method, order = shop_with_order(session, price_cents=1000, package="growth")
    shop.fee_package = "pro"
    session.add(shop)
    session.commit()
    refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=1000)
    order = fresh(session, order)
    # Fixed under growth when bought (39.9 -> 40), and all of it comes back with a full refund.
    assert (order.fee_package, order.fee_cents, order.fee_refunded_cents) == ("growth", 40, 40)
    assert_books_balance(session)


# ---------------------------------------------------------------- property: the books add up


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    orders_=st.lists(
        st.tuples(
            st.sampled_from(["starter", "growth", "pro"]),
            st.integers(min_value=1, max_value=30_000),
            st.lists(st.integers(min_value=1, max_value=30_000), max_size=4),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_buyer_paid_equals_merchant_net_plus_platform_fee_minus_refunds(monkeypatch, orders_):
    with tempfile.TemporaryDirectory() as tmp, monkeypatch.context() as m:
        db = make_engine(f"sqlite:///{Path(tmp) / 'property.db'}")
        try:
            SQLModel.metadata.create_all(db)
            m.setattr(socialshop.db, "get_engine", lambda: db)
            provider = SandboxProvider(db)
            m.setattr(payments, "get_provider", lambda: provider)
            with Session(db, expire_on_commit=False) as session:
                buyer, method = make_buyer(session)
                paid = refunded = 0
                shop_ids = []
                for package, price, parts in orders_:
                    shop = make_shop(session, fee_package=package)
                    owner = session.get(type(buyer), shop.owner_id)
                    product = make_product(session, shop=shop, price_cents=price, stock=5)
                    session.commit()
                    order = session.get(Order, bought(session, buyer, method, [(product, 1)]).order_ids[0])
                    paid += price
                    shop_ids.append(shop.id)
                    for part in parts:
                        left = price - fresh(session, order).refunded_cents
                        if part > left:
                            with pytest.raises(Conflict):
                                refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=part)
                            continue
                        assert refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=part).succeeded
                        refunded += part
                merchants = sum(ledger.balance(session, account_code=ledger.merchant_account(s)) for s in shop_ids)
                platform = ledger.balance(session, account_code=ledger.platform_fees_account())
                card = -ledger.balance(session, account_code=ledger.external_method_account(method.id))
                # What left the buyer's card, net of refunds, is exactly what the shops and the
                # platform hold: buyer paid = merchant net + platform fee - refunds, to the cent.
                assert card == paid - refunded
                assert merchants + platform == paid - refunded
                for order in session.exec(select(Order)).all():
                    assert 0 <= order.fee_refunded_cents <= order.fee_cents
                    if order.refunded_cents == order.subtotal_cents:
                        assert order.fee_refunded_cents == order.fee_cents
                assert_books_balance(session)
        finally:
            db.dispose()


def test_stock_comes_back_only_for_a_cancellation(session, spy):
    owner, shop, buyer, method, order = shop_with_order(session, quantity=2)
    product_id = session.exec(select(checkout.OrderItem.product_id).where(checkout.OrderItem.order_id == order.id)).one()
    refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=order.subtotal_cents)
    assert stock_of(session, product_id) == 8
    assert fresh(session, order).status == "refunded"


def test_refunds_show_in_the_buyers_pay_history_once_confirmed(session, monkeypatch):
    from socialshop.services import history

    install_provider(monkeypatch, SpyProvider(refund_error=ProviderUnavailable("timeout")))
    owner, shop, buyer, method, order = shop_with_order(session, price_cents=2000)
    refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=500)

    def refund_entries():
        page = history.list_history(session, user=buyer, filters=history.NO_FILTER, language="en")
        return [(e.kind, e.amount_cents) for e in page.entries if e.kind == "refund"]

    # Being confirmed: not yet money back in the history.
    assert refund_entries() == []
    install_provider(monkeypatch, SpyProvider())
    refunds.send(session, attempt_id=session.exec(select(RefundAttempt.id)).one(), source="reconciler")
    refunds.refund_order(session, actor=owner, order_id=order.id, amount_cents=700)
    assert sorted(refund_entries()) == [("refund", 500), ("refund", 700)]
