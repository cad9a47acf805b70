"""Refunds of an order, full or partial, by its shop, by support or by the buyer cancelling.

The one refund path. Like a charge (money.engine), it runs in steps, each its own
database transaction, because the gateway call in the middle is outside our database:

1. Reserve: `UPDATE order SET refund_pending_cents = refund_pending_cents + :amount WHERE
   id = :id AND refunded_cents + refund_pending_cents + :amount <= subtotal_cents`, and a
   RefundAttempt row (the plan: amount, key "refund:order:<id>:<n>", who asked, whether it
   cancels the order) in the same transaction. Two refunds at once can never add up to
   more than was paid: the second waits for the first's row lock and then no longer fits.
2. Ask the gateway to refund the original charge with the attempt's key (the gateway
   answers a repeated key with the first refund, never a second one):
   - a decline fails the attempt and gives the reservation back;
   - a lost answer leaves it pending ("refund being confirmed"), never shown as failed.
3. Settle, in one transaction that starts by moving the attempt out of pending (so two
   settlers cannot both record it): the Refund row, a ledger transaction reversing the
   order's pro rata (the shop gives back the amount less its share of the fee, the platform
   gives back that fee share, `money.fees.fee_to_give_back`), the order's and payment's
   refunded amounts and statuses, stock back for a cancellation, the OrderEvent and the
   buyer's notification.

`money.reconcile` retries every pending attempt with its own key, so a crash or a lost
answer anywhere is finished by whichever process gets there first, exactly once.
These functions commit the caller's session step by step: call them with nothing else
pending in it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import case, func, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from socialshop import payments
from socialshop.models import (
    LedgerTransaction,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentStatus,
    Product,
    Refund,
    RefundAttempt,
    RefundAttemptStatus,
    Role,
    User,
    utcnow,
)
from socialshop.money import fees
from socialshop.payments.base import PaymentDeclined, ProviderUnavailable
from socialshop.services import ledger, notifications, shops
from socialshop.services.errors import Conflict, NotFound, PermissionDenied, ValidationError
from socialshop.services.inputs import parse_id, parse_int

log = logging.getLogger(__name__)

MAX_REASON_LENGTH = 255
# Orders whose money can still (partly) go back.
REFUNDABLE_STATUSES = (
    OrderStatus.PAID.value,
    OrderStatus.SHIPPED.value,
    OrderStatus.DELIVERED.value,
    OrderStatus.PARTIALLY_REFUNDED.value,
)
# A pending refund still unsettled after this long has outlived many reconciler runs:
# the books check flags it for a person to look at.
STUCK_AFTER = dt.timedelta(minutes=15)

_ORDER = Order.__table__  # type: ignore[attr-defined]
_ATTEMPT = RefundAttempt.__table__  # type: ignore[attr-defined]
_PAYMENT = Payment.__table__  # type: ignore[attr-defined]
_REFUND = Refund.__table__  # type: ignore[attr-defined]
_PRODUCT = Product.__table__  # type: ignore[attr-defined]
_ITEM = OrderItem.__table__  # type: ignore[attr-defined]


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it."""
    return utcnow()


@dataclass(frozen=True)
class RefundResult:
    """status: "succeeded", "pending" (the gateway's answer is being confirmed) or "failed"
    (the gateway refused; nothing was refunded and the amount can be refunded again)."""

    status: str
    attempt_id: int
    order_id: int
    amount_cents: int
    currency: str
    failure_code: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == RefundAttemptStatus.SUCCEEDED.value

    @property
    def pending(self) -> bool:
        return self.status == RefundAttemptStatus.PENDING.value


def refundable_cents(order: Order) -> int:
    """What is left to refund: paid, less what was refunded and what is being refunded."""
    if order.status not in REFUNDABLE_STATUSES:
        return 0
    return max(order.subtotal_cents - order.refunded_cents - order.refund_pending_cents, 0)


