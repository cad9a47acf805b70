"""The one engine every money path goes through: attempts, their plans, the charge, its outcome.

An attempt (CheckoutAttempt) is opened when a pay sheet opens, authorized once with the
PIN or a passkey (unless the payer's policy lets this amount through without), then run in steps, each its own database transaction, because the gateway call in
the middle is outside our database:

1. Claim: `UPDATE checkoutattempt SET status='processing', plan=... WHERE key=... AND
   status='open'`. Exactly one caller wins; every other call with the same key (double
   click, reload, second tab, retry) gets the stored result of the first. In the same
   transaction the winner reserves what is being paid for (stock, a money request, the
   monthly allowance) and stores the whole *plan*: which handler records it, the lines
   with their prices and fees, shipping, the counterparty. From then on any process can
   finish or undo the attempt without the caller's memory.
2. Charge once, with the attempt key as the gateway's idempotency key:
   - a decline fails the attempt and gives back what was reserved ("nothing charged" is
     then true);
   - a lost answer (timeout, dropped connection, crash) moves it to `confirming`: money
     may have moved, so it is never shown as a decline. It keeps its reservations.
3. Record: the Payment, what the plan's handler writes (orders, ledger, counters) and
   the attempt's success, in one transaction that starts by moving the attempt out of
   processing/confirming, so two resolvers (the payer, a reconciler, a webhook) can
   never record one charge twice.

Unresolved attempts are settled by `resolve_attempt` with what the gateway says about
the key (`money.reconcile` asks it, Stripe webhooks tell it): charged -> step 3 exactly as
above; not charged -> failed and released. A charge the gateway made for an attempt we
had already failed is refunded. Every step appends an AttemptEvent.

These functions commit the caller's session step by step: call them with nothing else
pending in it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from socialshop import payments
from socialshop.models import (
    UNRESOLVED_ATTEMPT_STATUSES,
    AppSurface,
    AttemptEvent,
    AttemptStatus,
    CheckoutAttempt,
    Order,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    PayProfile,
    User,
    utcnow,
)
from socialshop.payments.base import Charge, PaymentDeclined, ProviderUnavailable
from socialshop.services import notifications, passkeys
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_app, parse_id
from socialshop.services.pay_apps import enforce_at_claim, require_enabled_value, require_pay_enabled
from socialshop.services.pay_authorization import authorization_required
from socialshop.services.pay_pin import verify_pin
from socialshop.services.payment_methods import check_payable

log = logging.getLogger(__name__)

# The PIN is checked once per attempt (argon2 is slow on purpose); the authorization
# then stays valid this long, enough for a shopper to review the order.
PIN_AUTH_TTL = dt.timedelta(minutes=10)
MAX_KEY_LENGTH = 64
MAX_SUBJECT_LENGTH = 64

# Shown to the payer for an attempt the gateway confirmed it never charged.
NOT_CHARGED = "not_charged"


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it."""
    return utcnow()


@dataclass(frozen=True)
class CheckoutResult:
    """What happened to an attempt; replays of the same key get the same answer.

    status: "succeeded", "failed", "confirming" (charged or not: the gateway's answer was
    lost and is being looked up) or "processing" (open, or being charged right now).
    """

    status: str
    attempt_key: str
    kind: str
    total_cents: int
    currency: str
    payment_id: int | None = None
    order_ids: tuple[int, ...] = ()
    order_numbers: tuple[str, ...] = ()
    failure_code: str = ""
    failure_message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == AttemptStatus.SUCCEEDED.value


# ---------------------------------------------------------------- handlers


@dataclass(frozen=True)
class Handler:
    """How one kind of plan is recorded and undone, from the stored plan alone.

    record(session, attempt, plan, paid) writes what the payment paid for and returns the
    (id, number) of orders it created (`attempt`: the attempt's row as step 3 settled it,
    every column read by attribute as on a CheckoutAttempt, not an ORM object);
    release(session, attempt, plan) gives back what the claim reserved. Both run inside
    the engine's transaction; neither commits.
    """

    record: Callable[[Session, CheckoutAttempt, dict, Paid], list[tuple[int, str]]]
    release: Callable[[Session, CheckoutAttempt, dict], None]


_HANDLERS: dict[str, Handler] = {}


