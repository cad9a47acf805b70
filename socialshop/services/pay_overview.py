"""The Pay hub's overview: default method, Pay per app, this month's spending, the last
payments, and what needs the user's attention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from socialshop.models import (
    AttemptStatus,
    CheckoutAttempt,
    Payment,
    PaymentMethod,
    PaymentStatus,
    User,
    utcnow,
)
from socialshop.models.support import ConversationStatus, SupportConversation
from socialshop.services import pay_apps, pay_pin
from socialshop.services.pay_apps import month_start

RECENT_PAYMENTS = 5


@dataclass(frozen=True)
class AttentionItem:
    """One thing to act on: `kind` names its message (overview.attention.<kind>), `params`
    fill it in, `link` is where to act."""

    kind: str
    link: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MethodSummary:
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    expired: bool


@dataclass(frozen=True)
class Overview:
    default_method: MethodSummary | None
    apps: dict[str, bool]
    # This calendar month's spending per currency: [(currency, cents)], biggest first.
    month_spending: list[tuple[str, int]]
    recent: list[Payment]
    attention: list[AttentionItem]


def card_expired(exp_month: int, exp_year: int, now: dt.datetime) -> bool:
    """A card is good through the last day of its expiry month."""
    return (exp_year, exp_month) < (now.year, now.month)


def _active_methods(session: Session, user: User) -> list[PaymentMethod]:
    return list(
        session.exec(
            select(PaymentMethod)
            .where(PaymentMethod.user_id == user.id, col(PaymentMethod.removed_at).is_(None))
            .order_by(col(PaymentMethod.is_default).desc(), col(PaymentMethod.id))
        ).all()
    )


# ---------------------------------------------------------------- attention items
# Each check returns the items it finds; the overview shows them in this order.


def _expired_cards(session: Session, user: User, now: dt.datetime) -> list[AttentionItem]:
    return [
        AttentionItem("card_expired", "/pay/methods", {"brand": m.brand.capitalize(), "last4": m.last4})
        for m in _active_methods(session, user)
        if card_expired(m.exp_month, m.exp_year, now)
    ]


def _pin_state(session: Session, user: User, now: dt.datetime) -> list[AttentionItem]:
    status = pay_pin.pin_status(session, user=user, now=now)
    if not status.is_set:
        return [AttentionItem("pin_not_set", "/pay/security")]
    if status.locked_until is not None:
        return [AttentionItem("pin_locked", "/pay/security", {"until": status.locked_until})]
    return []


def _confirming_payments(session: Session, user: User, now: dt.datetime) -> list[AttentionItem]:
    count = session.exec(
        select(func.count())
        .select_from(CheckoutAttempt)
        .where(
            CheckoutAttempt.user_id == user.id,
            col(CheckoutAttempt.status).in_(
                (AttemptStatus.CONFIRMING.value, AttemptStatus.PROCESSING.value)
            ),
        )
    ).one()
    return [AttentionItem("payments_confirming", "/pay/history", {"count": int(count)})] if count else []


def _open_support(session: Session, user: User, now: dt.datetime) -> list[AttentionItem]:
    # Only conversations a person looks at: a chat with the assistant alone needs no reminder.
    count = session.exec(
        select(func.count())
        .select_from(SupportConversation)
        .where(
            SupportConversation.user_id == user.id,
            col(SupportConversation.status).in_((ConversationStatus.WAITING.value, ConversationStatus.AGENT.value)),
        )
    ).one()
    return [AttentionItem("support_open", "/pay/support", {"count": int(count)})] if count else []


AttentionCheck = Callable[[Session, User, dt.datetime], list[AttentionItem]]
ATTENTION_CHECKS: tuple[AttentionCheck, ...] = (
    _expired_cards,
    _pin_state,
    _confirming_payments,
    _open_support,
)


def attention_items(session: Session, *, user: User, now: dt.datetime | None = None) -> list[AttentionItem]:
    """Everything that needs the user's attention, most urgent check first."""
    now = now or utcnow()
    return [item for check in ATTENTION_CHECKS for item in check(session, user, now)]


# ---------------------------------------------------------------- the overview


def month_spending(session: Session, *, user: User, now: dt.datetime | None = None) -> list[tuple[str, int]]:
    """What the user paid this calendar month (UTC), less refunds, per currency."""
    rows = session.exec(
        select(Payment.currency, func.sum(Payment.amount_cents - Payment.refunded_cents))
        .where(
            Payment.payer_id == user.id,
            Payment.status != PaymentStatus.FAILED.value,
            col(Payment.created_at) >= month_start(now or utcnow()),
        )
        .group_by(Payment.currency)
    ).all()
    return sorted(((currency, int(total or 0)) for currency, total in rows), key=lambda r: -r[1])


def recent_payments(session: Session, *, user: User, limit: int = RECENT_PAYMENTS) -> list[Payment]:
    return list(
        session.exec(
            select(Payment)
            .where(Payment.payer_id == user.id)
            .order_by(col(Payment.created_at).desc(), col(Payment.id).desc())
            .limit(max(1, min(limit, RECENT_PAYMENTS)))
        ).all()
    )


def overview(session: Session, *, user: User, now: dt.datetime | None = None) -> Overview:
    now = now or utcnow()
    methods = _active_methods(session, user)
    default = next((m for m in methods if m.is_default), methods[0] if methods else None)
    return Overview(
        default_method=None if default is None else MethodSummary(
            brand=default.brand, last4=default.last4, exp_month=default.exp_month, exp_year=default.exp_year,
            expired=card_expired(default.exp_month, default.exp_year, now),
        ),
        apps=pay_apps.list_activation(session, user=user),
        month_spending=month_spending(session, user=user, now=now),
        recent=recent_payments(session, user=user),
        attention=attention_items(session, user=user, now=now),
    )