def parse_refund_amount(amount_cents: object) -> int:
    """Whole cents, at least 1. ValidationError("refund_amount_invalid")."""
    value = parse_int(amount_cents)
    if value is None or value <= 0:
        raise ValidationError("refund_amount_invalid")
    return value


def clean_reason(reason: object) -> str:
    """ValidationError("reason_too_long", max_length=255) | ("reason_invalid")."""
    if reason is None:
        return ""
    if not isinstance(reason, str) or any(not ch.isprintable() for ch in reason.strip()):
        raise ValidationError("reason_invalid")
    text = " ".join(reason.split())
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError("reason_too_long", max_length=MAX_REASON_LENGTH)
    return text


def order_for_refund(session: Session, *, actor: User | None, order_id: object, by_support: bool = False) -> Order:
    """The order `actor` may refund, fresh from the database: their own shop's, or any order
    for support. PermissionDenied("merchant_only" | "support_only"), NotFound("order_not_found")
    (garbage ids and other shops' orders alike)."""
    if by_support:
        if actor is None or actor.role != Role.SUPPORT.value:
            raise PermissionDenied("support_only")
        shop_id = None
    else:
        shop_id = shops.require_shop(session, user=actor).id
    parsed = parse_id(order_id)
    order = None
    if parsed is not None:
        order = session.exec(
            select(Order).where(Order.id == parsed).execution_options(populate_existing=True)
        ).first()
    if order is None or (shop_id is not None and order.shop_id != shop_id):
        raise NotFound("order_not_found")
    return order


def refund_order(
    session: Session,
    *,
    actor: User | None,
    order_id: object,
    amount_cents: object,
    reason: object = "",
    by_support: bool = False,
) -> RefundResult:
    """Refund `amount_cents` of an order to the card it was paid with. Commits step by step.

    The shop's owner refunds their own orders; support (role "support", by_support=True)
    any order. Raises (nothing changed): PermissionDenied("merchant_only" | "support_only"),
    NotFound("order_not_found"), ValidationError("refund_amount_invalid" | "reason_invalid" |
    "reason_too_long"), Conflict("order_not_refundable", status=...),
    Conflict("refund_exceeds_remaining", remaining=<cents>, currency=...). A declined or
    pending gateway answer is not an exception: see RefundResult.status.
    """
    order = order_for_refund(session, actor=actor, order_id=order_id, by_support=by_support)
    amount = parse_refund_amount(amount_cents)
    text = clean_reason(reason)
    session.rollback()
    attempt_id = reserve(
        session,
        order_id=order.id,  # type: ignore[arg-type]
        amount_cents=amount,
        actor_id=actor.id if actor is not None else None,
        requested_by="support" if by_support else "merchant",
        reason=text,
    )
    return send(session, attempt_id=attempt_id, source="merchant")