def register_handler(name: str, handler: Handler) -> None:
    """Services register their handler at import; `handlers_loaded` imports them all."""
    _HANDLERS[name] = handler


def handlers_loaded() -> None:
    """Import every service that registers a handler (for processes that only reconcile)."""
    from socialshop.services import checkout, donations, payment_codes, transfers  # noqa: F401


@dataclass(frozen=True)
class Paid:
    """The Payment row step 3 inserted: its id and the values it was inserted with."""

    id: int
    values: dict

    @property
    def method_id(self) -> int | None:
        return self.values["method_id"]

    def as_payment(self) -> Payment:
        return Payment(id=self.id, **self.values)


# ---------------------------------------------------------------- attempts


def parse_subject(subject: object) -> str:
    if subject is None:
        return ""
    if not isinstance(subject, str) or len(subject) > MAX_SUBJECT_LENGTH:
        raise ValidationError("subject_invalid")
    return subject


def open_attempt(
    session: Session, *, user: User, kind: object, app: object, subject: object = ""
) -> CheckoutAttempt:
    """A new attempt with a fresh random key. Does not commit.

    ValidationError("kind_invalid" | "app_invalid" | "subject_invalid"),
    Conflict("pay_disabled_in_app", app=...).
    """
    parsed_kind = PaymentKind.parse(kind) if isinstance(kind, str) else None
    if parsed_kind is None:
        raise ValidationError("kind_invalid")
    clean_subject = parse_subject(subject)
    surface = require_pay_enabled(session, user=user, app=app)
    now = _now()
    attempt = CheckoutAttempt(
        idempotency_key=secrets.token_urlsafe(24),
        user_id=user.id,  # type: ignore[arg-type]
        kind=parsed_kind.value,
        app=surface.value,
        subject=clean_subject,
        created_at=now,
        updated_at=now,
    )
    session.add(attempt)
    session.flush()
    return attempt


def get_attempt(session: Session, *, user: User, key: object) -> CheckoutAttempt:
    """The user's attempt; NotFound("attempt_not_found") for garbage and others' keys."""
    attempt = None
    if isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH:
        attempt = session.exec(
            select(CheckoutAttempt)
            .where(CheckoutAttempt.idempotency_key == key)
            .execution_options(populate_existing=True)
        ).first()
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("attempt_not_found")
    return attempt


def authorize_attempt(
    session: Session, *, user: User, key: object, pin: object, now: dt.datetime | None = None
) -> CheckoutAttempt:
    """Check the PIN for this attempt. Does not commit the authorization itself.

    Raises what get_attempt and verify_pin raise, and Conflict("attempt_not_open",
    status=...) for an attempt that already ran. The PIN counter is committed by
    verify_pin on its own connection, so call this before writing anything else in the
    same transaction (on SQLite a pending write would block that connection).
    """
    attempt = get_attempt(session, user=user, key=key)
    if attempt.status != AttemptStatus.OPEN.value:
        raise Conflict("attempt_not_open", status=attempt.status)
    verify_pin(session, user=user, pin=pin, now=now)
    attempt.pin_verified_at = now or _now()
    attempt.updated_at = attempt.pin_verified_at
    session.add(attempt)
    session.flush()
    return attempt


def _open_attempt_of(session: Session, *, user: User, key: object) -> CheckoutAttempt:
    attempt = get_attempt(session, user=user, key=key)
    if attempt.status != AttemptStatus.OPEN.value:
        raise Conflict("attempt_not_open", status=attempt.status)
    return attempt


def passkey_options(
    session: Session, *, user: User, key: object, origin: object, now: dt.datetime | None = None
) -> str:
    """navigator.credentials.get options whose challenge belongs to this open attempt only.
    Raises what get_attempt and passkeys.assertion_options raise, Conflict("attempt_not_open")."""
    attempt = _open_attempt_of(session, user=user, key=key)
    return passkeys.assertion_options(session, user=user, origin=origin, binding=attempt.idempotency_key, now=now)


