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
from sqlalchemy import delete, update
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
from socialshop.services.activation import require_pay_enabled
from socialshop.services.errors import Conflict, NotFound, ServiceError, ValidationError
from socialshop.services.inputs import parse_id, parse_int
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


@dataclass
class _Plan:
    """One charge and what it pays for, ready to run."""

    attempt: CheckoutAttempt
    user: User
    kind: PaymentKind
    app: AppSurface
    method: PaymentMethod
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
    record: Callable[[Session, Payment], list[tuple[int, str]]] = lambda s, p: []
    payment_fields: dict = field(default_factory=dict)


def _check_ready(session: Session, *, user: User, attempt: CheckoutAttempt, kind: PaymentKind, app: object) -> AppSurface:
    if attempt.kind != kind.value:
        raise Conflict("attempt_kind_mismatch", expected=attempt.kind)
    surface = require_pay_enabled(session, user=user, app=app)
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
    if method.provider != payments.get_provider().name:
        # A card saved with another gateway (e.g. before switching sandbox -> stripe).
        raise Conflict("method_unavailable")
    return method, customer_ref or ""


def _set_attempt(session: Session, attempt_id: int, expected: AttemptStatus, **values) -> bool:
    values["updated_at"] = _now()
    return (
        session.exec(
            update(CheckoutAttempt)
            .where(col(CheckoutAttempt.id) == attempt_id, col(CheckoutAttempt.status) == expected.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
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
        payment = Payment(
            payer_id=user_id,  # type: ignore[arg-type]
            kind=plan.kind.value,
            app=plan.app.value,
            status=PaymentStatus.SUCCEEDED.value,
            amount_cents=plan.amount_cents,
            currency=plan.currency,
            method_id=plan.method.id,
            provider=provider.name,
            provider_ref=charge.provider_ref,
            idempotency_key=key,
            created_at=_now(),
            **plan.payment_fields,
        )
        session.add(payment)
        session.flush()
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


def _credit_single(session: Session, payment: Payment, *, credit_account: str) -> None:
    ledger.post_transaction(
        session,
        idempotency_key=ledger.payment_transaction_key(payment.id),  # type: ignore[arg-type]
        kind=payment.kind,
        legs=[
            (ledger.external_method_account(payment.method_id), -payment.amount_cents),  # type: ignore[arg-type]
            (credit_account, payment.amount_cents),
        ],
        currency=payment.currency,
        description=f"{payment.kind} {payment.counterparty_label}"[:255],
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

    def record(s: Session, payment: Payment) -> list[tuple[int, str]]:
        _credit_single(s, payment, credit_account=credit_account)
        if after_record is not None:
            after_record(s, payment)
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


def _load_products(session: Session, lines: dict[int, int]) -> list[tuple[Product, Shop]]:
    rows = session.exec(
        select(Product, Shop)
        .join(Shop, col(Shop.id) == Product.shop_id)
        .where(col(Product.id).in_(sorted(lines)))
        .order_by(col(Product.id))
        .execution_options(populate_existing=True)
    ).all()
    if len(rows) != len(lines):
        raise NotFound("product_not_found")
    for product, shop in rows:
        if not product.active or shop.deleted_at is not None:
            raise Conflict("product_unavailable", product=product.title)
    currencies = {product.currency for product, _ in rows}
    if len(currencies) != 1:
        raise ValidationError("currency_mixed")
    for product, _ in rows:
        if product.stock < lines[product.id]:  # type: ignore[index]
            raise Conflict(
                "out_of_stock",
                product=product.title,
                available=max(product.stock, 0),
                in_cart=lines[product.id],  # type: ignore[index]
            )
    return list(rows)


def _reserve_stock(session: Session, lines: dict[int, int], titles: dict[int, str]) -> None:
    # Ascending ids: two carts sharing products lock rows in one order (no deadlock).
    for product_id in sorted(lines):
        quantity = lines[product_id]
        taken = session.exec(
            update(Product)
            .where(
                col(Product.id) == product_id,
                col(Product.stock) >= quantity,
                col(Product.active).is_(True),
            )
            .values(stock=col(Product.stock) - quantity)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            row = session.exec(select(Product.stock, Product.active).where(Product.id == product_id)).one()
            if not row[1]:
                raise Conflict("product_unavailable", product=titles[product_id])
            raise Conflict("out_of_stock", product=titles[product_id], available=max(row[0], 0), in_cart=quantity)


def _release_stock(session: Session, lines: dict[int, int]) -> None:
    for product_id in sorted(lines):
        session.exec(
            update(Product)
            .where(col(Product.id) == product_id)
            .values(stock=col(Product.stock) + lines[product_id])
            .execution_options(synchronize_session=False)
        )


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
    attempt = get_attempt(session, user=user, key=key)
    if attempt.status != AttemptStatus.OPEN.value:
        return _result_for(session, attempt_id=attempt.id)  # type: ignore[arg-type]
    try:
        surface = _check_ready(session, user=user, attempt=attempt, kind=PaymentKind.PURCHASE, app=app)
        lines = _parse_lines(items)
        rows = _load_products(session, lines)
        method, customer_ref = _method_for_charge(session, user=user, method_id=method_id)
        address = validate_shipping(shipping)
    except ServiceError:
        # A concurrent call with this key may have run meanwhile (and e.g. taken the
        # last items): its result is the answer, not this call's complaint.
        replay = closed_attempt_result(session, user=user, key=key)
        if replay is not None:
            return replay
        raise

    by_shop: dict[int, tuple[Shop, list[Product]]] = {}
    for product, shop in rows:
        by_shop.setdefault(shop.id, (shop, []))[1].append(product)  # type: ignore[index]
    currency = rows[0][0].currency
    subtotals = {
        shop_id: sum(p.price_cents * lines[p.id] for p in products)  # type: ignore[index]
        for shop_id, (_, products) in by_shop.items()
    }
    total = sum(subtotals.values())
    if total <= 0:
        raise ValidationError("amount_invalid")
    titles = {p.id: p.title for p, _ in rows}
    shop_names = [by_shop[shop_id][0].name for shop_id in sorted(by_shop)]
    user_id = user.id
    attempt_id = attempt.id

    def record(s: Session, payment: Payment) -> list[tuple[int, str]]:
        now = _now()
        shop_ids = sorted(by_shop)
        created: list[tuple[int, str]] = []
        ledger.ensure_accounts(
            s,
            codes=[
                ledger.external_method_account(payment.method_id),  # type: ignore[arg-type]
                ledger.platform_fees_account(),
                *(ledger.merchant_account(shop_id) for shop_id in shop_ids),
            ],
            currency=currency,
        )
        for n, shop_id in enumerate(shop_ids, start=1):
            shop, products = by_shop[shop_id]
            number = f"SS-{attempt_id:08d}" + (f"-{n}" if len(shop_ids) > 1 else "")
            subtotal = subtotals[shop_id]
            fee = fee_for(subtotal, shop.fee_bps)
            # Born paid: the payment is already through, so the order is inserted in its
            # final state, with the history a pending -> paid transition would leave.
            order = Order(
                number=number,
                buyer_id=user_id,  # type: ignore[arg-type]
                shop_id=shop_id,
                app=surface.value,
                status=OrderStatus.PAID.value,
                subtotal_cents=subtotal,
                fee_cents=fee,
                currency=currency,
                payment_id=payment.id,
                checkout_attempt_id=attempt_id,
                ship_name=address["name"],
                ship_line1=address["line1"],
                ship_city=address["city"],
                ship_postal_code=address["postal_code"],
                ship_country=address["country"],
                created_at=now,
                paid_at=now,
            )
            s.add(order)
            s.flush()
            s.add_all(
                [
                    OrderEvent(order_id=order.id, from_status=None, to_status=OrderStatus.PENDING.value, actor_id=user_id, at=now),  # type: ignore[arg-type]
                    OrderEvent(order_id=order.id, from_status=OrderStatus.PENDING.value, to_status=OrderStatus.PAID.value, actor_id=user_id, note="payment received", at=now),  # type: ignore[arg-type]
                    *(
                        OrderItem(
                            order_id=order.id,  # type: ignore[arg-type]
                            product_id=product.id,  # type: ignore[arg-type]
                            title=product.title,
                            unit_price_cents=product.price_cents,
                            quantity=lines[product.id],  # type: ignore[index]
                        )
                        for product in products
                    ),
                ]
            )
            ledger.post_transaction(
                s,
                idempotency_key=ledger.order_transaction_key(order.id),  # type: ignore[arg-type]
                kind=PaymentKind.PURCHASE.value,
                legs=[
                    (ledger.external_method_account(payment.method_id), -subtotal),  # type: ignore[arg-type]
                    (ledger.merchant_account(shop_id), subtotal - fee),
                    (ledger.platform_fees_account(), fee),
                ],
                currency=currency,
                description=f"order {number}",
            )
            created.append((order.id, number))  # type: ignore[arg-type]
        s.exec(
            delete(CartItem).where(
                col(CartItem.user_id) == user_id, col(CartItem.product_id).in_(sorted(lines))
            )
        )
        return created

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
        reserve=lambda s: _reserve_stock(s, lines, titles),  # type: ignore[arg-type]
        release=lambda s: _release_stock(s, lines),
        record=record,
        payment_fields={
            "counterparty_label": ", ".join(shop_names)[:120],
            "counterparty_shop_id": rows[0][1].id if len(by_shop) == 1 else None,
        },
    )
    return _execute(session, plan)
