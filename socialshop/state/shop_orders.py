"""The shopper's orders (/orders) and one order (/orders/<id>) with cancelling.

The rules (who may see an order, when it may be cancelled, the refund) are in
services.orders; this state only shapes its results for display.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx
from sqlmodel import Session, col, select

from socialshop.db import session_scope
from socialshop.models import Order, Shop, User
from socialshop.services import accounts, history, inputs, orders
from socialshop.services.errors import NotFound, ServiceError, ValidationError
from socialshop.services.money import format_datetime, format_money
from socialshop.state.shopping import ShopperState

# The name of the dynamic segment in /orders/[order_ref].
ORDER_ARG = "order_ref"


@dataclasses.dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    shop_name: str
    app: str
    date_label: str
    date_iso: str
    total_label: str
    status: str


@dataclasses.dataclass(frozen=True)
class OrderItemRow:
    title: str
    quantity: int
    unit_price_label: str
    line_total_label: str


@dataclasses.dataclass(frozen=True)
class OrderEventRow:
    at_label: str
    at_iso: str
    from_status: str  # "" for the first event
    to_status: str
    who: str  # "you" | "shop" | "system"
    note: str


@dataclasses.dataclass(frozen=True)
class OrderRefundRow:
    amount_label: str
    status: str  # "succeeded" | "pending" (the gateway's answer is being confirmed)
    at_label: str
    at_iso: str
    reason: str


@dataclasses.dataclass(frozen=True)
class OrderDetailView:
    id: int
    number: str
    shop_name: str
    app: str
    status: str
    date_label: str
    subtotal_label: str
    refunded_label: str
    refunded_cents: int
    total_label: str
    ship_name: str
    ship_line1: str
    ship_city: str
    ship_postal_code: str
    ship_country: str
    method_label: str
    can_cancel: bool
    cancel_until_label: str
    items: list[OrderItemRow]
    events: list[OrderEventRow]
    carrier: str = ""
    tracking_number: str = ""
    shipped_label: str = ""
    refunds: list[OrderRefundRow] = dataclasses.field(default_factory=list)
    refund_pending_label: str = ""
    # QR and chat payments: nothing is sent by post, and there may be no item lines.
    needs_shipping: bool = True
    note: str = ""


def _shop_names(session: Session, shop_ids: set[int]) -> dict[int, str]:
    """Names of the shops of a page of orders, closed shops included (one query)."""
    if not shop_ids:
        return {}
    rows = session.exec(select(Shop.id, Shop.name).where(col(Shop.id).in_(shop_ids))).all()
    return {int(shop_id): name for shop_id, name in rows}


def _iso(value) -> str:
    return value.isoformat() if value is not None else ""


class OrdersState(ShopperState):
    order_rows: list[OrderRow] = []
    orders_loaded: bool = False
    orders_error: str = ""

    @rx.event
    def load(self):
        self.orders_error = ""
        try:
            with session_scope() as session:
                user = self._page_user(session)
                if user is None:
                    return self._login_redirect()
                found = orders.list_orders(session, user=user)
                names = _shop_names(session, {o.shop_id for o in found})
                self.order_rows = [
                    OrderRow(
                        id=o.id,  # type: ignore[arg-type]
                        number=o.number,
                        shop_name=names.get(o.shop_id, ""),
                        app=o.app,
                        date_label=format_datetime(o.created_at, self.lang),
                        date_iso=_iso(o.created_at),
                        total_label=format_money(o.subtotal_cents, o.currency, self.lang),
                        status=o.status,
                    )
                    for o in found
                ]
        except ServiceError as error:
            self.order_rows = []
            self.orders_error = self._error_text(error)
        self.orders_loaded = True
        return None


class OrderDetailState(ShopperState):
    order: OrderDetailView | None = None
    order_loaded: bool = False
    order_missing: bool = False
    order_error: str = ""
    order_notice: str = ""
    confirm_open: bool = False
    cancelling: bool = False
    _order_id: int = 0

    @rx.var
    def order_items(self) -> list[OrderItemRow]:
        return self.order.items if self.order is not None else []

    @rx.var
    def order_events(self) -> list[OrderEventRow]:
        return self.order.events if self.order is not None else []

    @rx.var
    def order_refunds(self) -> list[OrderRefundRow]:
        return self.order.refunds if self.order is not None else []

    def _requested_id(self) -> int | None:
        raw = self.router._page.params.get(ORDER_ARG)
        if not isinstance(raw, str) or not raw:
            path = self.router.url.path or ""
            raw = path.rstrip("/").rsplit("/", 1)[-1] if path.startswith("/orders/") else ""
        return inputs.parse_id(raw)

    @rx.event
    def load(self):
        redirect = self.require_login()
        if redirect is not None:
            return redirect
        self.order = None
        self.order_missing = False
        self.order_error = ""
        self.order_notice = ""
        self.confirm_open = False
        self.cancelling = False
        self.order_loaded = False
        order_id = self._requested_id()
        self._order_id = order_id or 0
        if order_id is None:
            self.order_missing = True
            self.order_loaded = True
            return None
        self._fetch()
        return None

    def _fetch(self) -> None:
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    self.order_missing = True
                    return
                self.order = self._view(
                    session, user, orders.get_order_detail(session, user=user, order_id=self._order_id)
                )
        except NotFound:
            self.order = None
            self.order_missing = True
        except ServiceError as error:
            self.order_error = self._error_text(error)
        finally:
            self.order_loaded = True

    def _view(self, session: Session, user: User, detail: orders.OrderDetail) -> OrderDetailView:
        lang = self.lang
        order: Order = detail.order
        money = lambda cents: format_money(cents, order.currency, lang)
        items = [
            OrderItemRow(
                title=item.title,
                quantity=item.quantity,
                unit_price_label=money(item.unit_price_cents),
                line_total_label=money(item.unit_price_cents * item.quantity),
            )
            for item in detail.items
        ]
        events = [
            OrderEventRow(
                at_label=format_datetime(event.at, lang),
                at_iso=_iso(event.at),
                from_status=event.from_status or "",
                to_status=event.to_status,
                who="system" if event.actor_id is None else ("you" if event.actor_id == user.id else "shop"),
                note=event.note,
            )
            for event in detail.events
        ]
        return OrderDetailView(
            id=order.id,  # type: ignore[arg-type]
            number=order.number,
            shop_name=detail.shop_name,
            app=order.app,
            status=order.status,
            date_label=format_datetime(order.created_at, lang),
            subtotal_label=money(order.subtotal_cents),
            refunded_label=money(order.refunded_cents),
            refunded_cents=order.refunded_cents,
            total_label=money(order.subtotal_cents - order.refunded_cents),
            ship_name=order.ship_name,
            ship_line1=order.ship_line1,
            ship_city=order.ship_city,
            ship_postal_code=order.ship_postal_code,
            ship_country=order.ship_country,
            method_label=history.method_label(detail.method_brand, detail.method_last4),
            can_cancel=detail.cancel_until is not None,
            cancel_until_label=format_datetime(detail.cancel_until, lang) if detail.cancel_until else "",
            items=items,
            events=events,
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            needs_shipping=order.needs_shipping,
            note=order.note,
            shipped_label=format_datetime(order.shipped_at, lang) if order.shipped_at else "",
            refunds=[
                OrderRefundRow(
                    amount_label=money(r.amount_cents),
                    status=r.status,
                    at_label=format_datetime(r.created_at, lang),
                    at_iso=_iso(r.created_at),
                    reason=r.reason,
                )
                for r in detail.refunds
            ],
            refund_pending_label=money(order.refund_pending_cents) if order.refund_pending_cents else "",
        )

    @rx.event
    def ask_cancel(self):
        self.order_error = ""
        self.order_notice = ""
        if self.order is not None and self.order.can_cancel:
            self.confirm_open = True

    @rx.event
    def set_confirm_open(self, is_open: bool | str):
        self.confirm_open = is_open is True and self.order is not None and self.order.can_cancel

    @rx.event(background=True)
    async def confirm_cancel(self):
        """Cancel the order on this page (its id comes from the URL, never from the click).

        A background event: the gateway refund runs in a worker thread, so it never
        freezes the other users of this process.
        """
        async with self:
            self.confirm_open = False
            if self.cancelling or self._order_id <= 0:
                return
            self.cancelling = True
            self.order_error = ""
            self.order_notice = ""
            token, order_id, lang = self.auth_token, self._order_id, self.lang
        try:
            cancellation = await asyncio.to_thread(_cancel, token, order_id)
        except ServiceError as error:
            cancellation, failure = None, error
        async with self:
            self.cancelling = False
            if cancellation is None:
                self.order_error = self._error_text(failure)
            else:
                order = cancellation.order
                amount = format_money(order.refunded_cents or order.refund_pending_cents, order.currency, lang)
                if cancellation.pending:
                    key = "orders.cancel_pending"
                elif cancellation.refunded_now:
                    key = "orders.cancelled_refund"
                else:
                    key = "orders.already_cancelled"
                self.order_notice = self._t(key, amount=amount)
            self._fetch()


def _cancel(token: str, order_id: int) -> orders.Cancellation:
    with session_scope() as session:
        user = accounts.user_for_token(session, token=token)
        if user is None:
            raise ValidationError("login_required")
        return orders.cancel_order(session, user=user, order_id=order_id)