def authorize_attempt_with_passkey(
    session: Session, *, user: User, key: object, response: object, now: dt.datetime | None = None
) -> CheckoutAttempt:
    """authorize_attempt with a passkey assertion instead of the PIN: it must answer the
    challenge issued for this very attempt. Raises what get_attempt and
    passkeys.verify_assertion raise, Conflict("attempt_not_open"). Does not commit; call
    it before writing anything else in the same transaction (the challenge is used up on
    its own connection)."""
    attempt = _open_attempt_of(session, user=user, key=key)
    passkeys.verify_assertion(session, user=user, binding=attempt.idempotency_key, response=response, now=now)
    attempt.pin_verified_at = now or _now()
    attempt.updated_at = attempt.pin_verified_at
    session.add(attempt)
    session.flush()
    return attempt


def attempt_result(session: Session, *, user: User, key: object) -> CheckoutResult:
    """The stored outcome of the user's attempt, as answered to every replay of its key.
    NotFound("attempt_not_found")."""
    attempt = get_attempt(session, user=user, key=key)
    return result_for(session, attempt_id=attempt.id)  # type: ignore[arg-type]


def result_for(session: Session, *, attempt_id: int) -> CheckoutResult:
    attempt = session.exec(
        select(CheckoutAttempt)
        .where(CheckoutAttempt.id == attempt_id)
        .execution_options(populate_existing=True)
    ).one()
    orders = session.exec(
        select(Order.id, Order.number).where(Order.checkout_attempt_id == attempt_id).order_by(col(Order.id))
    ).all()
    status = attempt.status
    if status == AttemptStatus.OPEN.value:
        status = AttemptStatus.PROCESSING.value
    return CheckoutResult(
        status=status,
        attempt_key=attempt.idempotency_key,
        kind=attempt.kind,
        total_cents=attempt.amount_cents,
        currency=attempt.currency,
        payment_id=attempt.payment_id,
        order_ids=tuple(order_id for order_id, _ in orders),
        order_numbers=tuple(number for _, number in orders),
        failure_code=attempt.failure_code,
        failure_message=attempt.failure_message,
    )


def closed_attempt_result(session: Session, *, user: User, key: object) -> CheckoutResult | None:
    """The stored result when the attempt already ran (or is running), else None.

    Checked before validating anything else, so a replay gets the first answer even if
    its arguments would no longer pass (the stock is gone, the limit is reached...).
    """
    attempt = get_attempt(session, user=user, key=key)
    if attempt.status == AttemptStatus.OPEN.value:
        return None
    return result_for(session, attempt_id=attempt.id)  # type: ignore[arg-type]


_QUERY = object()


def check_ready(
    session: Session, *, user: User, attempt, kind: PaymentKind, app: object, enabled: object = _QUERY
) -> AppSurface:
    """The attempt (a CheckoutAttempt or a row with its kind and app) may be charged now:
    right kind, Pay on in its app. `enabled`: the user's stored switch for `app` when the
    caller already read it (None: no row), else it is queried. Whether the PIN was given
    is checked by `run`, which knows the amount (the policy may skip small payments).

    Conflict("attempt_kind_mismatch" | "pay_disabled_in_app"), ValidationError("app_invalid")."""
    if attempt.kind != kind.value:
        raise Conflict("attempt_kind_mismatch", expected=attempt.kind)
    if enabled is _QUERY:
        surface = require_pay_enabled(session, user=user, app=app)
    else:
        surface = require_enabled_value(parse_app(app), enabled)  # type: ignore[arg-type]
    if surface.value != attempt.app:
        raise ValidationError("app_invalid")
    return surface


def require_authorized(session: Session, *, attempt_id: int, amount_cents: int, currency: str) -> None:
    """Conflict("pin_required") unless the attempt was confirmed (PIN or passkey) within
    PIN_AUTH_TTL, or the payer's policy lets this amount through without."""
    attempt_t = CheckoutAttempt.__table__  # type: ignore[attr-defined]
    profile_t = PayProfile.__table__  # type: ignore[attr-defined]
    row = session.connection().execute(
        core_select(attempt_t.c.pin_verified_at, profile_t.c.pin_policy, profile_t.c.pin_threshold_cents)
        .select_from(attempt_t.outerjoin(profile_t, profile_t.c.user_id == attempt_t.c.user_id))
        .where(attempt_t.c.id == attempt_id)
    ).first()
    if row is None:
        raise NotFound("attempt_not_found")
    check_authorization(*row, amount_cents=amount_cents, currency=currency)


