"""Person-to-person money in Messenger: sending, requesting and paying requests.

Limits: at most MAX_TRANSFER_CENTS per payment and MONTHLY_LIMIT_CENTS sent per rolling
30 days. The monthly check runs inside the claim transaction of the payment (see
money/engine.py) after locking the sender's Pay profile row, and counts transfers still
being charged or confirmed, so parallel transfers from several tabs cannot add up past
the limit; a transfer that fails gives its share back by leaving that count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from socialshop.models import (
    UNRESOLVED_ATTEMPT_STATUSES,
    CheckoutAttempt,
    MoneyRequest,
    MoneyRequestStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    PayProfile,
    User,
    utcnow,
)
from socialshop.money import engine
from socialshop.money.engine import CheckoutResult, closed_attempt_result
from socialshop.services import ledger, notifications
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_id, parse_int

MAX_TRANSFER_CENTS = 100_000
MONTHLY_LIMIT_CENTS = 500_000
MONTHLY_WINDOW = dt.timedelta(days=30)
MAX_NOTE_LENGTH = 255
MAX_OPEN_REQUESTS = 20
CURRENCY = "EUR"


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it."""
    return utcnow()


@dataclass(frozen=True)
class MoneyRequestView:
    id: int
    requester_id: int
    requester_name: str
    payer_id: int
    payer_name: str
    amount_cents: int
    currency: str
    note: str
    status: str
    created_at: dt.datetime


@dataclass(frozen=True)
class RequestLists:
    incoming: list[MoneyRequestView]  # others asking this user for money
    outgoing: list[MoneyRequestView]  # this user asking others


def check_transfer_amount(amount_cents: object) -> int:
    amount = parse_int(amount_cents)
    if amount is None or amount <= 0:
        raise ValidationError("amount_invalid")
    if amount > MAX_TRANSFER_CENTS:
        raise ValidationError("transfer_over_limit", limit=MAX_TRANSFER_CENTS)
    return amount


def _clean_note(note: object) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValidationError("note_invalid")
    note = " ".join(note.split())
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError("note_too_long", max_length=MAX_NOTE_LENGTH)
    return note


def _other_user(session: Session, *, user: User, other_id: object) -> User:
    parsed = parse_id(other_id)
    if parsed is not None and parsed == user.id:
        raise ValidationError("transfer_to_self")
    other = session.get(User, parsed) if parsed is not None else None
    if other is None:
        raise NotFound("user_not_found")
    return other


def _sent_in_window(session: Session, *, user_id: int, exclude_attempt_id: int | None, now: dt.datetime) -> int:
    since = now - MONTHLY_WINDOW
    sent = (
        select(func.coalesce(func.sum(Payment.amount_cents - Payment.refunded_cents), 0))
        .where(
            Payment.payer_id == user_id,
            Payment.kind == PaymentKind.TRANSFER.value,
            Payment.status != PaymentStatus.FAILED.value,
            Payment.created_at >= since,
        )
        .scalar_subquery()
    )
    # Transfers being charged (or confirmed) right now count too, or two tabs could both pass.
    in_flight = (
        select(func.coalesce(func.sum(CheckoutAttempt.amount_cents), 0))
        .where(
            CheckoutAttempt.user_id == user_id,
            CheckoutAttempt.kind == PaymentKind.TRANSFER.value,
            col(CheckoutAttempt.status).in_(UNRESOLVED_ATTEMPT_STATUSES),
            CheckoutAttempt.id != (exclude_attempt_id or 0),
        )
        .scalar_subquery()
    )
    # One statement, so one snapshot: read separately, a transfer finishing in between
    # (processing -> payment) would be missed by both sums.
    return int(session.exec(select(sent + in_flight)).one())


def monthly_remaining(session: Session, *, user: User) -> int:
    """How much the user may still send in the rolling 30 days (for the UI)."""
    used = _sent_in_window(session, user_id=user.id, exclude_attempt_id=None, now=_now())  # type: ignore[arg-type]
    return max(0, MONTHLY_LIMIT_CENTS - used)


def _monthly_guard(user_id: int, attempt_key: object, amount: int):
    def reserve(s: Session) -> None:
        # Serializes one sender's transfers on PostgreSQL (SQLite has one writer anyway).
        s.exec(select(PayProfile.user_id).where(PayProfile.user_id == user_id).with_for_update()).first()
        attempt_id = s.exec(
            select(CheckoutAttempt.id).where(CheckoutAttempt.idempotency_key == attempt_key)
        ).first()
        used = _sent_in_window(s, user_id=user_id, exclude_attempt_id=attempt_id, now=_now())
        remaining = MONTHLY_LIMIT_CENTS - used
        if amount > remaining:
            raise Conflict("transfer_monthly_limit", remaining=max(0, remaining), limit=MONTHLY_LIMIT_CENTS)

    return reserve


