"""Buying: products from a post ("Buy now") or the cart, one charge, one order per shop.

The payment itself runs through the money engine (socialshop.money.engine): this module
checks the purchase, builds its plan (lines with prices and fees, shipping, app) and
registers the "purchase" handler that turns a charged plan into orders and ledger
entries, or gives the reserved stock back, from the stored plan alone, in whichever
process settles the attempt.

Stock is reserved when the attempt is claimed (`UPDATE product SET stock=stock-q WHERE
id=... AND stock>=q`, plus CHECK (stock >= 0)), so it can never go negative on SQLite
or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging

from babel import Locale
from sqlalchemy import Integer, and_, bindparam, case, delete, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session

from socialshop.models import (
    AttemptStatus,
    CartItem,
    CheckoutAttempt,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    PayProfile,
    Product,
    Shop,
    User,
)
from socialshop.money import engine, fees
from socialshop.money.engine import (  # noqa: F401  (the attempt API, used through this module by states)
    PIN_AUTH_TTL,
    CheckoutResult,
    attempt_result,
    authorize_attempt,
    closed_attempt_result,
    get_attempt,
    open_attempt,
)
from socialshop.services import ledger, payment_methods
from socialshop.services.errors import Conflict, NotFound, ServiceError, ValidationError
from socialshop.services.inputs import parse_app, parse_id, parse_int
from socialshop.services.pay_apps import pay_enabled_subquery

log = logging.getLogger(__name__)

MAX_QUANTITY = 99
MAX_CART_LINES = 50
SHIPPING_FIELDS = {"name": 120, "line1": 200, "city": 100, "postal_code": 20, "country": 2}
PURCHASE = "purchase"


def _now() -> dt.datetime:
    """The clock; tests monkeypatch it."""
    return engine._now()


# The hot path (claim, reserve, record) runs SQLAlchemy Core statements on the session's
# connection rather than ORM objects: same SQL, same transactions, without ORM
# construction and unit-of-work bookkeeping, which were most of a checkout's CPU time.
_ATTEMPT = CheckoutAttempt.__table__  # type: ignore[attr-defined]
_PRODUCT = Product.__table__  # type: ignore[attr-defined]
_SHOP = Shop.__table__  # type: ignore[attr-defined]
_METHOD = PaymentMethod.__table__  # type: ignore[attr-defined]
_PROFILE = PayProfile.__table__  # type: ignore[attr-defined]
_ORDER = Order.__table__  # type: ignore[attr-defined]
_ORDER_ITEM = OrderItem.__table__  # type: ignore[attr-defined]
_ORDER_EVENT = OrderEvent.__table__  # type: ignore[attr-defined]
_CART_ITEM = CartItem.__table__  # type: ignore[attr-defined]


_TAKE_STOCK: dict[int, object] = {}


def _take_stock_statement(count: int):
    """One UPDATE taking the quantity of each of `count` lines, on SQLite and PostgreSQL:

        UPDATE product SET stock = stock - CASE WHEN id = :p0 THEN :q0 ... END
        WHERE id IN (SELECT id FROM product WHERE id IN (:p0, ...) ORDER BY id FOR UPDATE)
          AND stock >= CASE ... END AND active

    It updates (and returns the id of) one row per line that can be served, so fewer
    rows than lines means one line cannot (the caller rolls back). On PostgreSQL the sub-SELECT locks the rows in
    ascending id order before any is updated, so two carts sharing products lock them in
    one order (no deadlock) whatever order the planner scans them in; SQLite has no
    FOR UPDATE (SQLAlchemy leaves it out) and needs none: one writer at a time.
    Parameters b_p<i> (product id, ascending) and b_q<i> (quantity); built once per
    number of lines.
    """
    stmt = _TAKE_STOCK.get(count)
    if stmt is None:
        ids = [bindparam(f"b_p{i}", type_=Integer) for i in range(count)]
        quantity = case(
            *((_PRODUCT.c.id == ids[i], bindparam(f"b_q{i}", type_=Integer)) for i in range(count)), else_=None
        )
        locked = core_select(_PRODUCT.c.id).where(_PRODUCT.c.id.in_(ids)).order_by(_PRODUCT.c.id).with_for_update()
        stmt = _TAKE_STOCK[count] = (
            update(_PRODUCT)
            .where(_PRODUCT.c.id.in_(locked), _PRODUCT.c.stock >= quantity, _PRODUCT.c.active.is_(True))
            .values(stock=_PRODUCT.c.stock - quantity)
            .returning(_PRODUCT.c.id)
        )
    return stmt


_GIVE_BACK_STOCK = (
    update(_PRODUCT)
    .where(_PRODUCT.c.id == bindparam("b_product_id"))
    .values(stock=_PRODUCT.c.stock + bindparam("b_quantity"))
)
# Ids come back keyed by the (unique) order number, so in any order: with
# sort_by_parameter_order SQLite would get one INSERT per order.
_INSERT_ORDERS = insert(_ORDER).returning(_ORDER.c.number, _ORDER.c.id)
# RETURNING only so that SQLAlchemy sends a parameter list as one multi-row INSERT
# ("insertmanyvalues"); without it psycopg runs an executemany pipeline, three server
# exchanges for a couple of rows.
_INSERT_EVENTS = insert(_ORDER_EVENT).returning(_ORDER_EVENT.c.id)
_INSERT_ITEMS = insert(_ORDER_ITEM).returning(_ORDER_ITEM.c.id)
_EMPTY_CART_LINES = delete(_CART_ITEM).where(
    _CART_ITEM.c.user_id == bindparam("b_user_id"),
    _CART_ITEM.c.product_id.in_(bindparam("b_product_ids", expanding=True)),
)


def fee_for(subtotal_cents: int, fee_package: object) -> fees.FeeBreakdown:
    """The platform's fee on one shop's part of a checkout, under the shop's package."""
    return fees.breakdown(fee_package, subtotal_cents)


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
            raise ValidationError("quantity_out_of_range", min=1, max=MAX_QUANTITY)
        lines[product_id] = lines.get(product_id, 0) + quantity
        if lines[product_id] > MAX_QUANTITY:
            raise ValidationError("quantity_out_of_range", min=1, max=MAX_QUANTITY)
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
        _SHOP.c.fee_package,
        _SHOP.c.deleted_at.label("shop_deleted_at"),
    )
    .join(_SHOP, _SHOP.c.id == _PRODUCT.c.shop_id)
    .where(_PRODUCT.c.id.in_(bindparam("b_product_ids", expanding=True)))
    .order_by(_PRODUCT.c.id)
)