def check_authorization(
    verified: dt.datetime | None, policy: object, threshold: object, *, amount_cents: int, currency: str
) -> None:
    """require_authorized on values the caller read: the attempt's pin_verified_at and the
    payer's PayProfile pin_policy and pin_threshold_cents (None without a profile)."""
    if verified is not None and verified <= _now() <= verified + PIN_AUTH_TTL:
        return
    if authorization_required(policy, threshold, amount_cents=amount_cents, currency=currency):
        raise Conflict("pin_required")


def method_for_charge(session: Session, *, user: User, method_id: object) -> tuple[PaymentMethod, str]:
    """The card to charge and the gateway customer it belongs to, in one query.

    NotFound("method_not_found"), Conflict("method_unavailable") for a card saved with
    another gateway (e.g. before switching sandbox -> stripe), Conflict("method_expired").
    """
    parsed = parse_id(method_id)
    row = None
    if parsed is not None:
        row = session.exec(
            select(PaymentMethod, PayProfile.provider_customer_ref)
            .outerjoin(PayProfile, col(PayProfile.user_id) == PaymentMethod.user_id)
            .where(
                PaymentMethod.id == parsed,
                PaymentMethod.user_id == user.id,
                col(PaymentMethod.removed_at).is_(None),
            )
        ).first()
    if row is None:
        raise NotFound("method_not_found")
    method, customer_ref = row
    check_method_provider(method.provider)
    check_payable(kind=method.kind, exp_month=method.exp_month, exp_year=method.exp_year)
    return method, customer_ref or ""


def check_method_provider(provider_name: str) -> None:
    if provider_name != payments.get_provider().name:
        raise Conflict("method_unavailable")


# ---------------------------------------------------------------- the engine

_ATTEMPT = CheckoutAttempt.__table__  # type: ignore[attr-defined]
_PAYMENT = Payment.__table__  # type: ignore[attr-defined]
_EVENT = AttemptEvent.__table__  # type: ignore[attr-defined]
_PROFILE = PayProfile.__table__  # type: ignore[attr-defined]
_METHOD = PaymentMethod.__table__  # type: ignore[attr-defined]
# Built once with bind parameters: these run on every payment.
_UPDATE_ATTEMPT = update(_ATTEMPT).where(  # SET: the columns named in the parameters
    _ATTEMPT.c.id == bindparam("b_attempt_id"), _ATTEMPT.c.status == bindparam("b_expected")
)
_SETTLE_ATTEMPT = update(_ATTEMPT).where(
    _ATTEMPT.c.id == bindparam("b_attempt_id"), _ATTEMPT.c.status.in_(UNRESOLVED_ATTEMPT_STATUSES)
)
# Step 3's first statement: settles the attempt only if it is unresolved AND the charge
# is for the planned amount, and hands back the row as it now is (no second SELECT).
_SETTLE_CHARGED = (
    update(_ATTEMPT)
    .where(
        _ATTEMPT.c.id == bindparam("b_attempt_id"),
        _ATTEMPT.c.status.in_(UNRESOLVED_ATTEMPT_STATUSES),
        _ATTEMPT.c.amount_cents == bindparam("b_charged_cents"),
    )
    .returning(*_ATTEMPT.c)
)
_INSERT_PAYMENT = insert(_PAYMENT).returning(_PAYMENT.c.id)
# inline(): no RETURNING of the new id, which nobody reads.
_INSERT_EVENT = insert(_EVENT).inline()

# Test-only fault hook: called with the attempt key between a successful charge and the
# transaction that records it (the crash window the reconciler exists for).
after_charge_hook: Callable[[str], None] | None = None


@dataclass(frozen=True)
class Claim:
    """What the payer's request knows when it claims an attempt (checked beforehand)."""

    attempt_id: int
    key: str
    user_id: int
    kind: PaymentKind
    app: str
    method_id: int
    method_token: str
    customer_ref: str
    amount_cents: int
    currency: str
    description: str
    handler: str
    plan: dict
    # Runs in the claim transaction; may raise a ServiceError (everything rolls back).
    reserve: Callable[[Session], None] = lambda s: None
    # (pin_verified_at, pin_policy, pin_threshold_cents) when the caller already read them
    # in this transaction (see check_authorization); None: run() reads them.
    authorization: tuple | None = None


