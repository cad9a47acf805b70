"""Orders after checkout: the status machine, the buyer's history and cancelling.

Status changes go through `transition`, a conditional UPDATE on the current status, so
two people (or two tabs) moving one order at once cannot both succeed, and every change
leaves an OrderEvent behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from socialshop.models import (
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentMethod,
    RefundAttempt,
    RefundAttemptStatus,
    Shop,
    User,
    utcnow,
)
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_id

log = logging.getLogger(__name__)

CANCEL_WINDOW = dt.timedelta(minutes=30)
MAX_NOTE_LENGTH = 255

_S = OrderStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    _S.PENDING.value: frozenset({_S.PAID.value, _S.CANCELLED.value}),
    _S.PAID.value: frozenset({_S.SHIPPED.value, _S.CANCELLED.value, _S.REFUNDED.value, _S.PARTIALLY_REFUNDED.value}),
    _S.SHIPPED.value: frozenset({_S.DELIVERED.value, _S.REFUNDED.value, _S.PARTIALLY_REFUNDED.value}),
    _S.DELIVERED.value: frozenset({_S.REFUNDED.value, _S.PARTIALLY_REFUNDED.value}),
    _S.PARTIALLY_REFUNDED.value: frozenset({_S.REFUNDED.value}),
    _S.CANCELLED.value: frozenset(),
    _S.REFUNDED.value: frozenset(),
}


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it (or pass `now=`)."""
    return utcnow()


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