def _load_products(session: Session, lines: dict[int, int]) -> list:
    """The cart's products with their shops, as Core rows (attributes: id, shop_id, title,
    price_cents, currency, stock, active, shop_name, fee_package, shop_deleted_at), fresh
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
                "not_enough_stock" if product.stock > 0 else "sold_out",
                product=product.title,
                available=max(product.stock, 0),
                requested=lines[product.id],
            )
    return list(rows)


def _reserve_stock(session: Session, lines: dict[int, int], titles: dict[int, str]) -> None:
    """Take every line's quantity in one statement, or raise (the caller rolls back)."""
    conn = session.connection()
    params = {}
    for i, product_id in enumerate(sorted(lines)):
        params[f"b_p{i}"] = product_id
        params[f"b_q{i}"] = lines[product_id]
    taken = set(conn.execute(_take_stock_statement(len(lines)), params).scalars())
    if len(taken) == len(lines):
        return
    # A line could not be served: say which (first in id order). The lines not taken
    # were not changed by this transaction (and are locked by it on PostgreSQL), so
    # their row says why.
    refused = sorted(set(lines) - taken)
    rows = {
        row.id: row
        for row in conn.execute(
            core_select(_PRODUCT.c.id, _PRODUCT.c.stock, _PRODUCT.c.active).where(_PRODUCT.c.id.in_(refused))
        )
    }
    for product_id in refused:
        row = rows.get(product_id)
        quantity = lines[product_id]
        if row is None or not row.active:
            raise Conflict("product_unavailable", product=titles[product_id])
        if row.stock < quantity:
            raise Conflict(
                "not_enough_stock" if row.stock > 0 else "sold_out",
                product=titles[product_id],
                available=max(row.stock, 0),
                requested=quantity,
            )
    raise Conflict("product_unavailable", product=titles[refused[0]])  # not reached: a refused line is one of the above


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
        _METHOD.c.kind.label("method_kind"),
        _METHOD.c.exp_month.label("method_exp_month"),
        _METHOD.c.exp_year.label("method_exp_year"),
        _PROFILE.c.provider_customer_ref,
        _PROFILE.c.pin_policy,
        _PROFILE.c.pin_threshold_cents,
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
    # The payer's profile (joined on the attempt's user: the card, when found, is the
    # same user's): the gateway customer and the PIN policy.
    .outerjoin(_PROFILE, _PROFILE.c.user_id == _ATTEMPT.c.user_id)
    .where(_ATTEMPT.c.idempotency_key == bindparam("b_key"))
)