def _event(session: Session, attempt_id: int, event: str, source: str, detail: str = "") -> None:
    session.connection().execute(
        _INSERT_EVENT,
        {"attempt_id": attempt_id, "event": event, "source": source, "detail": detail[:255], "at": _now()},
    )


def _set_attempt(session: Session, attempt_id: int, expected: AttemptStatus, **values) -> bool:
    values["updated_at"] = _now()
    return (
        session.connection()
        .execute(_UPDATE_ATTEMPT, {"b_attempt_id": attempt_id, "b_expected": expected.value, **values})
        .rowcount
        == 1
    )


def _settle(session: Session, attempt_id: int, **values) -> bool:
    """Move an unresolved attempt to its outcome; False when someone settled it first.

    The first statement of the settling transaction: on PostgreSQL it locks the row, so a
    concurrent settler waits and then finds nothing left to move.
    """
    values["updated_at"] = _now()
    return session.connection().execute(_SETTLE_ATTEMPT, {"b_attempt_id": attempt_id, **values}).rowcount == 1


def run(session: Session, claim: Claim) -> CheckoutResult:
    """Claim, charge and settle one attempt for the payer. Commits step by step.
    Conflict("pin_required") (nothing changed) when the attempt needed the PIN."""
    attempt_id = claim.attempt_id
    if claim.authorization is None:
        require_authorized(session, attempt_id=attempt_id, amount_cents=claim.amount_cents, currency=claim.currency)
    else:
        check_authorization(*claim.authorization, amount_cents=claim.amount_cents, currency=claim.currency)
    if not _set_attempt(
        session,
        attempt_id,
        AttemptStatus.OPEN,
        status=AttemptStatus.PROCESSING.value,
        amount_cents=claim.amount_cents,
        currency=claim.currency,
        method_id=claim.method_id,
        provider=payments.get_provider().name,
        plan=json.dumps({"handler": claim.handler, **claim.plan}, separators=(",", ":")),
        claimed_at=_now(),
    ):
        session.rollback()
        return result_for(session, attempt_id=attempt_id)
    try:
        # The app's switch and monthly limit, counted with this claim in one transaction.
        enforce_at_claim(
            session, user_id=claim.user_id, app=claim.app, amount_cents=claim.amount_cents,
            currency=claim.currency, attempt_id=attempt_id, now=_now(),
        )
        claim.reserve(session)
        _event(session, attempt_id, "claimed", "payer")
    except BaseException:
        session.rollback()
        raise
    session.commit()

    provider = payments.get_provider()
    try:
        charge = provider.charge(
            customer_ref=claim.customer_ref,
            card_token=claim.method_token,
            amount_cents=claim.amount_cents,
            currency=claim.currency,
            idempotency_key=claim.key,
            description=claim.description,
        )
    except PaymentDeclined as exc:
        _fail(session, attempt_id, code=exc.code.value, message=exc.message, source="payer")
        return result_for(session, attempt_id=attempt_id)
    except ProviderUnavailable as exc:
        log.warning("attempt %s: no answer from the gateway (%s); confirming", attempt_id, exc)
        mark_confirming(session, attempt_id, detail=str(exc))
        return result_for(session, attempt_id=attempt_id)
    except BaseException as exc:
        log.exception("attempt %s: unexpected error while charging; confirming", attempt_id)
        mark_confirming(session, attempt_id, detail=f"{type(exc).__name__}: {exc}")
        raise
    if after_charge_hook is not None:
        after_charge_hook(claim.key)
    try:
        recorded = _record(session, attempt_id, charge, source="payer")
    except BaseException:
        session.rollback()
        log.exception("attempt %s: charged but could not record it; refunding", attempt_id)
        _refund_unrecorded(session, attempt_id, charge, key=claim.key)
        raise
    if recorded is None:
        # Settled by someone else while we were at the gateway. If they failed it (the
        # gateway found nothing then), this charge arrived late: the payer gets it back.
        late = _load(session, attempt_id)
        if late.status == AttemptStatus.FAILED.value:
            _refund_late_charge(session, late, charge, source="payer")
        return result_for(session, attempt_id=attempt_id)
    return recorded


