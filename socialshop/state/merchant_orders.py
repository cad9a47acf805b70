"""State of /merchant/orders, the order desk: one page of the shop's orders and its actions.

The filter lives in the URL query (?status=paid&app=instagram&from=2026-11-01&to=...), so a
filtered desk can be linked and the back button undoes a filter. The rules (whose orders,
what may be shipped, cancelled or refunded, the money) are in services.merchant_orders and
money.refunds; every handler re-checks the shop through MerchantState._merchant. Rows hold
the buyer only as the shop's pseudonym: no name, email or phone is ever in this state.
"""

from __future__ import annotations

import asyncio
import dataclasses
from urllib.parse import urlencode

import reflex as rx

from socialshop.db import session_scope
from socialshop.money import refunds
from socialshop.services import accounts, merchant_orders, shops
from socialshop.services.errors import PermissionDenied, ServiceError, ValidationError
from socialshop.services.inputs import parse_id
from socialshop.services.money import format_datetime, format_money
from socialshop.state.merchant import MerchantState

DESK_PATH = "/merchant/orders"
# URL parameters and the service's filter arguments.
_FIELDS = {"status": "status", "app": "app", "from": "date_from", "to": "date_to"}
ACTIONS = ("ship", "cancel", "refund")


@dataclasses.dataclass(frozen=True)
class DeskRow:
    """One order as the desk shows it, every amount already formatted."""

    id: int
    number: str
    date_label: str
    date_iso: str
    app: str
    status: str
    source: str
    customer: str
    items_label: str
    gross_label: str
    commission_label: str
    flat_label: str
    net_label: str
    package: str
    refunded_cents: int
    refunded_label: str
    net_after_refunds_label: str
    pending_label: str
    refundable_label: str
    needs_shipping: bool
    address: str
    carrier: str
    tracking_number: str
    shipped_label: str
    note: str
    can_ship: bool
    can_cancel: bool
    can_refund: bool
    cancel_pending: bool


def _filters_from(values: object) -> merchant_orders.DeskFilters:
    source = values if isinstance(values, dict) else {}
    return merchant_orders.parse_filters(**{arg: source.get(name, "") for name, arg in _FIELDS.items()})


def _desk_url(filters: merchant_orders.DeskFilters) -> str:
    query = {
        name: value
        for name, value in (
            ("status", filters.status),
            ("app", filters.app),
            ("from", filters.date_from.isoformat() if filters.date_from else ""),
            ("to", filters.date_to.isoformat() if filters.date_to else ""),
        )
        if value
    }
    return f"{DESK_PATH}?{urlencode(query)}" if query else DESK_PATH


def _row(order: merchant_orders.DeskOrder, lang: str) -> DeskRow:
    money = lambda cents: format_money(cents, order.currency, lang)  # noqa: E731
    address = ", ".join(
        part for part in (order.ship_line1, f"{order.ship_postal_code} {order.ship_city}".strip(), order.ship_country)
        if part
    )
    return DeskRow(
        id=order.id,
        number=order.number,
        date_label=format_datetime(order.created_at, lang),
        date_iso=order.created_at.isoformat(),
        app=order.app,
        status=order.status,
        source=order.source,
        customer=order.customer,
        items_label=", ".join(f"{item.quantity} × {item.title}" for item in order.items),
        gross_label=money(order.gross_cents),
        commission_label=money(order.commission_cents),
        flat_label=money(order.flat_fee_cents),
        net_label=money(order.net_cents),
        package=order.fee_package,
        refunded_cents=order.refunded_cents,
        refunded_label=money(order.refunded_cents),
        net_after_refunds_label=money(order.net_after_refunds_cents),
        pending_label=money(order.refund_pending_cents) if order.refund_pending_cents else "",
        refundable_label=money(order.refundable_cents),
        needs_shipping=order.needs_shipping,
        address=address,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        shipped_label=format_datetime(order.shipped_at, lang) if order.shipped_at else "",
        note=order.note,
        can_ship=order.can_ship,
        can_cancel=order.can_cancel,
        can_refund=order.can_refund,
        cancel_pending=order.cancel_pending,
    )