def _load_purchase(session: Session, *, user: User, key: str, app: object, method_id: int | None):
    """One query for what checkout_items checks before anything else: the attempt (by
    key), the user's Pay switch for `app`, the card (NULL when missing) and the payer's
    PayProfile (gateway customer, PIN policy; NULL without one). Checked afterwards in
    the same order as get_attempt, check_ready, method_for_charge and
    require_authorized, which would take four round trips.
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
    "cart_item_invalid" | "cart_too_large" | "quantity_out_of_range" | "currency_mixed" |
    "shipping_invalid"), Conflict("attempt_kind_mismatch" | "pay_disabled_in_app" |
    "pin_required" | "product_unavailable" | "not_enough_stock" | "sold_out" | "method_unavailable" |
    "method_expired").
    A declined card is not an exception: the result has status "failed"; a lost gateway
    answer gives "confirming".
    """
    # The reads below go to the connection, which does not autoflush: anything the
    # caller left pending must be visible to them, as it was to session.exec.
    session.flush()
    row = None
    if isinstance(key, str) and 0 < len(key) <= engine.MAX_KEY_LENGTH:
        row = _load_purchase(session, user=user, key=key, app=app, method_id=parse_id(method_id))
    if row is None or row.user_id != user.id:
        raise NotFound("attempt_not_found")
    if row.status != AttemptStatus.OPEN.value:
        return engine.result_for(session, attempt_id=row.id)
    try:
        surface = engine.check_ready(
            session, user=user, attempt=row, kind=PaymentKind.PURCHASE, app=app, enabled=row.pay_enabled
        )
        lines = _parse_lines(items)
        rows = _load_products(session, lines)
        if row.method_id is None:
            raise NotFound("method_not_found")
        engine.check_method_provider(row.method_provider)
        payment_methods.check_payable(
            kind=row.method_kind, exp_month=row.method_exp_month, exp_year=row.method_exp_year
        )
        address = validate_shipping(shipping)
    except ServiceError:
        # A concurrent call with this key may have run meanwhile (and e.g. taken the
        # last items): its result is the answer, not this call's complaint.
        replay = closed_attempt_result(session, user=user, key=key)
        if replay is not None:
            return replay
        raise

    shop_ids = sorted({product.shop_id for product in rows})
    subtotals = {shop_id: 0 for shop_id in shop_ids}
    packages = {}
    for product in rows:
        subtotals[product.shop_id] += product.price_cents * lines[product.id]
        packages[product.shop_id] = product.fee_package
    total = sum(subtotals.values())
    if total <= 0:
        raise ValidationError("amount_invalid")
    shop_fees = {shop_id: fee_for(subtotals[shop_id], packages[shop_id]) for shop_id in shop_ids}
    titles = {p.id: p.title for p in rows}
    shop_names = {p.shop_id: p.shop_name for p in rows}
    plan = {
        "lines": [
            {"product_id": p.id, "shop_id": p.shop_id, "title": p.title, "unit_price_cents": p.price_cents,
             "quantity": lines[p.id]}
            for p in rows
        ],
        # The fee is fixed under the package in force when the buyer commits, whatever the
        # shop picks later (a package change applies to new orders only).
        "shops": [
            {"shop_id": shop_id, "subtotal_cents": subtotals[shop_id], "fee_package": shop_fees[shop_id].package,
             "fee_cents": shop_fees[shop_id].fee_cents, "fee_flat_cents": shop_fees[shop_id].flat_cents}
            for shop_id in shop_ids
        ],
        "shipping": address,
        "payment_fields": {
            "counterparty_label": ", ".join(shop_names[shop_id] for shop_id in shop_ids)[:120],
            "counterparty_shop_id": shop_ids[0] if len(shop_ids) == 1 else None,
        },
    }
    return engine.run(
        session,
        engine.Claim(
            attempt_id=row.id,
            key=key,  # type: ignore[arg-type]
            user_id=user.id,  # type: ignore[arg-type]
            kind=PaymentKind.PURCHASE,
            app=surface.value,
            method_id=row.method_id,
            method_token=row.method_token,
            customer_ref=row.provider_customer_ref or "",
            amount_cents=total,
            currency=rows[0].currency,
            description=f"SocialShop checkout {row.id}",
            handler=PURCHASE,
            plan=plan,
            reserve=lambda s: _reserve_stock(s, lines, titles),
            # Read above in this same transaction: run() needs no query of its own.
            authorization=(row.pin_verified_at, row.pin_policy, row.pin_threshold_cents),
        ),
    )