def _refund_unrecorded(session: Session, attempt_id: int, charge: Charge, *, key: str) -> None:
    """Step 3 failed after a successful charge: give the money back now. If even that
    fails, the attempt stays unresolved and the reconciler records the charge later."""
    try:
        payments.get_provider().refund(
            charge_ref=charge.provider_ref, amount_cents=charge.amount_cents, idempotency_key=f"refund:attempt:{key}"
        )
    except BaseException:
        log.exception("attempt %s: refund after failed recording failed too", attempt_id)
        mark_confirming(session, attempt_id, detail="charged; recording and refund failed")
        return
    _fail(
        session,
        attempt_id,
        code="processing_error",
        message="The payment was refunded after an error.",
        source="payer",
        event="refunded_unrecorded",
    )


def _load(session: Session, attempt_id: int) -> CheckoutAttempt:
    return session.exec(
        select(CheckoutAttempt).where(CheckoutAttempt.id == attempt_id).execution_options(populate_existing=True)
    ).one()


def _handler_of(attempt: CheckoutAttempt) -> tuple[Handler, dict]:
    plan = json.loads(attempt.plan) if attempt.plan else {}
    handler = _HANDLERS.get(plan.get("handler", ""))
    if handler is None:
        handlers_loaded()
        handler = _HANDLERS.get(plan.get("handler", ""))
    if handler is None:
        raise RuntimeError(f"attempt {attempt.id} has no plan this process can settle")
    return handler, plan


def _record(session: Session, attempt_id: int, charge: Charge, *, source: str) -> CheckoutResult | None:
    """Step 3: record a charge the gateway made, in one transaction. Returns the attempt's
    result (as result_for would read it back), or None when the attempt was settled
    already or the charge is not for the planned amount (left unresolved)."""
    row = session.connection().execute(
        _SETTLE_CHARGED,
        {
            "b_attempt_id": attempt_id,
            "b_charged_cents": charge.amount_cents,
            "status": AttemptStatus.SUCCEEDED.value,
            "charge_ref": charge.provider_ref[:255],
            "resolved_by": source,
            "updated_at": _now(),
        },
    ).first()
    if row is None:
        session.rollback()
        planned = _load(session, attempt_id).amount_cents
        if charge.amount_cents != planned:
            # Never book an amount we did not plan; left unresolved, the books check flags it.
            log.error(
                "attempt %s: the gateway reports %s charged, the plan says %s; not recorded",
                attempt_id, charge.amount_cents, planned,
            )
        return None
    # The row as the UPDATE left it, every column, read by attribute like a
    # CheckoutAttempt (building the ORM object cost more than the statement). A stale
    # copy in the caller's identity map is refreshed by result_for and get_attempt,
    # which populate_existing.
    attempt: CheckoutAttempt = row  # type: ignore[assignment]
    try:
        handler, plan = _handler_of(attempt)
    except BaseException:
        session.rollback()
        raise
    values = {
        "payer_id": attempt.user_id,
        "kind": attempt.kind,
        "app": attempt.app,
        "status": PaymentStatus.SUCCEEDED.value,
        "amount_cents": attempt.amount_cents,
        "currency": attempt.currency,
        "method_id": attempt.method_id,
        "provider": attempt.provider,
        "provider_ref": charge.provider_ref,
        "idempotency_key": attempt.idempotency_key,
        "created_at": _now(),
        **plan.get("payment_fields", {}),
    }
    paid = Paid(id=session.connection().execute(_INSERT_PAYMENT, values).scalar_one(), values=values)
    orders = handler.record(session, attempt, plan, paid)
    notifications.notify(session, user_id=attempt.user_id, kind="payment", link=notifications.entry_link("payment", paid.id),
                         params={"amount_cents": attempt.amount_cents, "currency": attempt.currency, "app": attempt.app, "counterparty": values.get("counterparty_label", "")})
    _set_attempt(session, attempt_id, AttemptStatus.SUCCEEDED, payment_id=paid.id)
    _event(session, attempt_id, "charged", source, charge.provider_ref)
    session.commit()
    orders = sorted(orders)
    return CheckoutResult(
        status=AttemptStatus.SUCCEEDED.value,
        attempt_key=attempt.idempotency_key,
        kind=attempt.kind,
        total_cents=attempt.amount_cents,
        currency=attempt.currency,
        payment_id=paid.id,
        order_ids=tuple(order_id for order_id, _ in orders),
        order_numbers=tuple(number for _, number in orders),
        failure_code=attempt.failure_code,
        failure_message=attempt.failure_message,
    )