def reserve(
    session: Session,
    *,
    order_id: int,
    amount_cents: int,
    actor_id: int | None,
    requested_by: str,
    reason: str = "",
    cancels_order: bool = False,
) -> int:
    """Step 1: hold the amount on the order and store the attempt. Commits; the attempt's id.

    For the callers above, which checked who may refund; raises the Conflicts of refund_order.
    A cancellation must be of a paid order with nothing refunded yet, for its whole subtotal.
    """
    now = _now()
    conn = session.connection()
    conditions = [
        _ORDER.c.id == order_id,
        _ORDER.c.status.in_(REFUNDABLE_STATUSES),
        _ORDER.c.refunded_cents + _ORDER.c.refund_pending_cents + amount_cents <= _ORDER.c.subtotal_cents,
    ]
    if cancels_order:
        conditions += [
            _ORDER.c.status == OrderStatus.PAID.value,
            _ORDER.c.refunded_cents == 0,
            _ORDER.c.refund_pending_cents == 0,
            _ORDER.c.subtotal_cents == amount_cents,
        ]
    held = conn.execute(
        update(_ORDER)
        .where(*conditions)
        .values(refund_pending_cents=_ORDER.c.refund_pending_cents + amount_cents)
    ).rowcount
    if held != 1:
        session.rollback()
        row = session.connection().execute(
            core_select(_ORDER.c.status, _ORDER.c.subtotal_cents, _ORDER.c.refunded_cents,
                        _ORDER.c.refund_pending_cents, _ORDER.c.currency).where(_ORDER.c.id == order_id)
        ).first()
        session.rollback()
        if row is None:
            raise NotFound("order_not_found")
        status, subtotal, refunded, pending, currency = row
        if status not in REFUNDABLE_STATUSES or (cancels_order and status != OrderStatus.PAID.value):
            raise Conflict("order_not_refundable", status=status)
        raise Conflict("refund_exceeds_remaining", remaining=max(subtotal - refunded - pending, 0), currency=currency)
    order = conn.execute(
        core_select(_ORDER.c.payment_id, _ORDER.c.currency).where(_ORDER.c.id == order_id)
    ).one()
    if order.payment_id is None:
        session.rollback()
        raise Conflict("order_not_refundable", status="unpaid")
    # Counted after the order's row lock is held, so concurrent refunds number in turn.
    number = conn.execute(
        core_select(func.count()).select_from(_ATTEMPT).where(_ATTEMPT.c.order_id == order_id)
    ).scalar_one() + 1
    attempt_id = conn.execute(
        insert(_ATTEMPT).returning(_ATTEMPT.c.id),
        {
            "order_id": order_id,
            "payment_id": order.payment_id,
            "amount_cents": amount_cents,
            "currency": order.currency,
            "idempotency_key": f"{ledger.order_refund_key(order_id)}:{number}",
            "status": RefundAttemptStatus.PENDING.value,
            "cancels_order": cancels_order,
            "actor_id": actor_id,
            "requested_by": requested_by[:16],
            "reason": reason[:MAX_REASON_LENGTH],
            "fee_cents": 0,
            "refund_id": None,
            "failure_code": "",
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    session.commit()
    return attempt_id


def _load(session: Session, attempt_id: int):
    return session.connection().execute(
        core_select(_ATTEMPT, _PAYMENT.c.provider_ref.label("charge_ref"), _PAYMENT.c.method_id)
        .join(_PAYMENT, _PAYMENT.c.id == _ATTEMPT.c.payment_id)
        .where(_ATTEMPT.c.id == attempt_id)
    ).one()


def result_of(session: Session, *, attempt_id: int) -> RefundResult:
    row = _load(session, attempt_id)
    return RefundResult(row.status, row.id, row.order_id, row.amount_cents, row.currency, row.failure_code)


def send(session: Session, *, attempt_id: int, source: str) -> RefundResult:
    """Steps 2 and 3 for a pending attempt (anything else is returned as it is). Commits."""
    session.rollback()
    attempt = _load(session, attempt_id)
    session.rollback()
    if attempt.status != RefundAttemptStatus.PENDING.value:
        return result_of(session, attempt_id=attempt_id)
    try:
        refunded = payments.get_provider().refund(
            charge_ref=attempt.charge_ref, amount_cents=attempt.amount_cents, idempotency_key=attempt.idempotency_key
        )
    except PaymentDeclined as exc:
        fail(session, attempt_id=attempt_id, code=exc.code.value, source=source)
    except ProviderUnavailable as exc:
        log.warning("refund %s: no answer from the gateway (%s); pending", attempt_id, exc)
        _touch(session, attempt_id)
    except Exception:
        # Money may have moved: stays pending, the reconciler asks again with the same key.
        log.exception("refund %s: unexpected error at the gateway; pending", attempt_id)
        _touch(session, attempt_id)
    else:
        settle(session, attempt_id=attempt_id, provider_ref=refunded.provider_ref, source=source)
    return result_of(session, attempt_id=attempt_id)


def _touch(session: Session, attempt_id: int) -> None:
    session.rollback()
    session.connection().execute(
        update(_ATTEMPT)
        .where(_ATTEMPT.c.id == attempt_id, _ATTEMPT.c.status == RefundAttemptStatus.PENDING.value)
        .values(updated_at=_now())
    )
    session.commit()


def fail(session: Session, *, attempt_id: int, code: str, source: str) -> bool:
    """The gateway refused: the attempt fails and the held amount is free again. Commits.
    False when the attempt was no longer pending."""
    session.rollback()
    conn = session.connection()
    moved = conn.execute(
        update(_ATTEMPT)
        .where(_ATTEMPT.c.id == attempt_id, _ATTEMPT.c.status == RefundAttemptStatus.PENDING.value)
        .values(status=RefundAttemptStatus.FAILED.value, failure_code=code[:32], updated_at=_now())
    ).rowcount
    if moved != 1:
        session.rollback()
        return False
    attempt = _load(session, attempt_id)
    conn.execute(
        update(_ORDER)
        .where(_ORDER.c.id == attempt.order_id)
        .values(refund_pending_cents=_ORDER.c.refund_pending_cents - attempt.amount_cents)
    )
    log.warning("refund %s declined by the gateway (%s, via %s)", attempt_id, code, source)
    session.commit()
    return True


def settle(session: Session, *, attempt_id: int, provider_ref: str, source: str) -> bool:
    """Step 3: record a refund the gateway made. Commits. False when someone else settled it."""
    session.rollback()
    now = _now()
    conn = session.connection()
    won = conn.execute(
        update(_ATTEMPT)
        .where(_ATTEMPT.c.id == attempt_id, _ATTEMPT.c.status == RefundAttemptStatus.PENDING.value)
        .values(status=RefundAttemptStatus.SUCCEEDED.value, updated_at=now)
    ).rowcount
    if won != 1:
        session.rollback()
        return False
    attempt = _load(session, attempt_id)
    amount = attempt.amount_cents
    # The order's row lock is held from here on: the fee arithmetic below reads values no
    # concurrent settle of another part can change.
    order = conn.execute(
        update(_ORDER)
        .where(_ORDER.c.id == attempt.order_id)
        .values(
            refund_pending_cents=_ORDER.c.refund_pending_cents - amount,
            refunded_cents=_ORDER.c.refunded_cents + amount,
        )
        .returning(
            _ORDER.c.refunded_cents, _ORDER.c.fee_refunded_cents, _ORDER.c.fee_cents, _ORDER.c.subtotal_cents,
            _ORDER.c.shop_id, _ORDER.c.buyer_id, _ORDER.c.number, _ORDER.c.currency,
        )
    ).one()
    fee_back = fees.fee_to_give_back(
        fee_cents=order.fee_cents,
        gross_cents=order.subtotal_cents,
        refunded_before_cents=order.refunded_cents - amount,
        refund_cents=amount,
        fee_refunded_before_cents=order.fee_refunded_cents,
    )
    conn.execute(
        update(_ORDER)
        .where(_ORDER.c.id == attempt.order_id)
        .values(fee_refunded_cents=_ORDER.c.fee_refunded_cents + fee_back)
    )
    refund_id = conn.execute(
        insert(_REFUND).returning(_REFUND.c.id),
        {
            "payment_id": attempt.payment_id,
            "order_id": attempt.order_id,
            "amount_cents": amount,
            "currency": attempt.currency,
            "provider_ref": (provider_ref or "")[:255],
            "idempotency_key": attempt.idempotency_key,
            "reason": attempt.reason,
            "created_at": now,
        },
    ).scalar_one()
    conn.execute(
        update(_ATTEMPT).where(_ATTEMPT.c.id == attempt_id).values(refund_id=refund_id, fee_cents=fee_back)
    )
    original = session.exec(
        select(LedgerTransaction.id).where(
            LedgerTransaction.idempotency_key == ledger.order_transaction_key(attempt.order_id)
        )
    ).one()
    ledger.post_transaction(
        session,
        idempotency_key=attempt.idempotency_key,
        kind="refund",
        legs=[
            (ledger.external_method_account(attempt.method_id), amount),
            (ledger.merchant_account(order.shop_id), -(amount - fee_back)),
            (ledger.platform_fees_account(), -fee_back),
        ],
        currency=attempt.currency,
        description=f"refund of order {order.number}",
        reverses_id=original,
    )
    # Arithmetic in SQL: sibling orders of one payment may be refunded at the same time.
    new_refunded = _PAYMENT.c.refunded_cents + amount
    conn.execute(
        update(_PAYMENT)
        .where(_PAYMENT.c.id == attempt.payment_id)
        .values(
            refunded_cents=new_refunded,
            status=case(
                (new_refunded >= _PAYMENT.c.amount_cents, PaymentStatus.REFUNDED.value),
                else_=PaymentStatus.PARTIALLY_REFUNDED.value,
            ),
        )
    )
    _move_order(session, attempt=attempt, fully=order.refunded_cents >= order.subtotal_cents, now=now)
    if attempt.cancels_order:
        items = conn.execute(
            core_select(_ITEM.c.product_id, _ITEM.c.quantity)
            .where(_ITEM.c.order_id == attempt.order_id)
            .order_by(_ITEM.c.product_id)
        ).all()
        for product_id, quantity in items:
            conn.execute(
                update(_PRODUCT).where(_PRODUCT.c.id == product_id).values(stock=_PRODUCT.c.stock + quantity)
            )
    kind = "order_cancelled" if attempt.cancels_order and attempt.requested_by != "buyer" else "refund"
    notifications.notify(
        session, user_id=order.buyer_id, kind=kind, link=f"/orders/{attempt.order_id}",
        params={"amount_cents": amount, "currency": attempt.currency, "order": order.number},
    )
    log.info("refund %s of order %s settled via %s", attempt_id, order.number, source)
    session.commit()
    return True


def _move_order(session: Session, *, attempt, fully: bool, now: dt.datetime) -> None:
    from socialshop.services import orders

    current = session.exec(
        select(Order).where(Order.id == attempt.order_id).execution_options(populate_existing=True)
    ).one()
    if attempt.cancels_order:
        target = OrderStatus.CANCELLED.value
    elif fully:
        target = OrderStatus.REFUNDED.value
    else:
        target = OrderStatus.PARTIALLY_REFUNDED.value
    note = attempt.reason or f"refund by {attempt.requested_by}"
    if target == OrderStatus.CANCELLED.value and current.status != OrderStatus.PAID.value:
        # Shipped meanwhile (the desk refuses that, an old tab might not): a full refund.
        target = OrderStatus.REFUNDED.value
    if current.status == target:
        # A further part of a partial refund: the status stays, the history says why.
        session.add(OrderEvent(order_id=current.id, from_status=current.status, to_status=target,  # type: ignore[arg-type]
                               actor_id=attempt.actor_id, note=note[:255], at=now))
        return
    orders.transition(session, order=current, to_status=target, actor_id=attempt.actor_id, note=note[:255], now=now)


# ---------------------------------------------------------------- the reconciler's part


def pending_attempts(session: Session, *, now: dt.datetime, grace: dt.timedelta, limit: int = 100) -> list[int]:
    """Ids of pending refund attempts untouched for `grace`, oldest first."""
    rows = session.connection().execute(
        core_select(_ATTEMPT.c.id)
        .where(_ATTEMPT.c.status == RefundAttemptStatus.PENDING.value, _ATTEMPT.c.updated_at <= now - grace)
        .order_by(_ATTEMPT.c.id)
        .limit(limit)
    ).all()
    return [row[0] for row in rows]


def attempts_of(session: Session, *, order_id: int) -> list[RefundAttempt]:
    """An order's refund attempts, oldest first (for the order pages)."""
    return list(
        session.exec(
            select(RefundAttempt).where(RefundAttempt.order_id == order_id).order_by(col(RefundAttempt.id))
        ).all()
    )
