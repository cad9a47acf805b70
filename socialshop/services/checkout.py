"""The money-moving core shared by purchases, donations and transfers.

An attempt (CheckoutAttempt) is opened when the pay sheet opens, authorized once with
the PIN, and then executed in three steps, each its own database transaction on the
caller's session, because the gateway call in the middle is outside our database:

1. Claim: `UPDATE checkoutattempt SET status='processing' WHERE key=... AND
   status='open'`. Exactly one caller wins; every other call with the same key (double
   click, reload, a second tab, a retry) gets the stored result of the first instead,
   or status "processing" while it runs. In the same transaction the winner reserves
   what is being bought (`UPDATE product SET stock=stock-q WHERE id=... AND stock>=q`),
   so stock can never go negative on SQLite or PostgreSQL. If a reservation fails, the
   transaction (claim included) is rolled back and a ServiceError is raised: nothing
   changed.
2. Charge the total once, with the attempt key as the gateway's idempotency key. A
   decline releases the reservation and marks the attempt failed (a new attempt is
   needed to try again): the result says "failed", nothing was charged.
3. Record: the Payment, orders, ledger transaction(s) and the attempt's success, all
   in one transaction.

Crash window: if the process dies between step 1 and step 3, the attempt stays
"processing" with its stock reserved, and the gateway may or may not have charged.
Replays answer "processing"; `ledger.check_invariants` (and `python -m
socialshop.ledger check`) reports attempts stuck for more than 15 minutes, and the
attempt key is the charge's idempotency key at the gateway, so an operator can look the
charge up and either refund it or complete the order. If step 3 itself fails after a
successful charge (e.g. the database went away), the charge is refunded right away
with the key "refund:attempt:<key>" and the attempt marked failed; if even that fails,
the attempt is left "processing" for the same manual follow-up.

These functions commit the caller's session (step by step): call them with nothing else
pending in it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from babel import Locale
from sqlalchemy import and_, bindparam, delete, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from socialshop import payments
from socialshop.models import (
    AppSurface,
    AttemptStatus,
    CartItem,
    CheckoutAttempt,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    PayProfile,
    Product,
    Shop,
    User,
    utcnow,
)
from socialshop.payments.base import DeclineCode, PaymentDeclined, ProviderUnavailable
from socialshop.services import ledger
from socialshop.services.activation import pay_enabled_subquery, require_enabled_value, require_pay_enabled
from socialshop.services.errors import Conflict, NotFound, ServiceError, ValidationError
from socialshop.services.inputs import parse_app, parse_id, parse_int
from socialshop.services.pin import verify_pin

log = logging.getLogger(__name__)

# The PIN is checked once per attempt (argon2 is slow on purpose); the authorization
# then stays valid this long, enough for a shopper to review the order.
PIN_AUTH_TTL = dt.timedelta(minutes=10)
MAX_QUANTITY = 99
MAX_CART_LINES = 50
MAX_KEY_LENGTH = 64

SHIPPING_FIELDS = {"name": 120, "line1": 200, "city": 100, "postal_code": 20, "country": 2}


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it."""
    return utcnow()


@dataclass(frozen=True)
class CheckoutResult:
    """What happened to an attempt; replays of the same key get the same answer."""

    status: str  # "succeeded", "failed" or "processing"
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


# ---------------------------------------------------------------- attempts