TRANSFER = "transfer"


def _link_request(s: Session, plan: dict, paid: engine.Paid) -> None:
    notifications.notify(s, user_id=paid.values["counterparty_user_id"], kind="money_received", link=notifications.entry_link("received", paid.id), params={
        "amount_cents": paid.values["amount_cents"], "currency": paid.values["currency"], "sender": s.get(User, paid.values["payer_id"]).display_name})
    if plan.get("request_id"):
        s.exec(
            update(MoneyRequest)
            .where(col(MoneyRequest.id) == plan["request_id"])
            .values(payment_id=paid.id)
            .execution_options(synchronize_session=False)
        )


def _reopen_request(s: Session, plan: dict) -> None:
    if plan.get("request_id"):
        s.exec(
            update(MoneyRequest)
            .where(
                col(MoneyRequest.id) == plan["request_id"],
                col(MoneyRequest.status) == MoneyRequestStatus.PAID.value,
                col(MoneyRequest.payment_id).is_(None),
            )
            .values(status=MoneyRequestStatus.OPEN.value)
            .execution_options(synchronize_session=False)
        )


engine.register_handler(TRANSFER, engine.credit_handler(after_record=_link_request, release=_reopen_request))


def send_money(
    session: Session,
    *,
    user: User,
    key: object,
    to_user_id: object,
    amount_cents: object,
    method_id: object,
    note: object = "",
    app: object = "messenger",
) -> CheckoutResult:
    """Send money to another person's SocialShop balance. Commits (see checkout.py).

    ValidationError("amount_invalid" | "transfer_over_limit"(limit) | "transfer_to_self"
    | "note_invalid" | "note_too_long"(max_length)), NotFound("user_not_found" |
    "attempt_not_found" | "method_not_found"), Conflict("transfer_monthly_limit",
    remaining=..., limit=...), and the attempt errors of charge_to_account.
    """
    replay = closed_attempt_result(session, user=user, key=key)
    if replay is not None:
        return replay
    amount = check_transfer_amount(amount_cents)
    recipient = _other_user(session, user=user, other_id=to_user_id)
    clean_note = _clean_note(note)
    return engine.charge_to_account(
        session,
        user=user,
        key=key,
        kind=PaymentKind.TRANSFER,
        handler=TRANSFER,
        app=app,
        method_id=method_id,
        amount_cents=amount,
        currency=CURRENCY,
        credit_account=ledger.user_balance_account(recipient.id),  # type: ignore[arg-type]
        description=f"Transfer to {recipient.display_name}",
        payment_fields={
            "counterparty_label": recipient.display_name,
            "counterparty_user_id": recipient.id,
            "note": clean_note,
        },
        reserve=_monthly_guard(user.id, key, amount),  # type: ignore[arg-type]
    )


def request_money(
    session: Session, *, user: User, from_user_id: object, amount_cents: object, note: object = ""
) -> MoneyRequest:
    """Ask another person for money. Does not commit.

    Same amount and recipient errors as send_money, plus
    Conflict("too_many_open_requests", max=20).
    """
    amount = check_transfer_amount(amount_cents)
    payer = _other_user(session, user=user, other_id=from_user_id)
    clean_note = _clean_note(note)
    open_count = session.exec(
        select(func.count()).where(
            MoneyRequest.requester_id == user.id, MoneyRequest.status == MoneyRequestStatus.OPEN.value
        )
    ).one()
    if open_count >= MAX_OPEN_REQUESTS:
        raise Conflict("too_many_open_requests", max=MAX_OPEN_REQUESTS)
    request = MoneyRequest(
        requester_id=user.id,  # type: ignore[arg-type]
        payer_id=payer.id,  # type: ignore[arg-type]
        amount_cents=amount,
        currency=CURRENCY,
        note=clean_note,
        created_at=_now(),
    )
    session.add(request)
    session.flush()
    return request


def _views(session: Session, requests: list[MoneyRequest]) -> list[MoneyRequestView]:
    ids = {r.requester_id for r in requests} | {r.payer_id for r in requests}
    names = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all()) if ids else {}
    return [
        MoneyRequestView(
            id=r.id,  # type: ignore[arg-type]
            requester_id=r.requester_id,
            requester_name=names.get(r.requester_id, ""),
            payer_id=r.payer_id,
            payer_name=names.get(r.payer_id, ""),
            amount_cents=r.amount_cents,
            currency=r.currency,
            note=r.note,
            status=r.status,
            created_at=r.created_at,
        )
        for r in requests
    ]


