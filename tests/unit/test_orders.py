import datetime as dt

import pytest
from sqlmodel import func, select

from socialshop.models import Order, OrderEvent, Payment, Refund, utcnow
from socialshop.payments.base import ProviderUnavailable
from socialshop.services import checkout, ledger, orders
from socialshop.services.errors import Conflict, NotFound, ValidationError
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

ALL = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded", "partially_refunded"]
ALLOWED = {
    ("pending", "paid"), ("pending", "cancelled"),
    ("paid", "shipped"), ("paid", "cancelled"), ("paid", "refunded"), ("paid", "partially_refunded"),
    ("shipped", "delivered"), ("shipped", "refunded"), ("shipped", "partially_refunded"),
    ("delivered", "refunded"), ("delivered", "partially_refunded"),
    ("partially_refunded", "refunded"),
}


@pytest.fixture
def spy(monkeypatch):
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


def bought(session, user, method, products):
    key = authorized_key(session, user)
    result = checkout.checkout_items(
        session, user=user, key=key, items=[(p.id, q) for p, q in products], method_id=method.id, shipping=SHIPPING, app="facebook"
    )
    assert result.succeeded
    return result


def bare_order(session, status):
    buyer = make_user(session)
    shop = make_shop(session)
    order = Order(number=f"T-{status}-{buyer.id}", buyer_id=buyer.id, shop_id=shop.id, app="facebook", status=status, subtotal_cents=100)
    session.add(order)
    session.flush()
    return order


@pytest.mark.parametrize("from_status", ALL)
@pytest.mark.parametrize("to_status", ALL)
def test_transition_matrix(session, from_status, to_status):
    order = bare_order(session, from_status)
    if (from_status, to_status) in ALLOWED:
        orders.transition(session, order=order, to_status=to_status, actor_id=order.buyer_id, note="ok")
        session.commit()
        session.refresh(order)
        assert order.status == to_status
        event = session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).one()
        assert (event.from_status, event.to_status, event.actor_id, event.note) == (from_status, to_status, order.buyer_id, "ok")
    else:
        with pytest.raises(Conflict) as info:
            orders.transition(session, order=order, to_status=to_status, actor_id=None)
        assert info.value.code == "order_transition_invalid"
        assert info.value.params == {"from_status": from_status, "to_status": to_status}
        session.refresh(order)
        assert order.status == from_status
        assert session.exec(select(func.count()).select_from(OrderEvent)).one() == 0


def test_transition_refuses_garbage_and_stale_status(session):
    order = bare_order(session, "paid")
    for bad in ("lost", None, 3, "PAID"):
        with pytest.raises(Conflict):
            orders.transition(session, order=order, to_status=bad, actor_id=None)
    with pytest.raises(ValidationError) as info:
        orders.transition(session, order=order, to_status="shipped", actor_id=None, note="x" * 256)
    assert info.value.code == "note_too_long"
    session.commit()
    # Another tab moved it meanwhile: this copy still says "paid".
    stale = session.get(Order, order.id)
    session.exec(Order.__table__.update().where(Order.__table__.c.id == order.id).values(status="shipped"))
    with pytest.raises(Conflict):
        orders.transition(session, order=stale, to_status="cancelled", actor_id=None)


def test_list_and_detail_only_show_own_orders(session, spy):
    user, method = make_buyer(session)
    other, other_method = make_buyer(session)
    shop = make_shop(session, name="Caffè Aurora")
    product = make_product(session, shop=shop, title="Beans", price_cents=900)
    session.commit()
    first = bought(session, user, method, [(product, 1)])
    second = bought(session, user, method, [(product, 2)])
    theirs = bought(session, other, other_method, [(product, 1)])
    assert [o.id for o in orders.list_orders(session, user=user)] == [second.order_ids[0], first.order_ids[0]]
    detail = orders.get_order_detail(session, user=user, order_id=str(first.order_ids[0]))
    assert detail.shop_name == "Caffè Aurora" and detail.method_last4 == "4242" and detail.method_brand == "visa"
    assert [(i.title, i.quantity, i.unit_price_cents) for i in detail.items] == [("Beans", 1, 900)]
    assert [e.to_status for e in detail.events] == ["pending", "paid"]
    assert detail.cancel_until == detail.order.paid_at + dt.timedelta(minutes=30)
    for bad in (theirs.order_ids[0], "abc", -1, None, 10**30, True):
        with pytest.raises(NotFound) as info:
            orders.get_order_detail(session, user=user, order_id=bad)
        assert info.value.code == "order_not_found"
        with pytest.raises(NotFound):
            orders.cancel_order(session, user=user, order_id=bad)
    assert session.get(Order, theirs.order_ids[0]).status == "paid"


