"""The cart page: lines grouped by shop, quantities, totals."""

from __future__ import annotations

import dataclasses

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import cart, inputs
from socialshop.services.errors import ServiceError
from socialshop.state.shopping import ShopperState


@dataclasses.dataclass(frozen=True)
class CartCheckout:
    """One checkout button: the available lines found in one app, paid in that app."""

    app: str
    app_label: str
    total_label: str


class CartState(ShopperState):
    cart_view: cart.CartView | None = None
    cart_loaded: bool = False
    cart_error: str = ""
    cart_notice: str = ""

    @rx.var
    def cart_groups(self) -> list[cart.CartShopGroup]:
        return self.cart_view.groups if self.cart_view is not None else []

    @rx.var
    def cart_is_empty(self) -> bool:
        return self.cart_view is None or len(self.cart_view.groups) == 0

    @rx.var
    def cart_can_checkout(self) -> bool:
        # Checkout buys every line of the cart: lines to fix (stock, withdrawn) would fail it.
        view = self.cart_view
        return view is not None and view.total_cents > 0 and not view.has_unavailable

    @rx.var
    def cart_checkouts(self) -> list[CartCheckout]:
        view = self.cart_view
        if view is None:
            return []
        return [CartCheckout(a.app, self._t(f"app.{a.app}"), a.total_label) for a in view.apps]

    @rx.var
    def cart_spans_apps(self) -> bool:
        return self.cart_view is not None and len(self.cart_view.apps) > 1

    @rx.event
    def load(self):
        self.cart_error = ""
        self.cart_notice = ""
        return self._refresh()

    def _refresh(self):
        try:
            with session_scope() as session:
                user = self._page_user(session)
                if user is None:
                    return self._login_redirect()
                self.cart_view = cart.get_cart(session, user=user, language=self.lang)
                self._update_cart_count(session, user)
        except ServiceError as error:
            self.cart_error = self._error_text(error)
        self.cart_loaded = True
        return None

    def _line(self, product_id: int) -> cart.CartLine | None:
        if self.cart_view is None:
            return None
        for group in self.cart_view.groups:
            for line in group.lines:
                if line.product_id == product_id:
                    return line
        return None

    def _change(self, product_id: object, new_quantity) -> object:
        """Set a line's quantity (0 removes it) through the cart service, then reload the cart."""
        self.cart_error = ""
        self.cart_notice = ""
        pid = inputs.parse_id(product_id)
        line = self._line(pid) if pid is not None else None
        if line is None:
            # Not a line of this cart (stale page, forged id): say so and show the real cart.
            self.cart_error = self._error_text(ServiceError("cart_item_not_found"))
            return self._refresh()
        quantity = new_quantity(line) if callable(new_quantity) else new_quantity
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                cart.set_quantity(session, user=user, product_id=pid, quantity=quantity)
        except ServiceError as error:
            self.cart_error = self._error_text(error)
        return self._refresh()

    @rx.event
    def increment(self, product_id: str | int):
        return self._change(product_id, lambda line: line.quantity + 1)

    @rx.event
    def decrement(self, product_id: str | int):
        # Never to 0 by the minus button: removing is its own, explicit button.
        return self._change(product_id, lambda line: max(line.quantity - 1, 1))

    @rx.event
    def set_line_quantity(self, product_id: str | int, value: str | int):
        count = inputs.parse_count(value)
        if count is None or count < 1:
            self.cart_notice = ""
            self.cart_error = self._error_text(ServiceError("quantity_invalid"))
            return self._refresh()
        return self._change(product_id, count)

    @rx.event
    def remove(self, product_id: str | int):
        self.cart_error = ""
        self.cart_notice = ""
        pid = inputs.parse_id(product_id)
        if pid is None:
            self.cart_error = self._error_text(ServiceError("cart_item_not_found"))
            return None
        line = self._line(pid)
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                cart.remove_from_cart(session, user=user, product_id=pid)
        except ServiceError as error:
            self.cart_error = self._error_text(error)
            return self._refresh()
        if line is not None:
            self.cart_notice = self._t("cart.removed", title=line.title)
        return self._refresh()