def open_attempt(session: Session, *, user: User, kind: object, app: object) -> CheckoutAttempt:
    """A new attempt with a fresh random key. Does not commit.

    ValidationError("kind_invalid"), ValidationError("app_invalid"),
    Conflict("pay_disabled_in_app", app=...).
    """
    parsed_kind = PaymentKind.parse(kind) if isinstance(kind, str) else None
    if parsed_kind is None:
        raise ValidationError("kind_invalid")
    surface = require_pay_enabled(session, user=user, app=app)
    now = _now()
    attempt = CheckoutAttempt(
        idempotency_key=secrets.token_urlsafe(24),
        user_id=user.id,  # type: ignore[arg-type]
        kind=parsed_kind.value,
        app=surface.value,
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


def attempt_result(session: Session, *, user: User, key: object) -> CheckoutResult:
    """The stored outcome of the user's attempt (status "processing" while it is open or
    running), as answered to every replay of its key. NotFound("attempt_not_found")."""
    attempt = get_attempt(session, user=user, key=key)
    return _result_for(session, attempt_id=attempt.id)  # type: ignore[arg-type]


def _result_for(session: Session, *, attempt_id: int) -> CheckoutResult:
    attempt = session.exec(
        select(CheckoutAttempt)
        .where(CheckoutAttempt.id == attempt_id)
        .execution_options(populate_existing=True)
    ).one()
    orders = session.exec(
        select(Order.id, Order.number).where(Order.checkout_attempt_id == attempt_id).order_by(col(Order.id))
    ).all()
    status = attempt.status
    if status not in (AttemptStatus.SUCCEEDED.value, AttemptStatus.FAILED.value):
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
    return _result_for(session, attempt_id=attempt.id)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the engine

# The hot path (claim, reserve, record) runs SQLAlchemy Core statements on the session's
# connection rather than ORM objects and session.exec: same SQL, same transactions, but
# without ORM construction, unit-of-work flushes and identity-map bookkeeping, which were
# most of a checkout's CPU time (threads share one GIL, so CPU is the throughput limit).
_ATTEMPT = CheckoutAttempt.__table__  # type: ignore[attr-defined]
_PRODUCT = Product.__table__  # type: ignore[attr-defined]
_SHOP = Shop.__table__  # type: ignore[attr-defined]
_METHOD = PaymentMethod.__table__  # type: ignore[attr-defined]
_PROFILE = PayProfile.__table__  # type: ignore[attr-defined]
_PAYMENT = Payment.__table__  # type: ignore[attr-defined]
_ORDER = Order.__table__  # type: ignore[attr-defined]
_ORDER_ITEM = OrderItem.__table__  # type: ignore[attr-defined]
_ORDER_EVENT = OrderEvent.__table__  # type: ignore[attr-defined]
_CART_ITEM = CartItem.__table__  # type: ignore[attr-defined]
# Built once with bind parameters: constructing a statement costs more CPU than running
# its cached compiled form, and these run on every checkout.
_UPDATE_ATTEMPT = update(_ATTEMPT).where(  # SET: the columns named in the parameters
    _ATTEMPT.c.id == bindparam("b_attempt_id"), _ATTEMPT.c.status == bindparam("b_expected")
)
_TAKE_STOCK = (
    update(_PRODUCT)
    .where(
        _PRODUCT.c.id == bindparam("b_product_id"),
        _PRODUCT.c.stock >= bindparam("b_quantity"),
        _PRODUCT.c.active.is_(True),
    )
    .values(stock=_PRODUCT.c.stock - bindparam("b_quantity"))
)
_GIVE_BACK_STOCK = (
    update(_PRODUCT)
    .where(_PRODUCT.c.id == bindparam("b_product_id"))
    .values(stock=_PRODUCT.c.stock + bindparam("b_quantity"))
)
_INSERT_PAYMENT = insert(_PAYMENT).returning(_PAYMENT.c.id)
_INSERT_ORDERS = insert(_ORDER).returning(_ORDER.c.number, _ORDER.c.id, sort_by_parameter_order=True)
# RETURNING only so that SQLAlchemy sends a parameter list as one multi-row INSERT
# ("insertmanyvalues"); without it psycopg runs an executemany pipeline, three server
# exchanges for a couple of rows.
_INSERT_EVENTS = insert(_ORDER_EVENT).returning(_ORDER_EVENT.c.id)
_INSERT_ITEMS = insert(_ORDER_ITEM).returning(_ORDER_ITEM.c.id)
_EMPTY_CART_LINES = delete(_CART_ITEM).where(
    _CART_ITEM.c.user_id == bindparam("b_user_id"),
    _CART_ITEM.c.product_id.in_(bindparam("b_product_ids", expanding=True)),
)


@dataclass(frozen=True)
class _AttemptRef:
    """What the engine needs of an attempt read with Core (checkout_items)."""

    id: int
    idempotency_key: str
    kind: str
    app: str
    pin_verified_at: dt.datetime | None


@dataclass(frozen=True)
class _MethodRef:
    """What the engine needs of the card to charge, read with Core (checkout_items)."""

    id: int
    provider: str
    provider_token: str


@dataclass(frozen=True)
class _Paid:
    """The Payment row step 3 inserted: its id and the values it was inserted with."""

    id: int
    values: dict

    @property
    def method_id(self) -> int | None:
        return self.values["method_id"]

    def as_payment(self) -> Payment:
        """A detached Payment carrying the same values, for callbacks typed on Payment."""
        return Payment(id=self.id, **self.values)


@dataclass
class _Plan:
    """One charge and what it pays for, ready to run."""

    attempt: CheckoutAttempt | _AttemptRef
    user: User
    kind: PaymentKind
    app: AppSurface
    method: PaymentMethod | _MethodRef
    customer_ref: str
    amount_cents: int
    currency: str
    description: str
    # Runs in the claim transaction; may raise a ServiceError (everything rolls back).
    reserve: Callable[[Session], None] = lambda s: None
    # Undoes `reserve` after a decline.
    release: Callable[[Session], None] = lambda s: None
    # Writes what the payment bought (orders, ledger, counters) in the final transaction;
    # returns the (id, number) of the orders it created.
    record: Callable[[Session, _Paid], list[tuple[int, str]]] = lambda s, p: []
    payment_fields: dict = field(default_factory=dict)


_QUERY = object()


def _check_ready(
    session: Session,
    *,
    user: User,
    attempt: CheckoutAttempt | _AttemptRef,
    kind: PaymentKind,
    app: object,
    enabled: object = _QUERY,
) -> AppSurface:
    """`enabled`: the user's stored Pay switch for `app` when the caller already read it
    (None: no row), else it is queried here."""
    if attempt.kind != kind.value:
        raise Conflict("attempt_kind_mismatch", expected=attempt.kind)
    if enabled is _QUERY:
        surface = require_pay_enabled(session, user=user, app=app)
    else:
        surface = require_enabled_value(parse_app(app), enabled)  # type: ignore[arg-type]
    if surface.value != attempt.app:
        raise ValidationError("app_invalid")
    verified = attempt.pin_verified_at
    if verified is None or not verified <= _now() <= verified + PIN_AUTH_TTL:
        raise Conflict("pin_required")
    return surface


def _method_for_charge(session: Session, *, user: User, method_id: object) -> tuple[PaymentMethod, str]:
    """The card to charge and the gateway customer it belongs to, in one query.

    NotFound("method_not_found") exactly as payment_methods.get_method.
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
    _check_method_provider(method)
    return method, customer_ref or ""


def _check_method_provider(method: PaymentMethod | _MethodRef) -> None:
    if method.provider != payments.get_provider().name:
        # A card saved with another gateway (e.g. before switching sandbox -> stripe).
        raise Conflict("method_unavailable")


def _set_attempt(session: Session, attempt_id: int, expected: AttemptStatus, **values) -> bool:
    values["updated_at"] = _now()
    # On the session's connection (same transaction): Core, no ORM bookkeeping.
    return (
        session.connection()
        .execute(_UPDATE_ATTEMPT, {"b_attempt_id": attempt_id, "b_expected": expected.value, **values})
        .rowcount
        == 1
    )


def _fail(session: Session, plan: _Plan, code: str, message: str) -> CheckoutResult:
    attempt_id = plan.attempt.id
    session.rollback()
    if _set_attempt(
        session,
        attempt_id,  # type: ignore[arg-type]
        AttemptStatus.PROCESSING,
        status=AttemptStatus.FAILED.value,
        failure_code=code[:32],
        failure_message=message[:255],
    ):
        plan.release(session)
    session.commit()
    return _result_for(session, attempt_id=attempt_id)  # type: ignore[arg-type]


def _execute(session: Session, plan: _Plan) -> CheckoutResult:
    attempt_id: int = plan.attempt.id  # type: ignore[assignment]
    key = plan.attempt.idempotency_key
    user_id = plan.user.id

    # Step 1: claim the key and reserve.
    if not _set_attempt(
        session,
        attempt_id,
        AttemptStatus.OPEN,
        status=AttemptStatus.PROCESSING.value,
        amount_cents=plan.amount_cents,
        currency=plan.currency,
    ):
        session.rollback()
        return _result_for(session, attempt_id=attempt_id)
    try:
        plan.reserve(session)
    except BaseException:
        session.rollback()
        raise
    session.commit()

    # Step 2: the one charge, with no transaction open.
    provider = payments.get_provider()
    try:
        charge = provider.charge(
            customer_ref=plan.customer_ref,
            card_token=plan.method.provider_token,
            amount_cents=plan.amount_cents,
            currency=plan.currency,
            idempotency_key=key,
            description=plan.description,
        )
    except PaymentDeclined as exc:
        return _fail(session, plan, exc.code.value, exc.message)
    except ProviderUnavailable:
        # Most likely nothing was charged. If the gateway did charge, the attempt key is
        # on that charge and the external ledger account shows no matching payment.
        # Reported with the gateway's own "try again" code, which the UI already explains.
        log.warning("gateway unavailable while charging attempt %s", attempt_id)
        return _fail(session, plan, DeclineCode.PROCESSING_ERROR.value, "The payment service is unavailable.")
    except BaseException:
        log.exception("unexpected error while charging attempt %s", attempt_id)
        _fail(session, plan, "processing_error", "An unexpected error occurred.")
        raise

    # Step 3: record everything the charge paid for, at once.
    try:
        values = {
            "payer_id": user_id,
            "kind": plan.kind.value,
            "app": plan.app.value,
            "status": PaymentStatus.SUCCEEDED.value,
            "amount_cents": plan.amount_cents,
            "currency": plan.currency,
            "method_id": plan.method.id,
            "provider": provider.name,
            "provider_ref": charge.provider_ref,
            "idempotency_key": key,
            "created_at": _now(),
            **plan.payment_fields,
        }
        payment = _Paid(
            id=session.connection().execute(_INSERT_PAYMENT, values).scalar_one(),
            values=values,
        )
        orders = plan.record(session, payment)
        if not _set_attempt(
            session,
            attempt_id,
            AttemptStatus.PROCESSING,
            status=AttemptStatus.SUCCEEDED.value,
            payment_id=payment.id,
        ):
            raise RuntimeError(f"attempt {attempt_id} left processing while being charged")
        session.commit()
    except BaseException:
        session.rollback()
        log.exception("charged attempt %s but could not record it; refunding", attempt_id)
        try:
            provider.refund(
                charge_ref=charge.provider_ref,
                amount_cents=plan.amount_cents,
                idempotency_key=f"refund:attempt:{key}",
            )
            _fail(session, plan, "processing_error", "The payment was refunded after an error.")
        except BaseException:
            log.exception("attempt %s: refund after failed recording failed too", attempt_id)
        raise
    # What _result_for would read back, without reading it back.
    return CheckoutResult(
        status=AttemptStatus.SUCCEEDED.value,
        attempt_key=key,
        kind=plan.kind.value,
        total_cents=plan.amount_cents,
        currency=plan.currency,
        payment_id=payment.id,
        order_ids=tuple(order_id for order_id, _ in orders),
        order_numbers=tuple(number for _, number in orders),
    )


def _credit_single(session: Session, payment: _Paid, *, credit_account: str) -> None:
    ledger.post_transaction(
        session,
        idempotency_key=ledger.payment_transaction_key(payment.id),
        kind=payment.values["kind"],
        legs=[
            (ledger.external_method_account(payment.method_id), -payment.values["amount_cents"]),  # type: ignore[arg-type]
            (credit_account, payment.values["amount_cents"]),
        ],
        currency=payment.values["currency"],
        description=f"{payment.values['kind']} {payment.values.get('counterparty_label', '')}"[:255],
    )


def charge_to_account(
    session: Session,
    *,
    user: User,
    key: object,
    kind: PaymentKind,
    app: object,
    method_id: object,
    amount_cents: int,
    currency: str,
    credit_account: str,
    description: str = "",
    counterparty_label: str = "",
    counterparty_user_id: int | None = None,
    fundraiser_id: int | None = None,
    note: str = "",
    reserve: Callable[[Session], None] | None = None,
    release: Callable[[Session], None] | None = None,
    after_record: Callable[[Session, Payment], None] | None = None,
) -> CheckoutResult:
    """One charge to one beneficiary's ledger account (donations, transfers).

    Same attempt, PIN and idempotency rules as checkout_items. The caller validates the
    amount; `reserve`/`release` claim and give back whatever the payment is for (e.g.
    a money request), `after_record` writes the rest of the outcome (e.g. a
    fundraiser's total) in the same transaction as the ledger entry.
    """
    attempt = get_attempt(session, user=user, key=key)
    if attempt.status != AttemptStatus.OPEN.value:
        return _result_for(session, attempt_id=attempt.id)  # type: ignore[arg-type]
    try:
        surface = _check_ready(session, user=user, attempt=attempt, kind=kind, app=app)
        method, customer_ref = _method_for_charge(session, user=user, method_id=method_id)
    except ServiceError:
        replay = closed_attempt_result(session, user=user, key=key)
        if replay is not None:
            return replay
        raise

    def record(s: Session, payment: _Paid) -> list[tuple[int, str]]:
        _credit_single(s, payment, credit_account=credit_account)
        if after_record is not None:
            after_record(s, payment.as_payment())
        return []

    plan = _Plan(
        attempt=attempt,
        user=user,
        kind=kind,
        app=surface,
        method=method,
        customer_ref=customer_ref,
        amount_cents=amount_cents,
        currency=currency,
        description=description,
        reserve=reserve or (lambda s: None),
        release=release or (lambda s: None),
        record=record,
        payment_fields={
            "counterparty_label": counterparty_label[:120],
            "counterparty_user_id": counterparty_user_id,
            "fundraiser_id": fundraiser_id,
            "note": note[:255],
        },
    )
    return _execute(session, plan)


# ---------------------------------------------------------------- purchases


def fee_for(subtotal_cents: int, fee_bps: int) -> int:
    """The platform's fee: fee_bps basis points of the subtotal, rounded half up, in integers."""
    bps = min(max(int(fee_bps), 0), 10_000)
    return (subtotal_cents * bps + 5_000) // 10_000


_COUNTRIES: frozenset[str] | None = None
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


def _countries() -> frozenset[str]:
    global _COUNTRIES
    if _COUNTRIES is None:
        # CLDR also names groupings and placeholders (EU, UN, ZZ...) that are no country.
        _COUNTRIES = frozenset(
            code
            for code in Locale("en").territories
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
        )
    return _COUNTRIES


def validate_shipping(shipping: object) -> dict[str, str]:
    """Cleaned shipping fields, or ValidationError("shipping_invalid", fields={field: code}).

    Codes: required, too_long, invalid.
    """
    raw = shipping if isinstance(shipping, dict) else {}
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, max_length in SHIPPING_FIELDS.items():
        value = raw.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = "invalid"
            continue
        value = " ".join(value.split())
        if not value:
            errors[name] = "required"
        elif len(value) > max_length:
            errors[name] = "too_long"
        elif any(not ch.isprintable() for ch in value):
            errors[name] = "invalid"
        else:
            clean[name] = value
    country = clean.get("country")
    if country is not None:
        country = country.upper()
        if country not in _countries():
            errors["country"] = "invalid"
        clean["country"] = country
    postal = clean.get("postal_code")
    if postal is not None and not all(ch.isalnum() or ch in " -" for ch in postal):
        errors["postal_code"] = "invalid"
    if errors:
        raise ValidationError("shipping_invalid", fields=errors)
    return clean


def _parse_lines(items: object) -> dict[int, int]:
    if not isinstance(items, list | tuple) or not items:
        raise ValidationError("cart_empty")
    if len(items) > MAX_CART_LINES:
        raise ValidationError("cart_too_large", max_lines=MAX_CART_LINES)
    lines: dict[int, int] = {}
    for item in items:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValidationError("cart_item_invalid")
        product_id = parse_id(item[0])
        if product_id is None:
            raise NotFound("product_not_found")
        quantity = parse_int(item[1])
        if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
            raise ValidationError("quantity_invalid", min=1, max=MAX_QUANTITY)
        lines[product_id] = lines.get(product_id, 0) + quantity
        if lines[product_id] > MAX_QUANTITY:
            raise ValidationError("quantity_invalid", min=1, max=MAX_QUANTITY)
    return lines


_SELECT_PRODUCTS = (
    core_select(
        _PRODUCT.c.id,
        _PRODUCT.c.shop_id,
        _PRODUCT.c.title,
        _PRODUCT.c.price_cents,
        _PRODUCT.c.currency,
        _PRODUCT.c.stock,
        _PRODUCT.c.active,
        _SHOP.c.name.label("shop_name"),
        _SHOP.c.fee_bps,
        _SHOP.c.deleted_at.label("shop_deleted_at"),
    )
    .join(_SHOP, _SHOP.c.id == _PRODUCT.c.shop_id)
    .where(_PRODUCT.c.id.in_(bindparam("b_product_ids", expanding=True)))
    .order_by(_PRODUCT.c.id)
)


def _load_products(session: Session, lines: dict[int, int]) -> list:
    """The cart's products with their shops, as Core rows (attributes: id, shop_id, title,
    price_cents, currency, stock, active, shop_name, fee_bps, shop_deleted_at), fresh
    from the database whatever the caller's session holds."""
    rows = session.connection().execute(_SELECT_PRODUCTS, {"b_product_ids": sorted(lines)}).all()
    if len(rows) != len(lines):
        raise NotFound("product_not_found")
    for product in rows:
        if not product.active or product.shop_deleted_at is not None:
            raise Conflict("product_unavailable", product=product.title)
    currencies = {product.currency for product in rows}
    if len(currencies) != 1:
        raise ValidationError("currency_mixed")
    for product in rows:
        if product.stock < lines[product.id]:
            raise Conflict(
                "out_of_stock",
                product=product.title,
                available=max(product.stock, 0),
                in_cart=lines[product.id],
            )
    return list(rows)


def _reserve_stock(session: Session, lines: dict[int, int], titles: dict[int, str]) -> None:
    conn = session.connection()
    # Ascending ids: two carts sharing products lock rows in one order (no deadlock).
    for product_id in sorted(lines):
        quantity = lines[product_id]
        taken = conn.execute(_TAKE_STOCK, {"b_product_id": product_id, "b_quantity": quantity}).rowcount
        if taken != 1:
            row = conn.execute(
                core_select(_PRODUCT.c.stock, _PRODUCT.c.active).where(_PRODUCT.c.id == product_id)
            ).one()
            if not row[1]:
                raise Conflict("product_unavailable", product=titles[product_id])
            raise Conflict("out_of_stock", product=titles[product_id], available=max(row[0], 0), in_cart=quantity)


def _release_stock(session: Session, lines: dict[int, int]) -> None:
    conn = session.connection()
    for product_id in sorted(lines):
        conn.execute(_GIVE_BACK_STOCK, {"b_product_id": product_id, "b_quantity": lines[product_id]})


_SELECT_PURCHASE = (
    core_select(
        _ATTEMPT.c.id,
        _ATTEMPT.c.user_id,
        _ATTEMPT.c.kind,
        _ATTEMPT.c.app,
        _ATTEMPT.c.status,
        _ATTEMPT.c.pin_verified_at,
        pay_enabled_subquery(bindparam("b_user_id"), bindparam("b_app")).label("pay_enabled"),
        _METHOD.c.id.label("method_id"),
        _METHOD.c.provider.label("method_provider"),
        _METHOD.c.provider_token.label("method_token"),
        _PROFILE.c.provider_customer_ref,
    )
    .select_from(_ATTEMPT)
    .outerjoin(
        _METHOD,
        and_(
            _METHOD.c.id == bindparam("b_method_id"),
            _METHOD.c.user_id == bindparam("b_user_id"),
            _METHOD.c.removed_at.is_(None),
        ),
    )
    .outerjoin(_PROFILE, _PROFILE.c.user_id == _METHOD.c.user_id)
    .where(_ATTEMPT.c.idempotency_key == bindparam("b_key"))
)


def _load_purchase(session: Session, *, user: User, key: str, app: object, method_id: int | None):
    """One query for what checkout_items checks before anything else: the attempt (by
    key), the user's Pay switch for `app` and the card with its gateway customer (both
    NULL when missing). Checked afterwards in the same order as get_attempt,
    _check_ready and _method_for_charge, which would take three round trips.
    """
    try:
        app_value: str | None = parse_app(app).value
    except ValidationError:
        app_value = None  # raised in its turn by _check_ready
    params = {"b_key": key, "b_user_id": user.id, "b_app": app_value, "b_method_id": method_id}
    return session.connection().execute(_SELECT_PURCHASE, params).first()


def checkout_items(
    session: Session,
    *,
    user: User,
    key: object,
    items: object,
    method_id: object,
    shipping: object,
    app: object,
) -> CheckoutResult:
    """Buy `items` [(product_id, quantity), ...] with one charge; one order per shop. Commits.

    A key that already ran returns its stored result whatever the other arguments are.
    Raises (nothing changed): NotFound("attempt_not_found" | "product_not_found" |
    "method_not_found"), ValidationError("app_invalid" | "cart_empty" |
    "cart_item_invalid" | "cart_too_large" | "quantity_invalid" | "currency_mixed" |
    "shipping_invalid"), Conflict("attempt_kind_mismatch" | "pay_disabled_in_app" |
    "pin_required" | "product_unavailable" | "out_of_stock" | "method_unavailable").
    A declined card is not an exception: the result has status "failed".
    """
    # The reads below go to the connection, which does not autoflush: anything the
    # caller left pending must be visible to them, as it was to session.exec.
    session.flush()
    row = None
    if isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH:
        row = _load_purchase(session, user=user, key=key, app=app, method_id=parse_id(method_id))
    if row is None or row.user_id != user.id:
        raise NotFound("attempt_not_found")
    if row.status != AttemptStatus.OPEN.value:
        return _result_for(session, attempt_id=row.id)
    attempt = _AttemptRef(
        id=row.id, idempotency_key=key, kind=row.kind, app=row.app, pin_verified_at=row.pin_verified_at  # type: ignore[arg-type]
    )
    try:
        surface = _check_ready(
            session, user=user, attempt=attempt, kind=PaymentKind.PURCHASE, app=app, enabled=row.pay_enabled
        )
        lines = _parse_lines(items)
        rows = _load_products(session, lines)
        # As _method_for_charge: NotFound, then the gateway check.
        if row.method_id is None:
            raise NotFound("method_not_found")
        method = _MethodRef(id=row.method_id, provider=row.method_provider, provider_token=row.method_token)
        _check_method_provider(method)
        customer_ref = row.provider_customer_ref or ""
        address = validate_shipping(shipping)
    except ServiceError:
        # A concurrent call with this key may have run meanwhile (and e.g. taken the
        # last items): its result is the answer, not this call's complaint.
        replay = closed_attempt_result(session, user=user, key=key)
        if replay is not None:
            return replay
        raise

    by_shop: dict[int, list] = {}
    for product in rows:
        by_shop.setdefault(product.shop_id, []).append(product)
    currency = rows[0].currency
    subtotals = {
        shop_id: sum(p.price_cents * lines[p.id] for p in products) for shop_id, products in by_shop.items()
    }
    total = sum(subtotals.values())
    if total <= 0:
        raise ValidationError("amount_invalid")
    titles = {p.id: p.title for p in rows}
    shop_names = [by_shop[shop_id][0].shop_name for shop_id in sorted(by_shop)]
    user_id = user.id
    attempt_id = attempt.id

    def record(s: Session, payment: _Paid) -> list[tuple[int, str]]:
        now = _now()
        shop_ids = sorted(by_shop)
        conn = s.connection()
        ledger.ensure_accounts(
            s,
            codes=[
                ledger.external_method_account(payment.method_id),  # type: ignore[arg-type]
                ledger.platform_fees_account(),
                *(ledger.merchant_account(shop_id) for shop_id in shop_ids),
            ],
            currency=currency,
        )
        numbers = {
            shop_id: f"SS-{attempt_id:08d}" + (f"-{n}" if len(shop_ids) > 1 else "")
            for n, shop_id in enumerate(shop_ids, start=1)
        }
        fees = {shop_id: fee_for(subtotals[shop_id], by_shop[shop_id][0].fee_bps) for shop_id in shop_ids}
        # Born paid: the payment is already through, so the orders are inserted in their
        # final state, with the history a pending -> paid transition would leave. All of
        # them in one INSERT; their ids come back by (unique) number.
        order_ids: dict[str, int] = dict(
            conn.execute(
                _INSERT_ORDERS,
                [
                    {
                        "number": numbers[shop_id],
                        "buyer_id": user_id,
                        "shop_id": shop_id,
                        "app": surface.value,
                        "status": OrderStatus.PAID.value,
                        "subtotal_cents": subtotals[shop_id],
                        "fee_cents": fees[shop_id],
                        "refunded_cents": 0,
                        "currency": currency,
                        "payment_id": payment.id,
                        "checkout_attempt_id": attempt_id,
                        "ship_name": address["name"],
                        "ship_line1": address["line1"],
                        "ship_city": address["city"],
                        "ship_postal_code": address["postal_code"],
                        "ship_country": address["country"],
                        "created_at": now,
                        "paid_at": now,
                    }
                    for shop_id in shop_ids
                ],
            ).all()
        )
        events = []
        for shop_id in shop_ids:
            order_id = order_ids[numbers[shop_id]]
            events.append(
                {"order_id": order_id, "from_status": None, "to_status": OrderStatus.PENDING.value,
                 "actor_id": user_id, "note": "", "at": now}
            )
            events.append(
                {"order_id": order_id, "from_status": OrderStatus.PENDING.value, "to_status": OrderStatus.PAID.value,
                 "actor_id": user_id, "note": "payment received", "at": now}
            )
        conn.execute(_INSERT_EVENTS, events)
        items = [
            {
                "order_id": order_ids[numbers[shop_id]],
                "product_id": product.id,
                "title": product.title,
                "unit_price_cents": product.price_cents,
                "quantity": lines[product.id],
            }
            for shop_id in shop_ids
            for product in by_shop[shop_id]
        ]
        conn.execute(_INSERT_ITEMS, items)
        for shop_id in shop_ids:
            subtotal, fee = subtotals[shop_id], fees[shop_id]
            ledger.post_transaction(
                s,
                idempotency_key=ledger.order_transaction_key(order_ids[numbers[shop_id]]),
                kind=PaymentKind.PURCHASE.value,
                legs=[
                    (ledger.external_method_account(payment.method_id), -subtotal),  # type: ignore[arg-type]
                    (ledger.merchant_account(shop_id), subtotal - fee),
                    (ledger.platform_fees_account(), fee),
                ],
                currency=currency,
                description=f"order {numbers[shop_id]}",
            )
        conn.execute(_EMPTY_CART_LINES, {"b_user_id": user_id, "b_product_ids": sorted(lines)})
        # In id order, as _result_for lists them for a replay.
        return sorted((order_ids[numbers[shop_id]], numbers[shop_id]) for shop_id in shop_ids)

    plan = _Plan(
        attempt=attempt,
        user=user,
        kind=PaymentKind.PURCHASE,
        app=surface,
        method=method,
        customer_ref=customer_ref,
        amount_cents=total,
        currency=currency,
        description=f"SocialShop checkout {attempt_id}",
        reserve=lambda s: _reserve_stock(s, lines, titles),
        release=lambda s: _release_stock(s, lines),
        record=record,
        payment_fields={
            "counterparty_label": ", ".join(shop_names)[:120],
            "counterparty_shop_id": rows[0].shop_id if len(by_shop) == 1 else None,
        },
    )
    return _execute(session, plan)
