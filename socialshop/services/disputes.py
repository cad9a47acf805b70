"""Disputes: a buyer reports a problem with one order; the shop answers within 2 business days,
or the dispute goes to support, who can refund.

Who sees what: the buyer their own disputes; the shop its own, with the buyer as its
pseudonym ("Customer 7F3K") only; support agents every escalated one. Every status change
is a conditional UPDATE on the status it expects, so two tabs (or the escalation job and a
late answer) cannot both move one dispute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from socialshop.models import (
    DISPUTE_REASONS,
    Dispute,
    DisputeStatus,
    Order,
    OrderStatus,
    Shop,
    User,
    utcnow,
)
from socialshop.services import notifications, shop_customers
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import clean_language, parse_id
from socialshop.services.money import format_datetime, format_money
from socialshop.services.shops import require_shop
from socialshop.services.support import require_agent

ANSWER_BUSINESS_DAYS = 2
MAX_TEXT = 2000
PAGE_SIZE = 20
# Orders a buyer can report: paid for and not already given back in full or cancelled.
DISPUTABLE = (
    OrderStatus.PAID.value,
    OrderStatus.SHIPPED.value,
    OrderStatus.DELIVERED.value,
    OrderStatus.PARTIALLY_REFUNDED.value,
)
_S = DisputeStatus
FINISHED = (_S.REFUNDED.value, _S.CLOSED.value)
# The shop's list filters: what a merchant calls each group.
SHOP_FILTERS = {
    "waiting": (_S.OPEN.value,),
    "answered": (_S.ANSWERED.value,),
    "escalated": (_S.ESCALATED.value,),
    "closed": FINISHED,
    "all": tuple(s.value for s in DisputeStatus),
}


def _now() -> dt.datetime:
    """The clock; tests pass `now=` or monkeypatch it."""
    return utcnow()


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days (Monday to Friday) after `start`, at the same time of day. A report
    made on a weekend counts from Monday morning's time, like an office would."""
    at = start
    while at.weekday() >= 5:  # Saturday, Sunday: the clock starts on Monday
        at += dt.timedelta(days=1)
    added = 0
    while added < days:
        at += dt.timedelta(days=1)
        if at.weekday() < 5:
            added += 1
    return at


def _clean_text(raw: object, *, required: bool, code: str) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        raise ValidationError(code, max_length=MAX_TEXT)
    if len(text) > MAX_TEXT:
        raise ValidationError("dispute_text_too_long", max_length=MAX_TEXT)
    if required and not text:
        raise ValidationError(code, max_length=MAX_TEXT)
    return text


@dataclass(frozen=True)
class DisputeView:
    id: int
    order_id: int
    order_number: str
    shop_name: str
    # Who reported it, as the viewer may see them: the shop's pseudonym for a merchant, the
    # name for support, "" for the buyer themselves.
    reporter: str
    amount_label: str
    refunded_label: str
    reason: str
    details: str
    status: str
    due_label: str
    overdue: bool
    answer: str
    answered_label: str
    escalated_by: str
    resolution: str
    created_label: str
    # For support's refund form: what is left of the order to give back, in cents.
    refundable_cents: int


def _view(d: Dispute, order: Order, shop_name: str, reporter: str, lang: str, now: dt.datetime) -> DisputeView:
    money = lambda cents: format_money(cents, order.currency, lang)  # noqa: E731
    return DisputeView(
        id=d.id,  # type: ignore[arg-type]
        order_id=order.id,  # type: ignore[arg-type]
        order_number=order.number,
        shop_name=shop_name,
        reporter=reporter,
        amount_label=money(order.subtotal_cents),
        refunded_label=money(order.refunded_cents),
        reason=d.reason,
        details=d.details,
        status=d.status,
        due_label=format_datetime(d.due_at, lang),
        overdue=d.status == _S.OPEN.value and now > d.due_at,
        answer=d.answer,
        answered_label=format_datetime(d.answered_at, lang) if d.answered_at else "",
        escalated_by=d.escalated_by,
        resolution=d.resolution,
        created_label=format_datetime(d.created_at, lang),
        refundable_cents=max(order.subtotal_cents - order.refunded_cents, 0),
    )


def _buyer_order(session: Session, *, user: User, order_id: object) -> Order:
    parsed = parse_id(order_id)
    order = session.get(Order, parsed) if parsed is not None else None
    if order is None or order.buyer_id != user.id:
        raise NotFound("order_not_found")
    return order


def _shop_owner_id(session: Session, shop_id: int) -> int | None:
    return session.exec(select(Shop.owner_id).where(Shop.id == shop_id)).first()


# ---------------------------------------------------------------- the buyer


