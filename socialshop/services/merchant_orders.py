"""The order desk: a shop's own orders, filtered and paged, and what its owner does with them
(ship with a tracking number, cancel, refund all or part).

Every function starts with `shops.require_shop`, so a shopper is refused and a merchant only
ever reaches their own shop's orders (another shop's order id is "not found", nothing
changes). Buyers appear only as the shop's pseudonym for them ("Customer 7F3K",
services.shop_customers): no name, email or phone leaves this module, and the shipping
address (without the recipient's name) only for orders that ship.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import literal, tuple_, update
from sqlmodel import Session, col, select

from socialshop.models import (
    AppSurface,
    NotificationKind,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    RefundAttempt,
    RefundAttemptStatus,
    Shop,
    User,
)
from socialshop.money import fees, refunds
from socialshop.services import notifications, orders, shop_customers, shops
from socialshop.services.errors import Conflict, NotFound, ValidationError
from socialshop.services.inputs import parse_id
from socialshop.services.money import parse_amount

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 80
# The carriers a shop ships with in Italy; "other" covers the rest.
CARRIERS = ("poste_italiane", "brt", "gls", "sda", "dhl", "ups", "fedex", "other")
# Tracking numbers are letters and digits (dashes allowed), as carriers print them.
_TRACKING = re.compile(r"[A-Z0-9][A-Z0-9-]{4,38}[A-Z0-9]")
_CURSOR = re.compile(r"([0-9]{1,16})\.([0-9]{1,19})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
STATUS_FILTERS = tuple(OrderStatus.values())


@dataclass(frozen=True)
class DeskFilters:
    status: str = ""
    app: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _parse_date(raw: object) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not _DATE.fullmatch(raw.strip()):
        raise ValidationError("filter_date_invalid")
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError("filter_date_invalid") from None


def parse_filters(*, status: object = "", app: object = "", date_from: object = "", date_to: object = "") -> DeskFilters:
    """ValidationError("filter_status_invalid" | "filter_app_invalid" | "filter_date_invalid" |
    "filter_dates_reversed"); "" means "any"."""
    clean_status = status.strip() if isinstance(status, str) else None
    if clean_status is None or (clean_status and clean_status not in STATUS_FILTERS):
        raise ValidationError("filter_status_invalid")
    clean_app = app.strip() if isinstance(app, str) else None
    if clean_app is None or (clean_app and clean_app not in AppSurface.values()):
        raise ValidationError("filter_app_invalid")
    start, end = _parse_date(date_from), _parse_date(date_to)
    if start is not None and end is not None and start > end:
        raise ValidationError("filter_dates_reversed")
    return DeskFilters(clean_status, clean_app, start, end)


def encode_cursor(created_at: dt.datetime, order_id: int) -> str:
    """Where the next (older) page starts: the last order's time (µs since the epoch) and id."""
    at = created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC)
    micros = (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    return f"{micros}.{order_id}"


def decode_cursor(raw: object) -> tuple[dt.datetime, int] | None:
    """None for "" (the first page); ValidationError("cursor_invalid") for anything malformed."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or len(raw) > MAX_CURSOR_LENGTH:
        raise ValidationError("cursor_invalid")
    match = _CURSOR.fullmatch(raw)
    order_id = parse_id(match.group(2)) if match else None
    if match is None or order_id is None:
        raise ValidationError("cursor_invalid")
    try:
        at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(match.group(1)))
    except OverflowError:
        raise ValidationError("cursor_invalid") from None
    return at, order_id


@dataclass(frozen=True)
class DeskItem:
    title: str
    quantity: int


@dataclass(frozen=True)
class DeskOrder:
    """One order as its shop sees it: money in cents, the buyer as the shop's pseudonym."""

    id: int
    number: str
    created_at: dt.datetime
    app: str
    status: str
    source: str
    customer: str  # "Customer 7F3K"
    items: list[DeskItem]
    currency: str
    gross_cents: int
    commission_cents: int
    flat_fee_cents: int
    fee_cents: int
    net_cents: int
    fee_package: str
    refunded_cents: int
    # What the shop keeps after refunds: refunds take back their share of the fee too.
    net_after_refunds_cents: int
    refund_pending_cents: int
    refundable_cents: int
    needs_shipping: bool
    # The address the buyer chose at checkout, without the recipient's name; "" unless it ships.
    ship_line1: str
    ship_postal_code: str
    ship_city: str
    ship_country: str
    carrier: str
    tracking_number: str
    shipped_at: dt.datetime | None
    note: str
    can_ship: bool
    can_cancel: bool
    can_refund: bool
    cancel_pending: bool


@dataclass(frozen=True)
class DeskPage:
    orders: list[DeskOrder]
    # Where the next (older) page starts; "" when this page is the last.
    next_cursor: str


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def list_orders(
    session: Session,
    *,
    user: User | None,
    filters: DeskFilters | None = None,
    cursor: object = "",
    limit: int = PAGE_SIZE,
) -> DeskPage:
    """The shop's orders, newest first, one keyset page after `cursor`. Commits (a buyer seen
    for the first time gets the shop's pseudonym for them). PermissionDenied("merchant_only"),
    ValidationError("cursor_invalid")."""
    shop = shops.require_shop(session, user=user)
    filters = filters or DeskFilters()
    after = decode_cursor(cursor)
    size = limit if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit <= MAX_PAGE_SIZE else PAGE_SIZE
    query = select(Order).where(Order.shop_id == shop.id)
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.app:
        query = query.where(Order.app == filters.app)
    if filters.date_from is not None:
        query = query.where(col(Order.created_at) >= _day_start(filters.date_from))
    if filters.date_to is not None:
        query = query.where(col(Order.created_at) < _day_start(filters.date_to + dt.timedelta(days=1)))
    if after is not None:
        at, order_id = after
        # A row value: one range of ix_order_shop_id_created_at_id however deep the page.
        query = query.where(
            tuple_(col(Order.created_at), col(Order.id))
            < tuple_(literal(at, col(Order.created_at).type), literal(order_id, col(Order.id).type))
        )
    rows = list(
        session.exec(query.order_by(col(Order.created_at).desc(), col(Order.id).desc()).limit(size + 1)).all()
    )
    shown = rows[:size]
    next_cursor = encode_cursor(shown[-1].created_at, shown[-1].id) if len(rows) > size else ""  # type: ignore[arg-type]
    views = _views(session, shop, shown)
    session.commit()
    return DeskPage(views, next_cursor)


def _views(session: Session, shop: Shop, found: list[Order]) -> list[DeskOrder]:
    if not found:
        return []
    ids = [o.id for o in found]
    items: dict[int, list[DeskItem]] = {}
    for order_id, title, quantity in session.exec(
        select(OrderItem.order_id, OrderItem.title, OrderItem.quantity)
        .where(col(OrderItem.order_id).in_(ids))
        .order_by(col(OrderItem.id))
    ).all():
        items.setdefault(order_id, []).append(DeskItem(title, quantity))
    cancelling = set(
        session.exec(
            select(RefundAttempt.order_id).where(
                col(RefundAttempt.order_id).in_(ids),
                RefundAttempt.cancels_order == True,  # noqa: E712
                RefundAttempt.status == RefundAttemptStatus.PENDING.value,
            )
        ).all()
    )
    names = shop_customers.aliases(session, shop_id=shop.id, user_ids={o.buyer_id for o in found})  # type: ignore[arg-type]
    return [_view(o, items.get(o.id, []), names[o.buyer_id], o.id in cancelling) for o in found]  # type: ignore[index]


def _view(order: Order, items: list[DeskItem], alias: str, cancel_pending: bool) -> DeskOrder:
    ships = order.needs_shipping
    commission = order.fee_cents - order.fee_flat_cents
    return DeskOrder(
        id=order.id,  # type: ignore[arg-type]
        number=order.number,
        created_at=order.created_at,
        app=order.app,
        status=order.status,
        source=order.source,
        customer=shop_customers.display(alias),
        items=items,
        currency=order.currency,
        gross_cents=order.subtotal_cents,
        commission_cents=commission,
        flat_fee_cents=order.fee_flat_cents,
        fee_cents=order.fee_cents,
        net_cents=order.subtotal_cents - order.fee_cents,
        fee_package=order.fee_package or fees.DEFAULT_PACKAGE,
        refunded_cents=order.refunded_cents,
        net_after_refunds_cents=(order.subtotal_cents - order.refunded_cents)
        - (order.fee_cents - order.fee_refunded_cents),
        refund_pending_cents=order.refund_pending_cents,
        refundable_cents=refunds.refundable_cents(order),
        needs_shipping=ships,
        ship_line1=order.ship_line1 if ships else "",
        ship_postal_code=order.ship_postal_code if ships else "",
        ship_city=order.ship_city if ships else "",
        ship_country=order.ship_country if ships else "",
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        shipped_at=order.shipped_at,
        note=order.note,
        can_ship=_can_ship(order) and not cancel_pending,
        can_cancel=_can_cancel(order) and not cancel_pending,
        can_refund=refunds.refundable_cents(order) > 0 and not cancel_pending,
        cancel_pending=cancel_pending,
    )


def _can_ship(order: Order) -> bool:
    if not order.needs_shipping or order.shipped_at is not None:
        return False
    return order.status in (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value)


def _can_cancel(order: Order) -> bool:
    return (
        order.status == OrderStatus.PAID.value
        and order.shipped_at is None
        and order.refunded_cents == 0
        and order.refund_pending_cents == 0
    )


def _shop_order(session: Session, *, user: User | None, order_id: object) -> tuple[Shop, Order]:
    shop = shops.require_shop(session, user=user)
    parsed = parse_id(order_id)
    order = None
    if parsed is not None:
        order = session.exec(
            select(Order).where(Order.id == parsed).execution_options(populate_existing=True)
        ).first()
    if order is None or order.shop_id != shop.id:
        raise NotFound("order_not_found")
    return shop, order


def get_order(session: Session, *, user: User | None, order_id: object) -> DeskOrder:
    """One of the shop's orders as the desk shows it. Commits (see list_orders).
    PermissionDenied("merchant_only"), NotFound("order_not_found")."""
    shop, order = _shop_order(session, user=user, order_id=order_id)
    view = _views(session, shop, [order])[0]
    session.commit()
    return view


def clean_carrier(raw: object) -> str:
    if not isinstance(raw, str) or raw.strip() not in CARRIERS:
        raise ValidationError("carrier_invalid")
    return raw.strip()


def clean_tracking_number(raw: object) -> str:
    """Upper case, inner spaces removed; 6 to 40 letters, digits or dashes.
    ValidationError("tracking_required" | "tracking_invalid")."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError("tracking_required")
    if not isinstance(raw, str) or len(raw) > 80:
        raise ValidationError("tracking_invalid")
    text = "".join(raw.split()).upper()
    if not _TRACKING.fullmatch(text):
        raise ValidationError("tracking_invalid")
    return text


def mark_shipped(
    session: Session, *, user: User | None, order_id: object, carrier: object, tracking_number: object,
    now: dt.datetime | None = None,
) -> DeskOrder:
    """The shop handed the parcel to `carrier` with this tracking number: the order becomes
    shipped and the buyer is told. Commits.

    PermissionDenied("merchant_only"), NotFound("order_not_found"), ValidationError(
    "carrier_invalid" | "tracking_required" | "tracking_invalid"), Conflict("order_not_shippable",
    status=...) (already shipped, cancelled, refunded, or a QR/chat payment with nothing to
    send), Conflict("order_being_cancelled").
    """
    shop, order = _shop_order(session, user=user, order_id=order_id)
    clean_carrier_ = clean_carrier(carrier)
    tracking = clean_tracking_number(tracking_number)
    if _pending_cancel(session, order.id):  # type: ignore[arg-type]
        raise Conflict("order_being_cancelled")
    if not _can_ship(order):
        raise Conflict("order_not_shippable", status=order.status)
    now = now or orders._now()
    # Conditional on "not shipped yet": two tabs shipping at once record one parcel.
    moved = session.exec(
        update(Order)
        .where(col(Order.id) == order.id, col(Order.shipped_at).is_(None), col(Order.status) == order.status)
        .values(carrier=clean_carrier_, tracking_number=tracking, shipped_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        session.rollback()
        raise Conflict("order_not_shippable", status=order.status)
    note = f"{clean_carrier_} {tracking}"
    if order.status == OrderStatus.PAID.value:
        orders.transition(session, order=order, to_status=OrderStatus.SHIPPED.value, actor_id=user.id,  # type: ignore[union-attr]
                          note=note, now=now)
    else:
        # Partly refunded before it left: the status keeps saying so; the history says shipped.
        session.add(OrderEvent(order_id=order.id, from_status=order.status, to_status=order.status,  # type: ignore[arg-type]
                               actor_id=user.id, note=f"shipped: {note}", at=now))  # type: ignore[union-attr]
    notifications.notify(
        session, user_id=order.buyer_id, kind=NotificationKind.ORDER_SHIPPED, link=f"/orders/{order.id}",
        params={"order": order.number, "shop": shop.name, "tracking": tracking, "carrier": clean_carrier_},
    )
    session.commit()
    return get_order(session, user=user, order_id=order.id)


def _pending_cancel(session: Session, order_id: int) -> bool:
    return session.exec(
        select(RefundAttempt.id).where(
            RefundAttempt.order_id == order_id,
            RefundAttempt.cancels_order == True,  # noqa: E712
            RefundAttempt.status == RefundAttemptStatus.PENDING.value,
        )
    ).first() is not None


def cancel_order(session: Session, *, user: User | None, order_id: object, reason: object = "") -> orders.Cancellation:
    """The shop cancels a paid order it has not shipped: full refund to the buyer's card,
    stock back. Commits. PermissionDenied("merchant_only"), NotFound("order_not_found"),
    ValidationError("reason_invalid" | "reason_too_long"), Conflict("order_not_cancellable",
    status=...), Conflict("refund_failed") (the gateway refused; nothing changed). A lost
    gateway answer gives Cancellation.pending; cancelling again never refunds twice."""
    _, order = _shop_order(session, user=user, order_id=order_id)
    text = refunds.clean_reason(reason)
    if order.status == OrderStatus.CANCELLED.value:
        return orders.Cancellation(order, refunded_now=False)
    if _pending_cancel(session, order.id):  # type: ignore[arg-type]
        return orders.Cancellation(order, refunded_now=False, pending=True)
    if not _can_cancel(order):
        raise Conflict("order_not_cancellable", status=order.status)
    return orders._cancel_with_refund(session, order=order, actor_id=user.id,  # type: ignore[union-attr]
                                      requested_by="merchant", reason=text or "cancelled by the shop")


def refund(
    session: Session, *, user: User | None, order_id: object, amount: object, reason: object = "",
    language: str = "en",
) -> refunds.RefundResult:
    """Refund `amount` as the merchant typed it ("12,50", in the order's currency) of one of
    the shop's orders. Commits. Raises what money.refunds.refund_order raises, and
    ValidationError("amount_required" | "amount_not_numeric" | "amount_not_positive" |
    "amount_too_many_decimals") for what is not an amount."""
    _, order = _shop_order(session, user=user, order_id=order_id)
    cents = parse_amount(amount, order.currency, language)
    return refunds.refund_order(session, actor=user, order_id=order.id, amount_cents=cents, reason=reason)