def _fail(
    session: Session, attempt_id: int, *, code: str, message: str, source: str, event: str = "declined"
) -> bool:
    """Fail an unresolved attempt and give back what its claim reserved."""
    session.rollback()
    attempt = _load(session, attempt_id)
    if not _settle(
        session,
        attempt_id,
        status=AttemptStatus.FAILED.value,
        failure_code=code[:32],
        failure_message=message[:255],
        resolved_by=source,
    ):
        session.rollback()
        return False
    if attempt.plan:
        handler, plan = _handler_of(attempt)
        handler.release(session, attempt, plan)
    _event(session, attempt_id, event, source, message)
    session.commit()
    return True


def mark_confirming(session: Session, attempt_id: int, *, detail: str) -> None:
    """The gateway's answer is unknown: keep everything reserved until it is looked up."""
    session.rollback()
    if _set_attempt(session, attempt_id, AttemptStatus.PROCESSING, status=AttemptStatus.CONFIRMING.value):
        _event(session, attempt_id, "outcome_unknown", "payer", detail)
    session.commit()


def resolve_attempt(session: Session, *, key: str, charge: Charge | None, source: str) -> str | None:
    """Apply a gateway outcome learned out of band (reconciler, webhook) to the attempt
    with this idempotency key. Commits.

    charge -> recorded exactly as a normal success if the attempt is unresolved; if it
    was failed already, the late charge is refunded. None -> the gateway did not charge
    (and will not): the attempt fails and its reservations are given back. An attempt
    already in that outcome is left alone. Returns the attempt's status afterwards, or
    None when no attempt has this key.
    """
    session.rollback()
    attempt = session.exec(
        select(CheckoutAttempt)
        .where(CheckoutAttempt.idempotency_key == key)
        .execution_options(populate_existing=True)
    ).first()
    if attempt is None:
        return None
    attempt_id: int = attempt.id  # type: ignore[assignment]
    if attempt.status in UNRESOLVED_ATTEMPT_STATUSES:
        if charge is not None:
            _record(session, attempt_id, charge, source=source)
        else:
            _fail(
                session,
                attempt_id,
                code=NOT_CHARGED,
                message="The payment service confirmed that nothing was charged.",
                source=source,
                event="voided",
            )
    elif attempt.status == AttemptStatus.FAILED.value and charge is not None:
        _refund_late_charge(session, attempt, charge, source=source)
    return _load(session, attempt_id).status


def _refund_late_charge(session: Session, attempt: CheckoutAttempt, charge: Charge, *, source: str) -> None:
    """A charge for an attempt we had failed (and released): the payer got nothing for it."""
    already = session.exec(
        select(AttemptEvent.id).where(
            AttemptEvent.attempt_id == attempt.id,
            col(AttemptEvent.event).in_(("late_charge_refunded", "refunded_unrecorded")),
        )
    ).first()
    if already is not None:
        return
    payments.get_provider().refund(
        charge_ref=charge.provider_ref,
        amount_cents=charge.amount_cents,
        idempotency_key=f"refund:late:{attempt.idempotency_key}",
    )
    _event(session, attempt.id, "late_charge_refunded", source, charge.provider_ref)  # type: ignore[arg-type]
    session.commit()


def unresolved_attempts(
    session: Session,
    *,
    now: dt.datetime,
    processing_grace: dt.timedelta,
    confirming_grace: dt.timedelta,
    limit: int = 100,
    key: str | None = None,
) -> list[tuple[int, str, str, int]]:
    """(id, key, provider, user_id) of attempts old enough to be asked about, oldest first.

    A `processing` attempt may still be in its payer's gateway call, so it waits longer
    than a `confirming` one, whose call has ended.
    """
    stmt = (
        core_select(_ATTEMPT.c.id, _ATTEMPT.c.idempotency_key, _ATTEMPT.c.provider, _ATTEMPT.c.user_id)
        # Only what this process's gateway can answer for (attempts charged through
        # another gateway would otherwise fill every batch and starve the rest).
        .where(_ATTEMPT.c.provider == bindparam("b_provider"), _ATTEMPT.c.plan != "")
        .where(
            ((_ATTEMPT.c.status == AttemptStatus.PROCESSING.value) & (_ATTEMPT.c.updated_at <= now - processing_grace))
            | ((_ATTEMPT.c.status == AttemptStatus.CONFIRMING.value) & (_ATTEMPT.c.updated_at <= now - confirming_grace))
        )
        .order_by(_ATTEMPT.c.id)
        .limit(limit)
    )
    if key is not None:
        stmt = stmt.where(_ATTEMPT.c.idempotency_key == key)
    rows = session.connection().execute(stmt, {"b_provider": payments.get_provider().name}).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def customer_ref_of(session: Session, user_id: int) -> str:
    ref = session.connection().execute(
        core_select(_PROFILE.c.provider_customer_ref).where(_PROFILE.c.user_id == user_id)
    ).scalar()
    return ref or ""