def test_cancel_within_30_minutes_refunds_everything(session, spy):
    user, method = make_buyer(session)
    shop = make_shop(session, fee_package="starter")
    product = make_product(session, shop=shop, price_cents=1999, stock=5)
    session.commit()
    result = bought(session, user, method, [(product, 2)])
    order = session.get(Order, result.order_ids[0])
    now = order.paid_at + dt.timedelta(minutes=29)

    cancellation = orders.cancel_order(session, user=user, order_id=order.id, now=now)
    cancelled = cancellation.order

    assert cancellation.refunded_now
    assert (cancelled.status, cancelled.refunded_cents) == ("cancelled", 3998)
    refund = session.exec(select(Refund)).one()
    assert (refund.payment_id, refund.order_id, refund.amount_cents) == (result.payment_id, order.id, 3998)
    assert refund.idempotency_key == f"refund:order:{order.id}:1"
    assert spy.refunds == [{"charge_ref": session.get(Payment, result.payment_id).provider_ref, "amount_cents": 3998, "idempotency_key": refund.idempotency_key}]
    payment = session.get(Payment, result.payment_id)
    session.refresh(payment)
    assert (payment.status, payment.refunded_cents) == ("refunded", 3998)
    assert stock_of(session, product.id) == 5
    for code in (ledger.merchant_account(shop.id), ledger.platform_fees_account(), ledger.external_method_account(method.id)):
        assert ledger.balance(session, account_code=code) == 0
    events = [e.to_status for e in orders.get_order_detail(session, user=user, order_id=order.id).events]
    assert events == ["pending", "paid", "cancelled"]
    assert_books_balance(session)

    # A double click: the same order back, no second refund.
    again = orders.cancel_order(session, user=user, order_id=order.id, now=now)
    assert again.order.status == "cancelled" and not again.refunded_now
    assert len(spy.refunds) == 1 and session.exec(select(func.count()).select_from(Refund)).one() == 1
    assert_books_balance(session)


def test_cancel_after_30_minutes_is_refused(session, spy, monkeypatch):
    user, method = make_buyer(session)
    product = make_product(session, stock=5)
    session.commit()
    result = bought(session, user, method, [(product, 1)])
    order = session.get(Order, result.order_ids[0])
    with pytest.raises(Conflict) as info:
        orders.cancel_order(session, user=user, order_id=order.id, now=order.paid_at + dt.timedelta(minutes=30, seconds=1))
    assert info.value.code == "cancel_window_passed" and info.value.params == {"minutes": 30}
    # The module clock works too.
    monkeypatch.setattr(orders, "_now", lambda: utcnow() + dt.timedelta(hours=2))
    with pytest.raises(Conflict):
        orders.cancel_order(session, user=user, order_id=order.id)
    assert orders.get_order_detail(session, user=user, order_id=order.id).cancel_until is None
    session.refresh(order)
    assert order.status == "paid" and spy.refunds == [] and stock_of(session, product.id) == 4
    assert_books_balance(session)


def test_only_paid_orders_can_be_cancelled(session, spy):
    user, method = make_buyer(session)
    product = make_product(session)
    session.commit()
    result = bought(session, user, method, [(product, 1)])
    order = session.get(Order, result.order_ids[0])
    orders.transition(session, order=order, to_status="shipped", actor_id=None)
    session.commit()
    with pytest.raises(Conflict) as info:
        orders.cancel_order(session, user=user, order_id=order.id)
    assert info.value.code == "order_not_cancellable" and info.value.params == {"status": "shipped"}
    assert spy.refunds == []


def test_cancelling_one_of_two_shops_orders_partially_refunds_the_payment(session, spy):
    user, method = make_buyer(session)
    a = make_product(session, price_cents=1000)
    b = make_product(session, price_cents=3000)
    session.commit()
    result = bought(session, user, method, [(a, 1), (b, 1)])
    first, second = result.order_ids
    orders.cancel_order(session, user=user, order_id=first)
    payment = session.get(Payment, result.payment_id)
    session.refresh(payment)
    assert (payment.status, payment.refunded_cents) == ("partially_refunded", 1000)
    assert_books_balance(session)
    orders.cancel_order(session, user=user, order_id=second)
    session.refresh(payment)
    assert (payment.status, payment.refunded_cents) == ("refunded", 4000)
    assert_books_balance(session)


def test_a_gateway_outage_leaves_the_cancellation_pending_until_the_reconciler_finishes_it(session, engine, monkeypatch):
    from socialshop.money import reconcile

    user, method = make_buyer(session)
    product = make_product(session, stock=5)
    session.commit()
    result = bought(session, user, method, [(product, 1)])
    install_provider(monkeypatch, SpyProvider(refund_error=ProviderUnavailable("down")))
    cancellation = orders.cancel_order(session, user=user, order_id=result.order_ids[0])
    # Money may have moved: never "failed", never refunded twice by a second click.
    assert cancellation.pending and not cancellation.refunded_now
    assert orders.cancel_order(session, user=user, order_id=result.order_ids[0]).pending
    order = session.get(Order, result.order_ids[0])
    session.refresh(order)
    assert (order.status, order.refunded_cents, order.refund_pending_cents) == ("paid", 0, order.subtotal_cents)
    assert stock_of(session, product.id) == 4 and session.exec(select(func.count()).select_from(Refund)).one() == 0
    assert orders.get_order_detail(session, user=user, order_id=order.id).cancel_until is None
    assert_books_balance(session)

    spy = SpyProvider()
    install_provider(monkeypatch, spy)
    reconcile.reconcile_refunds(engine, after=dt.timedelta(0))
    reconcile.reconcile_refunds(engine, after=dt.timedelta(0))
    session.refresh(order)
    assert (order.status, order.refunded_cents, order.refund_pending_cents) == ("cancelled", order.subtotal_cents, 0)
    assert stock_of(session, product.id) == 5 and len(spy.refunds) == 1
    assert session.exec(select(func.count()).select_from(Refund)).one() == 1
    assert_books_balance(session)