def transition(
    session: Session,
    *,
    order: Order,
    to_status: object,
    actor_id: int | None,
    note: object = "",
    now: dt.datetime | None = None,
) -> Order:
    """Move `order` to `to_status` and record who did it. Does not commit.

    Conflict("order_transition_invalid", from_status=..., to_status=...) when the move is
    not allowed from the order's current status, including when someone else changed
    that status first. ValidationError("note_too_long", max_length=255).
    """
    target = OrderStatus.parse(to_status) if isinstance(to_status, str) else None
    current = order.status
    if target is None or not can_transition(current, target.value):
        raise Conflict("order_transition_invalid", from_status=current, to_status=str(to_status))
    if note is None:
        note = ""
    if not isinstance(note, str) or len(note.strip()) > MAX_NOTE_LENGTH:
        raise ValidationError("note_too_long", max_length=MAX_NOTE_LENGTH)
    now = now or _now()
    values: dict[str, object] = {"status": target.value}
    if target is OrderStatus.PAID:
        values["paid_at"] = now
    session.flush()
    moved = session.exec(
        update(Order)
        .where(col(Order.id) == order.id, col(Order.status) == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict("order_transition_invalid", from_status=current, to_status=target.value)
    # Tell the ORM this is already in the database, or it would UPDATE it once more.
    for attr, value in values.items():
        set_committed_value(order, attr, value)
    session.add(
        OrderEvent(
            order_id=order.id,  # type: ignore[arg-type]
            from_status=current,
            to_status=target.value,
            actor_id=actor_id,
            note=note.strip(),
            at=now,
        )
    )
    return order


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    shop_name: str
    items: list[OrderItem]
    events: list[OrderEvent]
    method_brand: str
    method_last4: str
    payment_status: str
    # Until when the buyer may still cancel; None when cancelling is no longer possible.
    cancel_until: dt.datetime | None
    # The order's refunds, done and being confirmed (a declined one gave nothing back).
    refunds: list[RefundAttempt] = dataclasses.field(default_factory=list)


def list_orders(session: Session, *, user: User, limit: int = 100) -> list[Order]:
    """The user's orders as a buyer, newest first."""
    limit = limit if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit <= 500 else 100
    return list(
        session.exec(
            select(Order)
            .where(Order.buyer_id == user.id)
            .order_by(col(Order.created_at).desc(), col(Order.id).desc())
            .limit(limit)
        ).all()
    )


def _own_order(session: Session, *, user: User, order_id: object, fresh: bool = False) -> Order:
    parsed = parse_id(order_id)
    order = None
    if parsed is not None:
        stmt = select(Order).where(Order.id == parsed)
        if fresh:
            stmt = stmt.execution_options(populate_existing=True)
        order = session.exec(stmt).first()
    if order is None or order.buyer_id != user.id:
        raise NotFound("order_not_found")
    return order


def cancel_deadline(order: Order) -> dt.datetime | None:
    if order.status != OrderStatus.PAID.value or order.paid_at is None or order.refund_pending_cents or order.refunded_cents:
        return None
    return order.paid_at + CANCEL_WINDOW


def get_order_detail(
    session: Session, *, user: User, order_id: object, now: dt.datetime | None = None
) -> OrderDetail:
    """NotFound("order_not_found") for garbage ids and for other users' orders."""
    order = _own_order(session, user=user, order_id=order_id)
    shop = session.get(Shop, order.shop_id)
    items = session.exec(select(OrderItem).where(OrderItem.order_id == order.id).order_by(col(OrderItem.id))).all()
    events = session.exec(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(col(OrderEvent.at), col(OrderEvent.id))
    ).all()
    payment = session.get(Payment, order.payment_id) if order.payment_id else None
    method = session.get(PaymentMethod, payment.method_id) if payment and payment.method_id else None
    deadline = cancel_deadline(order)
    if deadline is not None and deadline < (now or _now()):
        deadline = None
    refunds = session.exec(
        select(RefundAttempt)
        .where(RefundAttempt.order_id == order.id, RefundAttempt.status != RefundAttemptStatus.FAILED.value)
        .order_by(col(RefundAttempt.id))
    ).all()
    return OrderDetail(
        order=order,
        shop_name=shop.name if shop else "",
        items=list(items),
        events=list(events),
        method_brand=method.brand if method else "",
        method_last4=method.last4 if method else "",
        payment_status=payment.status if payment else "",
        cancel_until=deadline,
        refunds=list(refunds),
    )


@dataclass(frozen=True)
class Cancellation:
    order: Order
    # False when the order was cancelled already (a double click, another tab): nothing
    # was refunded by this call, and the screen must not say a refund was just issued.
    refunded_now: bool
    # The refund was sent but the gateway's answer is still being confirmed: the order
    # becomes cancelled (stock back) as soon as it is; never shown as a failure.
    pending: bool = False


def _pending_cancellation(session: Session, order_id: int) -> RefundAttempt | None:
    return session.exec(
        select(RefundAttempt).where(
            RefundAttempt.order_id == order_id,
            RefundAttempt.cancels_order == True,  # noqa: E712
            RefundAttempt.status == RefundAttemptStatus.PENDING.value,
        )
    ).first()


def cancel_order(
    session: Session, *, user: User, order_id: object, now: dt.datetime | None = None
) -> Cancellation:
    """The buyer cancels a paid order within 30 minutes: full refund, stock back. Commits.

    NotFound("order_not_found"), Conflict("order_not_cancellable", status=...),
    Conflict("cancel_window_passed", minutes=30), Conflict("refund_failed") (the gateway
    refused the refund; nothing changed). Cancelling an already cancelled order returns
    it unchanged (refunded_now=False), so a double click never refunds twice.

    The refund goes through money.refunds, the one refund path: the whole amount is held
    on the order and the plan stored before the gateway is called; a lost answer leaves
    the cancellation pending (Cancellation.pending) and the reconciler finishes it.
    """
    now = now or _now()
    order = _own_order(session, user=user, order_id=order_id, fresh=True)
    if order.status == OrderStatus.CANCELLED.value:
        return Cancellation(order, refunded_now=False)
    if _pending_cancellation(session, order.id) is not None:  # type: ignore[arg-type]
        return Cancellation(order, refunded_now=False, pending=True)
    if order.status != OrderStatus.PAID.value or order.refund_pending_cents or order.refunded_cents:
        raise Conflict("order_not_cancellable", status=order.status)
    deadline = cancel_deadline(order)
    if deadline is None or now > deadline:
        raise Conflict("cancel_window_passed", minutes=int(CANCEL_WINDOW.total_seconds() // 60))
    return _cancel_with_refund(session, order=order, actor_id=user.id, requested_by="buyer",  # type: ignore[arg-type]
                               reason="cancelled by buyer")


def _cancel_with_refund(session: Session, *, order: Order, actor_id: int, requested_by: str, reason: str) -> Cancellation:
    from socialshop.money import refunds

    session.rollback()
    try:
        attempt_id = refunds.reserve(
            session, order_id=order.id, amount_cents=order.subtotal_cents, actor_id=actor_id,  # type: ignore[arg-type]
            requested_by=requested_by, reason=reason, cancels_order=True,
        )
    except Conflict:
        fresh = session.exec(select(Order).where(Order.id == order.id).execution_options(populate_existing=True)).one()
        if fresh.status == OrderStatus.CANCELLED.value:
            return Cancellation(fresh, refunded_now=False)
        if _pending_cancellation(session, fresh.id) is not None:  # type: ignore[arg-type]
            return Cancellation(fresh, refunded_now=False, pending=True)
        raise Conflict("order_not_cancellable", status=fresh.status) from None
    result = refunds.send(session, attempt_id=attempt_id, source=requested_by)
    fresh = session.exec(select(Order).where(Order.id == order.id).execution_options(populate_existing=True)).one()
    if result.status == RefundAttemptStatus.FAILED.value:
        raise Conflict("refund_failed")
    return Cancellation(fresh, refunded_now=result.succeeded, pending=result.pending)
