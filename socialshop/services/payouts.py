"""Payouts: a shop's balance split into available, pending and held, "Pay out now", and the
list of past payouts.

The balance is the shop's ledger account (`merchant:<shop>`): sales net of fees, less
refunds, monthly fees and payouts. Of it,
- *pending* is the money of orders still inside their package's payout delay, counted from
  when the order was paid and under the package it was paid under (Order.fee_package);
- *held* is a refund reserve: HOLD_BPS (10%) of the shop's sales of the last HOLD_DAYS
  days, net of refunds, so a refund after a payout rarely leaves the shop owing money;
- *available* is the rest, and is what "Pay out now" moves.
A refund is honoured whatever the balance; a balance below zero is money the shop owes,
taken from its next sales (nothing is available until then).

A payout is one database transaction: the Payout row and its ledger transaction
(`merchant:<shop>` -> `external:payout:<shop>`). There is no bank gateway in this sandbox:
the bank transfer would be a provider call made after that commit with the payout's key as
its idempotency key (the row is the persisted plan), and a payout whose transfer failed
would be reversed in the ledger. Concurrent payouts of one shop are serialized by a lock
on the shop's row, taken before the balance is read, so two tabs can never both pay out
the same money; the same key (a double click, a retry) always reaches the same payout.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from socialshop.models import Order, Payout, PayoutStatus, Shop, User, utcnow
from socialshop.money import fees
from socialshop.services import ledger, merchant_fees
from socialshop.services.errors import Conflict, ValidationError
from socialshop.services.inputs import parse_id
from socialshop.services.shops import require_shop

HOLD_BPS = 1000
HOLD_DAYS = 30
PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
PAYOUT_KIND = "payout"
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Balance:
    balance_cents: int
    pending_cents: int
    held_cents: int
    available_cents: int
    currency: str
    # When the oldest pending order's money becomes available; None when nothing is pending.
    next_release_at: dt.datetime | None

    @property
    def owed_cents(self) -> int:
        """What the shop owes after refunds larger than its balance (0 when it owes nothing)."""
        return max(-self.balance_cents, 0)


@dataclass(frozen=True)
class PayoutPage:
    payouts: list[Payout]
    # The id to pass as `before` for the next (older) page; 0 when this page is the last.
    next_before: int


def _net():
    """What an order left in the shop's account: sales less refunds, less the fee kept."""
    return (col(Order.subtotal_cents) - col(Order.refunded_cents)) - (
        col(Order.fee_cents) - col(Order.fee_refunded_cents)
    )


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _pending(session: Session, *, shop_id: int, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Money of orders inside their package's payout delay, and when the first of it frees up."""
    total, first_release = 0, None
    for code, chosen in fees.PACKAGES.items():
        if code == fees.DEFAULT_PACKAGE:
            # Orders made before packages ("") count under the default package, as their fee did.
            others = [c for c in fees.PACKAGES if c != code]
            package_filter = col(Order.fee_package).not_in(others)
        else:
            package_filter = Order.fee_package == code
        cents, oldest = session.exec(
            select(func.coalesce(func.sum(_net()), 0), func.min(Order.paid_at)).where(
                Order.shop_id == shop_id,
                package_filter,
                col(Order.paid_at).is_not(None),
                col(Order.paid_at) > now - chosen.payout_delay,
            )
        ).one()
        total += int(cents)
        oldest = _utc(oldest)
        if oldest is not None:
            release = oldest + chosen.payout_delay
            first_release = release if first_release is None else min(first_release, release)
    return total, first_release


def _hold(session: Session, *, shop_id: int, now: dt.datetime) -> int:
    sales = session.exec(
        select(func.coalesce(func.sum(col(Order.subtotal_cents) - col(Order.refunded_cents)), 0)).where(
            Order.shop_id == shop_id,
            col(Order.paid_at).is_not(None),
            col(Order.paid_at) > now - dt.timedelta(days=HOLD_DAYS),
        )
    ).one()
    return max((2 * int(sales) * HOLD_BPS + 10_000) // 20_000, 0)


def _balance_of(session: Session, *, shop_id: int, now: dt.datetime) -> Balance:
    total = ledger.balance(session, account_code=ledger.merchant_account(shop_id))
    pending, first_release = _pending(session, shop_id=shop_id, now=now)
    hold = _hold(session, shop_id=shop_id, now=now)
    # Pending and held are parts of what the shop has: never more than that.
    have = max(total, 0)
    pending = min(max(pending, 0), have)
    held = min(hold, have - pending)
    return Balance(
        balance_cents=total,
        pending_cents=pending,
        held_cents=held,
        available_cents=have - pending - held,
        currency="EUR",
        next_release_at=first_release if pending else None,
    )


def balance(session: Session, *, user: User | None, now: dt.datetime | None = None) -> Balance:
    """The merchant's balance, split. Charges this month's monthly fee first if it is due
    (see merchant_fees), so the caller commits. PermissionDenied("merchant_only")."""
    shop = require_shop(session, user=user)
    now = now or utcnow()
    merchant_fees.post_monthly_fee(session, shop=shop, now=now)
    return _balance_of(session, shop_id=shop.id, now=now)  # type: ignore[arg-type]


def parse_key(raw: object) -> str:
    if not isinstance(raw, str) or not _KEY.fullmatch(raw):
        raise ValidationError("payout_key_invalid")
    return raw


def pay_out(session: Session, *, user: User | None, key: object, now: dt.datetime | None = None) -> Payout:
    """Move everything available to the shop's bank account, once per key. Commits.

    ValidationError("payout_key_invalid"), PermissionDenied("merchant_only"),
    Conflict("payout_nothing_available", owed=...) (nothing has changed then). A key already
    used by this shop returns its payout; a key used by another shop is refused as invalid.
    Call with nothing pending in the session."""
    clean_key = parse_key(key)
    shop_id: int = require_shop(session, user=user).id  # type: ignore[assignment]
    requested_by: int = user.id  # type: ignore[union-attr, assignment]
    # End the read above: on SQLite a transaction that has read cannot take the write lock
    # once another payout has committed; the lock below must be this transaction's start.
    session.commit()
    try:
        # A no-op write on the shop's row: PostgreSQL locks the row until commit, SQLite
        # takes its database write lock. Every payout of the shop queues here, before reading.
        session.exec(update(Shop).where(col(Shop.id) == shop_id).values(fee_package=Shop.fee_package))  # type: ignore[call-overload]
        existing = session.exec(select(Payout).where(Payout.idempotency_key == clean_key)).first()
        if existing is not None:
            session.rollback()
            if existing.shop_id != shop_id:
                raise ValidationError("payout_key_invalid")
            return existing
        now = now or utcnow()
        shop = session.get(Shop, shop_id)
        merchant_fees.post_monthly_fee(session, shop=shop, now=now)  # type: ignore[arg-type]
        current = _balance_of(session, shop_id=shop_id, now=now)
        if current.available_cents <= 0:
            raise Conflict("payout_nothing_available", owed=current.owed_cents)
        payout = Payout(
            shop_id=shop_id,
            requested_by_id=requested_by,
            amount_cents=current.available_cents,
            currency=current.currency,
            status=PayoutStatus.PAID.value,
            idempotency_key=clean_key,
            created_at=now,
        )
        session.add(payout)
        session.flush()
        transaction = ledger.post_transaction(
            session,
            idempotency_key=ledger.payout_transaction_key(payout.id),  # type: ignore[arg-type]
            kind=PAYOUT_KIND,
            legs=[
                (ledger.merchant_account(shop_id), -payout.amount_cents),
                (ledger.payout_account(shop_id), payout.amount_cents),
            ],
            currency=payout.currency,
            description=f"payout {payout.id}",
        )
        payout.ledger_transaction_id = transaction.id
        session.add(payout)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return payout


def list_payouts(
    session: Session, *, user: User | None, before: object = 0, limit: object = PAGE_SIZE
) -> PayoutPage:
    """The shop's payouts, newest first, older than payout id `before` (0: from the newest).
    ValidationError("payout_cursor_invalid" | "limit_invalid"), PermissionDenied("merchant_only")."""
    shop = require_shop(session, user=user)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError("limit_invalid", max=MAX_PAGE_SIZE)
    cursor = None
    if before not in (0, "0", "", None):
        cursor = parse_id(before)
        if cursor is None:
            raise ValidationError("payout_cursor_invalid")
    query = select(Payout).where(Payout.shop_id == shop.id)
    if cursor is not None:
        query = query.where(col(Payout.id) < cursor)
    rows = list(session.exec(query.order_by(col(Payout.id).desc()).limit(limit + 1)).all())
    shown = rows[:limit]
    return PayoutPage(shown, shown[-1].id if len(rows) > limit else 0)  # type: ignore[arg-type]