def _merchant_for(session, token: str):
    user = accounts.user_for_token(session, token=token)
    if user is None:
        raise PermissionDenied("merchant_only")
    shops.require_shop(session, user=user)
    return user


def _ship(token: str, order_id: int, carrier: object, tracking: object) -> merchant_orders.DeskOrder:
    with session_scope() as session:
        user = _merchant_for(session, token)
        return merchant_orders.mark_shipped(
            session, user=user, order_id=order_id, carrier=carrier, tracking_number=tracking
        )


def _cancel(token: str, order_id: int, reason: object):
    with session_scope() as session:
        user = _merchant_for(session, token)
        return merchant_orders.cancel_order(session, user=user, order_id=order_id, reason=reason)


def _refund(token: str, order_id: int, amount: object, reason: object, lang: str) -> refunds.RefundResult:
    with session_scope() as session:
        user = _merchant_for(session, token)
        return merchant_orders.refund(session, user=user, order_id=order_id, amount=amount, reason=reason,
                                      language=lang)


class MerchantOrdersState(MerchantState):
    rows: list[DeskRow] = []
    desk_loaded: bool = False
    desk_error: str = ""
    desk_notice: str = ""
    filter_status: str = ""
    filter_app: str = ""
    filter_from: str = ""
    filter_to: str = ""
    # Bumped on every load: the form's fields are re-created with the filter's values.
    form_version: int = 0
    has_older: bool = False
    page_number: int = 1
    # The open action dialog: which action, on which of the shown orders.
    action: str = ""
    action_order_id: int = 0
    action_number: str = ""
    action_left_label: str = ""
    action_gross_label: str = ""
    action_error: str = ""
    busy: bool = False
    _filters: merchant_orders.DeskFilters = merchant_orders.DeskFilters()
    # The cursor of every page from the newest to the shown one ("" is the newest page).
    _cursors: list[str] = [""]
    _next_cursor: str = ""

    @rx.var
    def filtered(self) -> bool:
        return any((self.filter_status, self.filter_app, self.filter_from, self.filter_to))

    @rx.var
    def action_open(self) -> bool:
        return self.action != ""

    def _show_filters(self, filters: merchant_orders.DeskFilters) -> None:
        self._filters = filters
        self.filter_status, self.filter_app = filters.status, filters.app
        self.filter_from = filters.date_from.isoformat() if filters.date_from else ""
        self.filter_to = filters.date_to.isoformat() if filters.date_to else ""
        self.form_version += 1

    def _fetch(self, session, user) -> None:
        try:
            page = merchant_orders.list_orders(session, user=user, filters=self._filters, cursor=self._cursors[-1])
        except ValidationError as error:
            self.desk_error = self._error_text(error)
            self._cursors = [""]
            page = merchant_orders.list_orders(session, user=user, filters=self._filters)
        self.rows = [_row(order, self.lang) for order in page.orders]
        self._next_cursor = page.next_cursor
        self.has_older = page.next_cursor != ""
        self.page_number = len(self._cursors)
        self.desk_loaded = True

    def _refresh(self) -> None:
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                self.rows, self.has_older = [], False
                return
            self._fetch(session, found[0])

    @rx.event
    def load(self):
        self.desk_error = self.desk_notice = ""
        self.rows, self.desk_loaded = [], False
        self._close()
        try:
            filters = _filters_from(dict(self.router.url.query_parameters))
        except ServiceError as error:
            # A hand-edited link: say what is wrong with it and show every order.
            self.desk_error = self._error_text(error)
            filters = merchant_orders.DeskFilters()
        self._show_filters(filters)
        self._cursors = [""]
        with session_scope() as session:
            found = self._merchant_page(session)
            if found is None:
                return self._login_redirect() if self.user_display_name == "" else None
            self._fetch(session, found[0])
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        """A bad field is named and nothing changes; a good filter becomes the URL."""
        try:
            filters = _filters_from(form_data)
        except ServiceError as error:
            self.desk_error = self._error_text(error)
            return None
        self.desk_error = ""
        return rx.redirect(_desk_url(filters))

    @rx.event
    def clear_filters(self):
        return rx.redirect(DESK_PATH)

    @rx.event
    def older(self):
        if not self._next_cursor:
            return
        self._cursors = [*self._cursors, self._next_cursor]
        self.desk_error = self.desk_notice = ""
        self._refresh()

    @rx.event
    def newer(self):
        if len(self._cursors) <= 1:
            return
        self._cursors = self._cursors[:-1]
        self.desk_error = self.desk_notice = ""
        self._refresh()

    # ------------------------------------------------------------ actions

    @rx.event
    def open_action(self, action: str, order_id: int | str):
        """Only an action the row offers, on an order shown on this page, opens a dialog."""
        parsed = parse_id(order_id)
        row = next((r for r in self.rows if r.id == parsed), None)
        allowed = {"ship": row.can_ship, "cancel": row.can_cancel, "refund": row.can_refund} if row else {}
        if action not in ACTIONS or not allowed.get(action):
            return
        self.desk_notice = ""
        self.action, self.action_order_id, self.action_number = action, row.id, row.number  # type: ignore[union-attr]
        self.action_left_label, self.action_gross_label = row.refundable_label, row.gross_label  # type: ignore[union-attr]
        self.action_error = ""

    def _close(self) -> None:
        self.action, self.action_order_id, self.action_number, self.action_error = "", 0, "", ""

    @rx.event
    def set_action_open(self, is_open: bool | str):
        if is_open is not True and not self.busy:
            self._close()

    async def _run(self, work, *args) -> None:
        """Run one action off the event loop; on success close the dialog and reload the page."""
        async with self:
            if self.busy or self.action == "" or self.action_order_id <= 0:
                return
            self.busy, self.action_error = True, ""
            token, order_id, lang, number = self.auth_token, self.action_order_id, self.lang, self.action_number
        try:
            outcome = await asyncio.to_thread(work, token, order_id, *args)
        except ServiceError as error:
            async with self:
                self.busy = False
                self.action_error = self._error_text(error)
            return
        async with self:
            self.busy = False
            if isinstance(outcome, refunds.RefundResult) and outcome.status == "failed":
                # The gateway refused: nothing moved, the dialog stays for another try.
                self.action_error = self._t("desk.refund_declined")
                return
            self.desk_notice = self._notice(outcome, number, lang)
            self._close()
            self._refresh()

    def _notice(self, outcome, number: str, lang: str) -> str:
        if isinstance(outcome, merchant_orders.DeskOrder):
            return self._t("desk.shipped_notice", order=number, tracking=outcome.tracking_number)
        if isinstance(outcome, refunds.RefundResult):
            amount = format_money(outcome.amount_cents, outcome.currency, lang)
            key = "desk.refunded_notice" if outcome.succeeded else "desk.refund_pending_notice"
            return self._t(key, order=number, amount=amount)
        amount = format_money(outcome.order.subtotal_cents, outcome.order.currency, lang)
        if outcome.pending:
            return self._t("desk.cancel_pending_notice", order=number, amount=amount)
        key = "desk.cancelled_notice" if outcome.refunded_now else "desk.already_cancelled_notice"
        return self._t(key, order=number, amount=amount)

    @rx.event(background=True)
    async def submit_ship(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        await self._run(_ship, data.get("carrier", ""), data.get("tracking", ""))

    @rx.event(background=True)
    async def submit_cancel(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        await self._run(_cancel, data.get("reason", ""))

    @rx.event(background=True)
    async def submit_refund(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        async with self:
            lang = self.lang
        await self._run(_refund, data.get("amount", ""), data.get("reason", ""), lang)