def checkout_cart(
    session: Session, *, user: User, key: object, method_id: object, shipping: object, app: object
) -> CheckoutResult:
    """Buy the cart lines that were added in `app`: their orders and payment belong to
    that app, and that app's Pay switch decides. Commits; raises as checkout_items."""
    from socialshop.services import cart

    replay = closed_attempt_result(session, user=user, key=key)
    if replay is not None:
        return replay
    return checkout_items(
        session, user=user, key=key, items=cart.cart_items(session, user=user, app=app),
        method_id=method_id, shipping=shipping, app=app,
    )


def preview_lines(session: Session, *, items: object) -> list:
    """The products a checkout would buy, checked as the payment will check them (range,
    availability, stock), before any PIN is asked. Raises as checkout_items."""
    return _load_products(session, _parse_lines(items))


# ---------------------------------------------------------------- the "purchase" handler


def _rows(rows: list[dict]) -> list[dict] | dict:
    """One row as a plain dict: a single INSERT, cheaper than SQLAlchemy's multi-row
    ("insertmanyvalues") path for a list of one."""
    return rows[0] if len(rows) == 1 else rows


def _record_purchase(s: Session, attempt: CheckoutAttempt, plan: dict, payment: engine.Paid) -> list[tuple[int, str]]:
    now = _now()
    attempt_id, user_id, currency = attempt.id, attempt.user_id, attempt.currency
    shops = plan["shops"]
    address = plan["shipping"]
    conn = s.connection()
    numbers = {
        shop["shop_id"]: f"SS-{attempt_id:08d}" + (f"-{n}" if len(shops) > 1 else "")
        for n, shop in enumerate(shops, start=1)
    }
    # Born paid: the payment is already through, so the orders are inserted in their
    # final state, with the history a pending -> paid transition would leave. All of
    # them in one INSERT; their ids come back by (unique) number.
    order_ids: dict[str, int] = dict(
        conn.execute(
            _INSERT_ORDERS,
            _rows([
                {
                    "number": numbers[shop["shop_id"]],
                    "buyer_id": user_id,
                    "shop_id": shop["shop_id"],
                    "app": attempt.app,
                    "status": OrderStatus.PAID.value,
                    "subtotal_cents": shop["subtotal_cents"],
                    "fee_cents": shop["fee_cents"],
                    "fee_flat_cents": shop.get("fee_flat_cents", 0),
                    "fee_package": shop.get("fee_package", ""),
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
                for shop in shops
            ]),
        ).all()
    )
    events = []
    for shop in shops:
        order_id = order_ids[numbers[shop["shop_id"]]]
        events.append(
            {"order_id": order_id, "from_status": None, "to_status": OrderStatus.PENDING.value,
             "actor_id": user_id, "note": "", "at": now}
        )
        events.append(
            {"order_id": order_id, "from_status": OrderStatus.PENDING.value, "to_status": OrderStatus.PAID.value,
             "actor_id": user_id, "note": "payment received", "at": now}
        )
    conn.execute(_INSERT_EVENTS, events)
    conn.execute(
        _INSERT_ITEMS,
        _rows([
            {
                "order_id": order_ids[numbers[line["shop_id"]]],
                "product_id": line["product_id"],
                "title": line["title"],
                "unit_price_cents": line["unit_price_cents"],
                "quantity": line["quantity"],
            }
            for line in plan["lines"]
        ]),
    )
    # Every shop's ledger transaction in one INSERT, all their legs in another.
    ledger.post_transactions(
        s,
        transactions=[
            (
                ledger.order_transaction_key(order_ids[numbers[shop["shop_id"]]]),
                PaymentKind.PURCHASE.value,
                [
                    (ledger.external_method_account(payment.method_id), -shop["subtotal_cents"]),  # type: ignore[arg-type]
                    (ledger.merchant_account(shop["shop_id"]), shop["subtotal_cents"] - shop["fee_cents"]),
                    (ledger.platform_fees_account(), shop["fee_cents"]),
                ],
                f"order {numbers[shop['shop_id']]}",
            )
            for shop in shops
        ],
        currency=currency,
    )
    conn.execute(
        _EMPTY_CART_LINES,
        {"b_user_id": user_id, "b_product_ids": sorted(line["product_id"] for line in plan["lines"])},
    )
    return sorted((order_ids[number], number) for number in numbers.values())


def _release_purchase(s: Session, attempt: CheckoutAttempt, plan: dict) -> None:
    _release_stock(s, {line["product_id"]: line["quantity"] for line in plan["lines"]})


engine.register_handler(PURCHASE, engine.Handler(record=_record_purchase, release=_release_purchase))
