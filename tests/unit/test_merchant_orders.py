"""services.merchant_orders: the order desk's rules and every bad input."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlmodel import select

from socialshop.models import Notification, Order, OrderEvent, RefundAttempt, User
from socialshop.payments.base import ProviderUnavailable
from socialshop.services import checkout, merchant_orders, orders, shop_customers
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
    stock_of,
)


@pytest.fixture
def spy(monkeypatch):
    provider = SpyProvider()
    install_provider(monkeypatch, provider)
    return provider


def buy(session, buyer, method, product, quantity=1, app="facebook"):
    key = authorized_key(session, buyer, app=app)
    result = checkout.checkout_items(session, user=buyer, key=key, items=[(product.id, quantity)],
                                     method_id=method.id, shipping=SHIPPING, app=app)
    assert result.succeeded
    return session.get(Order, result.order_ids[0])


@pytest.fixture
def desk(session, spy):
    shop = make_shop(session, name="Bottega", fee_package="starter")
    owner = session.get(User, shop.owner_id)
    product = make_product(session, shop=shop, title="Vase", price_cents=2500, stock=20)
    buyer, method = make_buyer(session, name="Ada Lovelace")
    session.commit()
    return owner, shop, product, buyer, method


def test_lists_only_the_shops_orders_newest_first_with_fees_and_a_pseudonym(session, desk):
    owner, shop, product, buyer, method = desk
    first = buy(session, buyer, method, product, 1)
    second = buy(session, buyer, method, product, 2, app="instagram")
    other_shop_product = make_product(session, price_cents=999)
    session.commit()
    buy(session, buyer, method, other_shop_product)

    page = merchant_orders.list_orders(session, user=owner)
    assert [o.id for o in page.orders] == [second.id, first.id] and page.next_cursor == ""
    view = page.orders[0]
    alias = shop_customers.customer_alias(session, shop_id=shop.id, user_id=buyer.id)
    assert view.customer == f"Customer {alias}"
    # 2 x 25.00 under starter: 5% commission, no flat fee above 8 euros.
    assert (view.gross_cents, view.commission_cents, view.flat_fee_cents, view.net_cents) == (5000, 250, 0, 4750)
    assert (view.app, view.status, view.source, view.fee_package) == ("instagram", "paid", "checkout", "starter")
    assert [(i.title, i.quantity) for i in view.items] == [("Vase", 2)]
    assert (view.ship_line1, view.ship_city, view.ship_postal_code) == ("Via Roma 1", "Milano", "20121")
    assert view.can_ship and view.can_cancel and view.can_refund and view.refundable_cents == 5000
    # Nothing that names the buyer reaches the desk.
    text = repr(dataclasses.asdict(view))
    for private in (buyer.display_name, buyer.email, "Ada", "Lovelace"):
        assert private not in text


def test_small_orders_show_the_flat_fee(session, desk):
    owner, shop, product, buyer, method = desk
    cheap = make_product(session, shop=shop, price_cents=700)
    session.commit()
    buy(session, buyer, method, cheap)
    view = merchant_orders.list_orders(session, user=owner).orders[0]
    assert (view.gross_cents, view.commission_cents, view.flat_fee_cents, view.fee_cents, view.net_cents) == (
        700, 35, 40, 75, 625)


def test_orders_that_do_not_ship_show_no_address(session, desk):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    order.needs_shipping = False
    session.add(order)
    session.commit()
    view = merchant_orders.get_order(session, user=owner, order_id=order.id)
    assert (view.ship_line1, view.ship_city, view.ship_postal_code, view.ship_country) == ("", "", "", "")
    assert not view.can_ship
    with pytest.raises(Conflict) as info:
        merchant_orders.mark_shipped(session, user=owner, order_id=order.id, carrier="brt", tracking_number="AB123456")
    assert info.value.code == "order_not_shippable"


def test_keyset_pages_and_filters(session, desk):
    owner, shop, product, buyer, method = desk
    made = [buy(session, buyer, method, product, app="instagram" if i % 2 else "facebook") for i in range(5)]
    # Same timestamp for two orders: the id breaks the tie, nothing is skipped or repeated.
    made[1].created_at = made[2].created_at
    session.add(made[1])
    session.commit()
    seen, cursor = [], ""
    while True:
        page = merchant_orders.list_orders(session, user=owner, cursor=cursor, limit=2)
        seen += [o.id for o in page.orders]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(o.id for o in made) and len(seen) == 5

    insta = merchant_orders.parse_filters(app="instagram")
    assert {o.app for o in merchant_orders.list_orders(session, user=owner, filters=insta).orders} == {"instagram"}
    merchant_orders.mark_shipped(session, user=owner, order_id=made[0].id, carrier="brt", tracking_number="BRT-0001-X")
    shipped = merchant_orders.parse_filters(status="shipped")
    assert [o.id for o in merchant_orders.list_orders(session, user=owner, filters=shipped).orders] == [made[0].id]
    today = made[0].created_at.date()
    future = merchant_orders.parse_filters(date_from=(today + dt.timedelta(days=1)).isoformat())
    assert merchant_orders.list_orders(session, user=owner, filters=future).orders == []
    day = merchant_orders.parse_filters(date_from=today.isoformat(), date_to=today.isoformat())
    assert len(merchant_orders.list_orders(session, user=owner, filters=day).orders) == 5


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"status": "lost"}, "filter_status_invalid"),
        ({"status": 3}, "filter_status_invalid"),
        ({"app": "myspace"}, "filter_app_invalid"),
        ({"date_from": "2026-13-01"}, "filter_date_invalid"),
        ({"date_to": "yesterday"}, "filter_date_invalid"),
        ({"date_from": "2026-12-03", "date_to": "2026-12-01"}, "filter_dates_reversed"),
    ],
)
def test_bad_filters_are_refused(kwargs, code):
    with pytest.raises(ValidationError) as info:
        merchant_orders.parse_filters(**kwargs)
    assert info.value.code == code


@pytest.mark.parametrize("cursor", ["x", "1.0", "1.-2", "9" * 17 + ".1", 5, ["1.1"], "1.1" * 40])
def test_bad_cursors_are_refused(session, desk, cursor):
    owner, *_ = desk
    with pytest.raises(ValidationError) as info:
        merchant_orders.list_orders(session, user=owner, cursor=cursor)
    assert info.value.code == "cursor_invalid"


def test_ship_with_tracking_number_tells_the_buyer(session, desk):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    view = merchant_orders.mark_shipped(session, user=owner, order_id=str(order.id), carrier="poste_italiane",
                                        tracking_number=" rr 1234 5678 it ")
    assert (view.status, view.carrier, view.tracking_number) == ("shipped", "poste_italiane", "RR12345678IT")
    assert view.shipped_at is not None and not view.can_ship and not view.can_cancel and view.can_refund
    note = session.exec(select(Notification).where(Notification.user_id == buyer.id,
                                                   Notification.kind == "order_shipped")).one()
    assert note.link == f"/orders/{order.id}" and "RR12345678IT" in note.params
    detail = orders.get_order_detail(session, user=buyer, order_id=order.id)
    assert (detail.order.carrier, detail.order.tracking_number) == ("poste_italiane", "RR12345678IT")
    with pytest.raises(Conflict) as info:
        merchant_orders.mark_shipped(session, user=owner, order_id=order.id, carrier="brt", tracking_number="ZZ99999999")
    assert info.value.code == "order_not_shippable"
    assert_books_balance(session)


@pytest.mark.parametrize(
    ("carrier", "tracking", "code"),
    [
        ("", "AB123456", "carrier_invalid"),
        ("pigeon", "AB123456", "carrier_invalid"),
        (None, "AB123456", "carrier_invalid"),
        ("brt", "", "tracking_required"),
        ("brt", None, "tracking_required"),
        ("brt", "abc", "tracking_invalid"),
        ("brt", "<script>alert(1)</script>", "tracking_invalid"),
        ("brt", "A" * 41, "tracking_invalid"),
        ("brt", 12345678, "tracking_invalid"),
    ],
)
def test_bad_shipping_input_changes_nothing(session, desk, carrier, tracking, code):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    with pytest.raises(ValidationError) as info:
        merchant_orders.mark_shipped(session, user=owner, order_id=order.id, carrier=carrier, tracking_number=tracking)
    assert info.value.code == code
    session.refresh(order)
    assert (order.status, order.tracking_number, order.shipped_at) == ("paid", "", None)


def test_cancel_refunds_everything_and_puts_the_stock_back(session, desk, spy):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product, 3)
    assert stock_of(session, product.id) == 17
    cancellation = merchant_orders.cancel_order(session, user=owner, order_id=order.id, reason="out of glaze")
    assert cancellation.refunded_now and cancellation.order.status == "cancelled"
    assert stock_of(session, product.id) == 20 and len(spy.refunds) == 1
    assert session.exec(select(Notification.kind).where(Notification.user_id == buyer.id)).all()[-1] == "order_cancelled"
    again = merchant_orders.cancel_order(session, user=owner, order_id=order.id)
    assert not again.refunded_now and len(spy.refunds) == 1
    assert_books_balance(session)


def test_shipped_orders_cannot_be_cancelled_only_refunded(session, desk):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    merchant_orders.mark_shipped(session, user=owner, order_id=order.id, carrier="gls", tracking_number="GLS123456")
    with pytest.raises(Conflict) as info:
        merchant_orders.cancel_order(session, user=owner, order_id=order.id)
    assert info.value.code == "order_not_cancellable"
    result = merchant_orders.refund(session, user=owner, order_id=order.id, amount="12,50", language="it")
    assert result.succeeded and result.amount_cents == 1250
    view = merchant_orders.get_order(session, user=owner, order_id=order.id)
    assert (view.status, view.refunded_cents, view.refundable_cents, view.tracking_number) == (
        "partially_refunded", 1250, 1250, "GLS123456")
    # Half refunded: the shop keeps half the gross less what is left of the fee (5% of 25.00, half back).
    assert view.net_after_refunds_cents == 1250 - (125 - 63)
    assert_books_balance(session)


@pytest.mark.parametrize(
    ("amount", "code"),
    [("", "amount_required"), ("abc", "amount_not_numeric"), ("0", "amount_not_positive"),
     ("-3", "amount_not_positive"), ("1.234", "amount_too_many_decimals"), (None, "amount_not_numeric"),
     ([1], "amount_not_numeric")],
)
def test_bad_refund_amounts_change_nothing(session, desk, spy, amount, code):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    with pytest.raises(ValidationError) as info:
        merchant_orders.refund(session, user=owner, order_id=order.id, amount=amount)
    assert info.value.code == code
    assert spy.refunds == [] and session.exec(select(RefundAttempt)).all() == []


def test_refund_over_what_is_left_says_how_much_is_left(session, desk):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    merchant_orders.refund(session, user=owner, order_id=order.id, amount="20")
    with pytest.raises(Conflict) as info:
        merchant_orders.refund(session, user=owner, order_id=order.id, amount="5.01")
    assert info.value.code == "refund_exceeds_remaining" and info.value.params["remaining"] == 500


def test_a_pending_cancellation_blocks_shipping(session, desk, monkeypatch):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    install_provider(monkeypatch, SpyProvider(refund_error=ProviderUnavailable("down")))
    assert merchant_orders.cancel_order(session, user=owner, order_id=order.id).pending
    view = merchant_orders.get_order(session, user=owner, order_id=order.id)
    assert view.cancel_pending and not (view.can_ship or view.can_cancel or view.can_refund)
    with pytest.raises(Conflict) as info:
        merchant_orders.mark_shipped(session, user=owner, order_id=order.id, carrier="brt", tracking_number="AB123456")
    assert info.value.code == "order_being_cancelled"
    assert_books_balance(session)


def test_another_shops_order_is_not_found_and_unchanged(session, desk, spy):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    rival = make_shop(session)
    rival_owner = session.get(User, rival.owner_id)
    session.commit()
    for forged in (order.id, str(order.id), "abc", 0, -1, None, 10**30, True):
        with pytest.raises(NotFound):
            merchant_orders.get_order(session, user=rival_owner, order_id=forged)
        with pytest.raises(NotFound):
            merchant_orders.mark_shipped(session, user=rival_owner, order_id=forged, carrier="brt", tracking_number="AB123456")
        with pytest.raises(NotFound):
            merchant_orders.cancel_order(session, user=rival_owner, order_id=forged)
        with pytest.raises(NotFound):
            merchant_orders.refund(session, user=rival_owner, order_id=forged, amount="1")
    assert merchant_orders.list_orders(session, user=rival_owner).orders == []
    session.refresh(order)
    assert (order.status, order.refunded_cents, order.tracking_number) == ("paid", 0, "") and spy.refunds == []
    assert session.exec(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()[-1].to_status == "paid"


def test_shoppers_and_signed_out_callers_are_refused(session, desk, spy):
    owner, shop, product, buyer, method = desk
    order = buy(session, buyer, method, product)
    for caller in (buyer, None):
        with pytest.raises(PermissionDenied):
            merchant_orders.list_orders(session, user=caller)
        with pytest.raises(PermissionDenied):
            merchant_orders.mark_shipped(session, user=caller, order_id=order.id, carrier="brt", tracking_number="AB123456")
        with pytest.raises(PermissionDenied):
            merchant_orders.cancel_order(session, user=caller, order_id=order.id)
        with pytest.raises(PermissionDenied):
            merchant_orders.refund(session, user=caller, order_id=order.id, amount="1")
    session.refresh(order)
    assert order.status == "paid" and spy.refunds == []