@dataclass(frozen=True)
class BuyerCase:
    """What /disputes/<order> shows: the order, and its dispute if one was reported."""

    order_id: int
    order_number: str
    shop_name: str
    amount_label: str
    can_report: bool
    dispute: DisputeView | None


def buyer_case(session: Session, *, user: User, order_id: object, language: object = "en",
               now: dt.datetime | None = None) -> BuyerCase:
    """NotFound("order_not_found") for garbage and other people's orders alike."""
    lang, now = clean_language(language), now or _now()
    order = _buyer_order(session, user=user, order_id=order_id)
    shop_name = session.exec(select(Shop.name).where(Shop.id == order.shop_id)).first() or ""
    dispute = session.exec(
        select(Dispute).where(Dispute.order_id == order.id).execution_options(populate_existing=True)
    ).first()
    return BuyerCase(
        order_id=order.id,  # type: ignore[arg-type]
        order_number=order.number,
        shop_name=shop_name,
        amount_label=format_money(order.subtotal_cents, order.currency, lang),
        can_report=dispute is None and order.status in DISPUTABLE,
        dispute=_view(dispute, order, shop_name, "", lang, now) if dispute else None,
    )


def open_dispute(session: Session, *, user: User, order_id: object, reason: object, details: object,
                 now: dt.datetime | None = None) -> Dispute:
    """The buyer reports a problem with their order; the shop is told. Commits.

    NotFound("order_not_found"), ValidationError("dispute_reason_invalid" |
    "dispute_details_required" | "dispute_text_too_long"), Conflict("dispute_exists")
    (one per order), Conflict("order_not_disputable", status=...) (unpaid, cancelled or
    refunded in full).
    """
    now = now or _now()
    order = _buyer_order(session, user=user, order_id=order_id)
    if not isinstance(reason, str) or reason not in DISPUTE_REASONS:
        raise ValidationError("dispute_reason_invalid")
    text = _clean_text(details, required=True, code="dispute_details_required")
    if session.exec(select(Dispute.id).where(Dispute.order_id == order.id)).first() is not None:
        raise Conflict("dispute_exists")
    if order.status not in DISPUTABLE:
        raise Conflict("order_not_disputable", status=order.status)
    dispute = Dispute(
        order_id=order.id,  # type: ignore[arg-type]
        buyer_id=user.id,  # type: ignore[arg-type]
        shop_id=order.shop_id,
        reason=reason,
        details=text,
        due_at=add_business_days(now, ANSWER_BUSINESS_DAYS),
        created_at=now,
    )
    session.add(dispute)
    try:
        session.flush()
    except Exception:  # the unique order_id: another tab reported it a moment ago
        session.rollback()
        raise Conflict("dispute_exists") from None
    owner_id = _shop_owner_id(session, order.shop_id)
    if owner_id is not None:
        alias = shop_customers.customer_alias(session, shop_id=order.shop_id, user_id=user.id)  # type: ignore[arg-type]
        notifications.notify(session, user_id=owner_id, kind="dispute", link="/merchant/disputes",
                             params={"event": "opened", "order": order.number, "customer": shop_customers.display(alias)})
    session.commit()
    return dispute