def list_requests(session: Session, *, user: User, limit: int = 100) -> RequestLists:
    """Requests to and from the user, newest first."""

    def fetch(column) -> list[MoneyRequest]:
        return list(
            session.exec(
                select(MoneyRequest)
                .where(column == user.id)
                .order_by(col(MoneyRequest.created_at).desc(), col(MoneyRequest.id).desc())
                .limit(limit)
                .execution_options(populate_existing=True)
            ).all()
        )

    return RequestLists(
        incoming=_views(session, fetch(col(MoneyRequest.payer_id))),
        outgoing=_views(session, fetch(col(MoneyRequest.requester_id))),
    )


def _request_for(session: Session, *, request_id: object, user_column, user: User) -> MoneyRequest:
    parsed = parse_id(request_id)
    request = None
    if parsed is not None:
        request = session.exec(
            select(MoneyRequest).where(MoneyRequest.id == parsed).execution_options(populate_existing=True)
        ).first()
    if request is None or getattr(request, user_column) != user.id:
        raise NotFound("request_not_found")
    return request


def pay_request(
    session: Session,
    *,
    user: User,
    key: object,
    request_id: object,
    method_id: object,
    app: object = "messenger",
) -> CheckoutResult:
    """The payer pays an open request. Commits (see checkout.py).

    NotFound("request_not_found") unless the user is the payer, Conflict("request_not_open",
    status=...), Conflict("transfer_monthly_limit", ...), and the errors of charge_to_account.
    """
    replay = closed_attempt_result(session, user=user, key=key)
    if replay is not None:
        return replay
    request = _request_for(session, request_id=request_id, user_column="payer_id", user=user)
    if request.status != MoneyRequestStatus.OPEN.value:
        raise Conflict("request_not_open", status=request.status)
    requester = session.get(User, request.requester_id)
    assert requester is not None
    request_pk: int = request.id  # type: ignore[assignment]
    user_id: int = user.id  # type: ignore[assignment]
    monthly = _monthly_guard(user_id, key, request.amount_cents)

    def reserve(s: Session) -> None:
        # Taken now, before the charge, so the requester cannot cancel it (or a second
        # tab pay it) while the card is being charged.
        claimed = s.exec(
            update(MoneyRequest)
            .where(
                col(MoneyRequest.id) == request_pk,
                col(MoneyRequest.payer_id) == user_id,
                col(MoneyRequest.status) == MoneyRequestStatus.OPEN.value,
            )
            .values(status=MoneyRequestStatus.PAID.value)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise Conflict("request_not_open", status=MoneyRequestStatus.PAID.value)
        monthly(s)

    return engine.charge_to_account(
        session,
        user=user,
        key=key,
        kind=PaymentKind.TRANSFER,
        handler=TRANSFER,
        app=app,
        method_id=method_id,
        amount_cents=request.amount_cents,
        currency=request.currency,
        credit_account=ledger.user_balance_account(requester.id),  # type: ignore[arg-type]
        description=f"Payment of request {request_pk} to {requester.display_name}",
        payment_fields={
            "counterparty_label": requester.display_name,
            "counterparty_user_id": requester.id,
            "note": request.note,
        },
        plan={"request_id": request_pk},
        reserve=reserve,
    )


def _close_request(session: Session, *, user: User, request_id: object, user_column: str, to: MoneyRequestStatus) -> MoneyRequest:
    request = _request_for(session, request_id=request_id, user_column=user_column, user=user)
    moved = session.exec(
        update(MoneyRequest)
        .where(col(MoneyRequest.id) == request.id, col(MoneyRequest.status) == MoneyRequestStatus.OPEN.value)
        .values(status=to.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(request)
    if moved != 1:
        raise Conflict("request_not_open", status=request.status)
    return request


def decline_request(session: Session, *, user: User, request_id: object) -> MoneyRequest:
    """The payer says no. NotFound("request_not_found"), Conflict("request_not_open", status=...)."""
    return _close_request(session, user=user, request_id=request_id, user_column="payer_id", to=MoneyRequestStatus.DECLINED)


def cancel_request(session: Session, *, user: User, request_id: object) -> MoneyRequest:
    """The requester withdraws it. NotFound("request_not_found"), Conflict("request_not_open", status=...)."""
    return _close_request(session, user=user, request_id=request_id, user_column="requester_id", to=MoneyRequestStatus.CANCELLED)
