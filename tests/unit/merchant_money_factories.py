"""Builders for the merchant money tests: a merchant with a shop on a package, and paid
orders carrying their fee breakdown and ledger transaction, as checkout records them."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from socialshop.models import Order, OrderItem, Role, Shop, User
from socialshop.money import fees
from socialshop.services import ledger
from tests.unit.factories import make_product, make_shop, make_user

_seq = itertools.count(1)
_PROCESS = uuid.uuid4().hex[:6]  # order numbers unique across xdist workers sharing the e2e database
NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
# The card account the test orders were charged to (the books check is not run on these).
CARD = ledger.external_method_account(999_999)


def make_merchant(session, *, package: str = "starter") -> tuple[User, Shop]:
    owner = make_user(session, with_pin=False)
    owner.role = Role.MERCHANT.value
    session.add(owner)
    shop = make_shop(session, owner=owner)
    shop.fee_package = package
    session.add(shop)
    session.flush()
    return owner, shop


def paid_order(
    session,
    *,
    shop: Shop,
    buyer: User | None = None,
    gross: int = 1000,
    package: str | None = None,
    paid_at: dt.datetime = NOW,
    app: str = "instagram",
    city: str = "Milano",
    needs_shipping: bool = True,
    product=None,
) -> Order:
    buyer = buyer or make_user(session, with_pin=False)
    cost = fees.breakdown(shop.fee_package if package is None else package, gross)
    order = Order(
        number=f"T-{_PROCESS}-{next(_seq):06d}",
        buyer_id=buyer.id,  # type: ignore[arg-type]
        shop_id=shop.id,  # type: ignore[arg-type]
        app=app,
        status="paid",
        subtotal_cents=gross,
        fee_cents=cost.fee_cents,
        fee_flat_cents=cost.flat_cents,
        fee_package=package if package == "" else cost.package,
        needs_shipping=needs_shipping,
        ship_city=city if needs_shipping else "",
        created_at=paid_at,
        paid_at=paid_at,
    )
    session.add(order)
    session.flush()
    product = product or make_product(session, shop=shop, price_cents=gross)
    session.add(OrderItem(order_id=order.id, product_id=product.id, title=product.title,  # type: ignore[arg-type]
                          unit_price_cents=gross, quantity=1))
    ledger.post_transaction(
        session,
        idempotency_key=ledger.order_transaction_key(order.id),  # type: ignore[arg-type]
        kind="purchase",
        legs=[
            (CARD, -gross),
            (ledger.merchant_account(shop.id), gross - cost.fee_cents),  # type: ignore[arg-type]
            (ledger.platform_fees_account(), cost.fee_cents),
        ],
    )
    session.flush()
    return order


def refund(session, order: Order, amount: int) -> None:
    """A merchant refund as the refund code records it: the order's ledger transaction
    reversed pro rata (the fee comes back in proportion), the order's counters updated."""
    back = fees.fee_to_give_back(
        fee_cents=order.fee_cents, gross_cents=order.subtotal_cents, refunded_before_cents=order.refunded_cents,
        refund_cents=amount, fee_refunded_before_cents=order.fee_refunded_cents,
    )
    original = ledger._existing(session, ledger.order_transaction_key(order.id))  # type: ignore[arg-type]
    assert original is not None
    ledger.reverse_transaction(
        session, transaction_id=original.id, amount_cents=amount,  # type: ignore[arg-type]
        idempotency_key=f"{ledger.order_refund_key(order.id)}:{next(_seq)}",  # type: ignore[arg-type]
    )
    order.refunded_cents += amount
    order.fee_refunded_cents += back
    order.status = "refunded" if order.refunded_cents == order.subtotal_cents else "partially_refunded"
    session.add(order)
    session.flush()