def _move(session: Session, dispute: Dispute, expected: tuple[str, ...], **values) -> bool:
    moved = session.exec(
        update(Dispute)
        .where(col(Dispute.id) == dispute.id, col(Dispute.status).in_(expected))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return moved == 1


def _notify_buyer(session: Session, dispute: Dispute, order_number: str, event: str) -> None:
    notifications.notify(session, user_id=dispute.buyer_id, kind="dispute", link=f"/disputes/{dispute.order_id}",
                         params={"event": event, "order": order_number})


def escalate_by_buyer(session: Session, *, user: User, order_id: object, now: dt.datetime | None = None) -> None:
    """The buyer is not satisfied with the shop's answer (or tired of waiting): support takes it.
    Commits. NotFound("dispute_not_found"), Conflict("dispute_not_escalatable", status=...)."""
    now = now or _now()
    order = _buyer_order(session, user=user, order_id=order_id)
    dispute = session.exec(select(Dispute).where(Dispute.order_id == order.id)).first()
    if dispute is None:
        raise NotFound("dispute_not_found")
    if not _move(session, dispute, (_S.OPEN.value, _S.ANSWERED.value),
                 status=_S.ESCALATED.value, escalated_at=now, escalated_by="buyer"):
        session.rollback()
        raise Conflict("dispute_not_escalatable", status=dispute.status)
    session.commit()


def withdraw(session: Session, *, user: User, order_id: object, now: dt.datetime | None = None) -> None:
    """The buyer says the problem is solved. Commits. NotFound, Conflict("dispute_finished")."""
    now = now or _now()
    order = _buyer_order(session, user=user, order_id=order_id)
    dispute = session.exec(select(Dispute).where(Dispute.order_id == order.id)).first()
    if dispute is None:
        raise NotFound("dispute_not_found")
    if not _move(session, dispute, (_S.OPEN.value, _S.ANSWERED.value, _S.ESCALATED.value),
                 status=_S.CLOSED.value, resolution="withdrawn by the buyer", resolved_by_id=user.id, resolved_at=now):
        session.rollback()
        raise Conflict("dispute_finished")
    session.commit()


# ---------------------------------------------------------------- the shop


def _cursor(raw: object) -> tuple[dt.datetime, int] | None:
    if not isinstance(raw, str) or not raw or len(raw) > 64 or "|" not in raw:
        return None
    at, _, ident = raw.partition("|")
    try:
        return dt.datetime.fromisoformat(at), int(ident)
    except ValueError:
        return None


def _cursor_of(d: Dispute) -> str:
    return f"{d.created_at.isoformat()}|{d.id}"


def shop_disputes(session: Session, *, user: User, status: object = "all", after: object = "",
                  language: object = "en", now: dt.datetime | None = None) -> tuple[list[DisputeView], str]:
    """The shop's disputes, newest first, PAGE_SIZE at a time; returns (page, next cursor or "").
    PermissionDenied("merchant_only"), ValidationError("dispute_filter_invalid")."""
    lang, now = clean_language(language), now or _now()
    shop = require_shop(session, user=user)
    escalate_overdue(session, now=now)
    statuses = SHOP_FILTERS.get(status) if isinstance(status, str) else None
    if statuses is None:
        raise ValidationError("dispute_filter_invalid")
    query = select(Dispute, Order).join(Order, col(Order.id) == Dispute.order_id).where(
        Dispute.shop_id == shop.id, col(Dispute.status).in_(statuses)
    )
    cursor = _cursor(after)
    if cursor is not None:
        at, ident = cursor
        query = query.where((col(Dispute.created_at) < at) | ((col(Dispute.created_at) == at) & (col(Dispute.id) < ident)))
    rows = session.exec(query.order_by(col(Dispute.created_at).desc(), col(Dispute.id).desc()).limit(PAGE_SIZE + 1).execution_options(populate_existing=True)).all()
    page = rows[:PAGE_SIZE]
    names = shop_customers.aliases(session, shop_id=shop.id, user_ids=[d.buyer_id for d, _ in page])  # type: ignore[arg-type]
    session.commit()  # aliases made for new buyers
    views = [_view(d, o, shop.name, shop_customers.display(names[d.buyer_id]), lang, now) for d, o in page]
    return views, (_cursor_of(page[-1][0]) if len(rows) > PAGE_SIZE else "")


def answer(session: Session, *, user: User, dispute_id: object, text: object, now: dt.datetime | None = None) -> None:
    """The shop answers the buyer (once; support reads it too). Commits.

    PermissionDenied("merchant_only"), NotFound("dispute_not_found") (also another shop's),
    ValidationError("dispute_answer_required" | "dispute_text_too_long"),
    Conflict("dispute_answer_late") when the 2 business days are over (it went to support).
    """
    now = now or _now()
    shop = require_shop(session, user=user)
    parsed = parse_id(dispute_id)
    dispute = session.get(Dispute, parsed) if parsed is not None else None
    if dispute is None or dispute.shop_id != shop.id:
        raise NotFound("dispute_not_found")
    body = _clean_text(text, required=True, code="dispute_answer_required")
    if dispute.status == _S.OPEN.value and now > dispute.due_at:
        escalate_overdue(session, now=now)
        raise Conflict("dispute_answer_late")
    if not _move(session, dispute, (_S.OPEN.value,), status=_S.ANSWERED.value, answer=body, answered_at=now):
        session.rollback()
        raise Conflict("dispute_not_open", status=dispute.status)
    order_number = session.exec(select(Order.number).where(Order.id == dispute.order_id)).one()
    _notify_buyer(session, dispute, order_number, "answered")
    session.commit()


def escalate_overdue(session: Session, *, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Every open dispute past its answer time goes to support; the buyer is told. Commits.
    Run by every worker's reconcile loop and before the lists that show statuses."""
    now = now or _now()
    overdue = session.exec(
        select(Dispute.id, Dispute.buyer_id, Dispute.order_id, Order.number)
        .join(Order, col(Order.id) == Dispute.order_id)
        .where(Dispute.status == _S.OPEN.value, col(Dispute.due_at) < now)
        .order_by(col(Dispute.due_at))
        .limit(limit)
    ).all()
    moved = 0
    for dispute_id, buyer_id, order_id, number in overdue:
        done = session.exec(
            update(Dispute)
            .where(col(Dispute.id) == dispute_id, col(Dispute.status) == _S.OPEN.value)
            .values(status=_S.ESCALATED.value, escalated_at=now, escalated_by="overdue")
            .execution_options(synchronize_session=False)
        ).rowcount
        if done == 1:
            moved += 1
            notifications.notify(session, user_id=buyer_id, kind="dispute", link=f"/disputes/{order_id}",
                                 params={"event": "escalated", "order": number})
    session.commit()
    return moved


# ---------------------------------------------------------------- support


def support_queue(session: Session, *, agent: User, after: object = "", language: object = "en",
                  now: dt.datetime | None = None) -> tuple[list[DisputeView], str]:
    """Escalated disputes, oldest escalation first is what matters to an agent, but pages are
    newest first like every other list; returns (page, next cursor or ""). PermissionDenied."""
    lang, now = clean_language(language), now or _now()
    require_agent(agent)
    escalate_overdue(session, now=now)
    query = (
        select(Dispute, Order, Shop.name, User.display_name)
        .join(Order, col(Order.id) == Dispute.order_id)
        .join(Shop, col(Shop.id) == Dispute.shop_id)
        .join(User, col(User.id) == Dispute.buyer_id)
        .where(Dispute.status == _S.ESCALATED.value)
    )
    cursor = _cursor(after)
    if cursor is not None:
        at, ident = cursor
        query = query.where((col(Dispute.created_at) < at) | ((col(Dispute.created_at) == at) & (col(Dispute.id) < ident)))
    rows = session.exec(query.order_by(col(Dispute.created_at).desc(), col(Dispute.id).desc()).limit(PAGE_SIZE + 1).execution_options(populate_existing=True)).all()
    page = rows[:PAGE_SIZE]
    views = [_view(d, o, shop_name, buyer_name, lang, now) for d, o, shop_name, buyer_name in page]
    return views, (_cursor_of(page[-1][0]) if len(rows) > PAGE_SIZE else "")


def _escalated(session: Session, dispute_id: object) -> Dispute:
    parsed = parse_id(dispute_id)
    dispute = session.get(Dispute, parsed) if parsed is not None else None
    if dispute is None:
        raise NotFound("dispute_not_found")
    if dispute.status != _S.ESCALATED.value:
        raise Conflict("dispute_not_escalated", status=dispute.status)
    return dispute


def _clean_note(note: object) -> str:
    text = note.strip() if isinstance(note, str) else ""
    if len(text) > MAX_TEXT:
        raise ValidationError("dispute_text_too_long", max_length=MAX_TEXT)
    return text


def close_by_support(session: Session, *, agent: User, dispute_id: object, note: object,
                     now: dt.datetime | None = None) -> None:
    """Support closes an escalated dispute without a refund, saying why. Commits."""
    now = now or _now()
    require_agent(agent)
    dispute = _escalated(session, dispute_id)
    text = _clean_note(note)
    if not text:
        raise ValidationError("dispute_note_required")
    if not _move(session, dispute, (_S.ESCALATED.value,), status=_S.CLOSED.value, resolution=text,
                 resolved_by_id=agent.id, resolved_at=now):
        session.rollback()
        raise Conflict("dispute_not_escalated", status=dispute.status)
    order_number = session.exec(select(Order.number).where(Order.id == dispute.order_id)).one()
    _notify_buyer(session, dispute, order_number, "closed")
    session.commit()


def refund_by_support(session: Session, *, agent: User, dispute_id: object, amount: object, note: object,
                      language: object = "en", now: dt.datetime | None = None) -> None:
    """Support refunds (part of) the disputed order through the one refund path, then closes
    the dispute as refunded. Commits. Raises what money.refunds.refund_order raises, and
    NotFound/Conflict("dispute_not_escalated") as close_by_support."""
    from socialshop.money import refunds
    from socialshop.services.money import parse_amount

    now = now or _now()
    require_agent(agent)
    dispute = _escalated(session, dispute_id)
    text = _clean_note(note)
    order = session.get(Order, dispute.order_id)
    cents = parse_amount(amount, order.currency if order else "EUR", clean_language(language))
    dispute_key, order_number = dispute.id, order.number if order else ""
    session.rollback()
    refunds.refund_order(session, actor=agent, order_id=dispute.order_id, amount_cents=cents,
                         reason=f"dispute {dispute_key}: {text}"[:255], by_support=True)
    fresh = session.get(Dispute, dispute_key)
    if fresh is None or not _move(session, fresh, (_S.ESCALATED.value,), status=_S.REFUNDED.value,
                                  resolution=text, refunded_cents=Dispute.refunded_cents + cents,
                                  resolved_by_id=agent.id, resolved_at=now):
        session.rollback()
        return
    _notify_buyer(session, fresh, order_number, "refunded")
    session.commit()