def attempt_events(session: Session, *, attempt_id: int) -> list[AttemptEvent]:
    return list(
        session.exec(
            select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id).order_by(col(AttemptEvent.id))
        ).all()
    )


# ---------------------------------------------------------------- paying into one account


def credit_handler(
    *,
    after_record: Callable[[Session, dict, Paid], None] | None = None,
    release: Callable[[Session, dict], None] | None = None,
) -> Handler:
    """A handler for payments credited to one ledger account (plan["credit_account"]):
    donations, transfers. `after_record` writes the rest of the outcome (a fundraiser's
    total, a request's payment) in the same transaction; `release` undoes the claim's
    reservation."""
    from socialshop.services import ledger

    def record(s: Session, attempt: CheckoutAttempt, plan: dict, paid: Paid) -> list[tuple[int, str]]:
        values = paid.values
        ledger.post_transactions(
            s,
            transactions=[(
                ledger.payment_transaction_key(paid.id),
                values["kind"],
                [
                    (ledger.external_method_account(paid.method_id), -values["amount_cents"]),  # type: ignore[arg-type]
                    (plan["credit_account"], values["amount_cents"]),
                ],
                f"{values['kind']} {values.get('counterparty_label', '')}"[:255],
            )],
            currency=values["currency"],
        )
        if after_record is not None:
            after_record(s, plan, paid)
        return []

    def undo(s: Session, attempt: CheckoutAttempt, plan: dict) -> None:
        if release is not None:
            release(s, plan)

    return Handler(record=record, release=undo)


def charge_to_account(
    session: Session,
    *,
    user: User,
    key: object,
    kind: PaymentKind,
    handler: str,
    app: object,
    method_id: object,
    amount_cents: int,
    currency: str,
    credit_account: str,
    description: str = "",
    payment_fields: dict | None = None,
    plan: dict | None = None,
    reserve: Callable[[Session], None] | None = None,
) -> CheckoutResult:
    """One charge credited to one beneficiary's ledger account. Commits step by step.

    Same attempt, PIN and idempotency rules as a purchase. The caller validates the
    amount; `plan` adds what its handler needs later (e.g. a request id); `reserve`
    claims whatever the payment is for, in the claim transaction.
    """
    attempt = get_attempt(session, user=user, key=key)
    if attempt.status != AttemptStatus.OPEN.value:
        return result_for(session, attempt_id=attempt.id)  # type: ignore[arg-type]
    try:
        surface = check_ready(session, user=user, attempt=attempt, kind=kind, app=app)
        method, customer_ref = method_for_charge(session, user=user, method_id=method_id)
    except (NotFound, Conflict, ValidationError):
        replay = closed_attempt_result(session, user=user, key=key)
        if replay is not None:
            return replay
        raise
    fields = dict(payment_fields or {})
    fields["counterparty_label"] = str(fields.get("counterparty_label", ""))[:120]
    fields["note"] = str(fields.get("note", ""))[:255]
    return run(
        session,
        Claim(
            attempt_id=attempt.id,  # type: ignore[arg-type]
            key=attempt.idempotency_key,
            user_id=user.id,  # type: ignore[arg-type]
            kind=kind,
            app=surface.value,
            method_id=method.id,  # type: ignore[arg-type]
            method_token=method.provider_token,
            customer_ref=customer_ref,
            amount_cents=amount_cents,
            currency=currency,
            description=description,
            handler=handler,
            plan={**(plan or {}), "credit_account": credit_account, "payment_fields": fields},
            reserve=reserve or (lambda s: None),
        ),
    )
