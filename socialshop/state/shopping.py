"""The shopper's cart badge and the product sheet (opened from post tags, storefronts, saved items).

Thin: every rule (availability, stock, saving) lives in services.catalog/cart/saved; this
state only validates what the browser sends and turns ServiceErrors into messages.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import reflex as rx
from sqlmodel import Session

from socialshop.db import session_scope
from socialshop.models import AppSurface, User
from socialshop.services import cart, catalog, inputs, saved
from socialshop.services.errors import ServiceError
from socialshop.state.checkout import CheckoutState
from socialshop.state.session import SessionState, safe_next_path

# A quantity typed in the sheet is at most this many characters (no one buys 10^7 mugs).
MAX_QUANTITY_CHARS = 6


def parse_app_arg(raw: object) -> str | None:
    """An app surface name from the browser, or None."""
    app = AppSurface.parse(raw) if isinstance(raw, str) else None
    return app.value if app is not None else None


class ShopperState(SessionState):
    """What every shopping page shares: the number of units in the cart (top-bar badge)."""

    cart_count: int = 0

    @rx.var
    def cart_badge_label(self) -> str:
        return "99+" if self.cart_count > 99 else str(self.cart_count)

    def _update_cart_count(self, session: Session, user: User | None) -> None:
        self.cart_count = cart.cart_count(session, user=user) if user is not None else 0

    @rx.event
    def refresh_cart_count(self):
        """on_mount of the top-bar cart link: never redirects, an anonymous tab just shows 0."""
        with session_scope() as session:
            self._update_cart_count(session, self._current_user(session))

    @rx.event
    async def start_donation(self, fundraiser_id: str | int, app: str = AppSurface.FACEBOOK.value):
        """The Donate button of a fundraiser post: a fresh checkout sheet for a gift."""
        fid = inputs.parse_id(fundraiser_id)
        app_value = parse_app_arg(app)
        if fid is None or app_value is None:
            return rx.toast.error(
                self._error_text(ServiceError("fundraiser_not_found" if fid is None else "app_invalid"))
            )
        await _fresh_checkout(self)
        return rx.redirect("/checkout?" + urlencode({"donate": fid, "app": app_value}))


async def _fresh_checkout(state: rx.State) -> None:
    """Forget the tab's checkout attempt key: a new purchase or gift is a new attempt.

    (A reload of /checkout keeps the key on purpose; only a new intention starts over.)
    """
    checkout_state = await state.get_state(CheckoutState)
    checkout_state.prepare_new_checkout()


class ProductSheetState(ShopperState):
    """One product in a sheet, with quantity, add to cart, buy now and save."""

    sheet_open: bool = False
    # The post whose tag opened the sheet (0 elsewhere): each post card owns its own dialog.
    sheet_post_id: int = 0
    sheet_app: str = AppSurface.FACEBOOK.value
    sheet_loading: bool = False
    product: catalog.ProductView | None = None
    product_saved: bool = False
    quantity: int = 1
    quantity_text: str = "1"
    quantity_error: str = ""
    sheet_message: str = ""
    sheet_error: str = ""

    @rx.var
    def can_buy(self) -> bool:
        product = self.product
        return (
            product is not None
            and product.available
            and product.stock > 0
            and self.quantity_error == ""
            and not self.sheet_loading
        )

    @rx.var
    def sheet_stock_left(self) -> int:
        return self.product.stock if self.product is not None else 0

    def _reset_sheet(self) -> None:
        self.product = None
        self.product_saved = False
        self.quantity = 1
        self.quantity_text = "1"
        self.quantity_error = ""
        self.sheet_message = ""
        self.sheet_error = ""

    @rx.event
    def open_product(
        self, product_id: str | int, app: str = AppSurface.FACEBOOK.value, post_id: str | int = 0
    ):
        """Open the sheet for a product found on `app` (in post `post_id`, 0 outside the feed)."""
        self._reset_sheet()
        pid = inputs.parse_id(product_id)
        app_value = parse_app_arg(app)
        self.sheet_post_id = inputs.parse_id(post_id) or 0
        self.sheet_app = app_value or AppSurface.FACEBOOK.value
        self.sheet_open = True
        if pid is None:
            self.sheet_error = self._error_text(ServiceError("product_not_found"))
            return
        if app_value is None:
            self.sheet_error = self._error_text(ServiceError("app_invalid"))
            return
        # The sheet opens at once (with a spinner) while the product is read.
        self.sheet_loading = True
        yield
        try:
            with session_scope() as session:
                # Anyone may look at a product; buying, saving and the cart ask to log in.
                user = self._current_user(session)
                self.product = catalog.get_product_view(session, product_id=pid, language=self.lang)
                self.product_saved = user is not None and saved.is_saved(session, user=user, product_id=pid)
                self._update_cart_count(session, user)
        except ServiceError as error:
            self.sheet_error = self._error_text(error)
        finally:
            self.sheet_loading = False

    def _ask_login(self):
        """Logged out: log in, then back to this product's own page (readable logged out),
        in the app it was found in, where Buy now / Add to cart / Save work as usual."""
        self.sheet_open = False
        self.sheet_post_id = 0
        if self.product is None:
            return self._login_redirect()
        path = catalog.product_path(self.product.shop_slug, self.product.id)
        if self.sheet_app != AppSurface.FACEBOOK.value:
            path += "?" + urlencode({"app": self.sheet_app})
        return rx.redirect(f"/login?next={quote(safe_next_path(path), safe='/')}")

    @rx.event
    def close_sheet(self):
        self.sheet_open = False
        self.sheet_post_id = 0

    @rx.event
    def set_sheet_open(self, is_open: bool | str):
        """The dialog's own close requests (Esc, click outside, the close button)."""
        if is_open is not True:
            self.sheet_open = False
            self.sheet_post_id = 0

    def _accept_quantity(self, value: int) -> None:
        self.quantity = value
        self.quantity_text = str(value)
        self.quantity_error = ""

    def _max_quantity(self) -> int:
        return max(self.product.stock, 1) if self.product is not None else 1

    @rx.event
    def set_quantity_text(self, value: str):
        """Typing in the quantity box: keep what was typed, accept it only when it is 1..stock."""
        text = value[:MAX_QUANTITY_CHARS] if isinstance(value, str) else ""
        self.quantity_text = text
        self.sheet_message = ""
        count = inputs.parse_count(text)
        if count is None or count < 1 or count > self._max_quantity():
            self.quantity_error = self._t("sheet.quantity_range", max=self._max_quantity())
            return
        self.quantity = count
        self.quantity_error = ""

    @rx.event
    def increment_quantity(self):
        self.sheet_message = ""
        base = self.quantity if self.quantity_error == "" else 0
        self._accept_quantity(min(base + 1, self._max_quantity()))

    @rx.event
    def decrement_quantity(self):
        self.sheet_message = ""
        base = self.quantity if self.quantity_error == "" else 2
        self._accept_quantity(max(base - 1, 1))

    def _checked_quantity(self) -> int | None:
        """The validated quantity, or None after showing why it cannot be used."""
        count = inputs.parse_count(self.quantity_text)
        if count is None or count < 1 or count > self._max_quantity():
            self.quantity_error = self._t("sheet.quantity_range", max=self._max_quantity())
            return None
        return count

    @rx.event
    def add_to_cart(self):
        self.sheet_message = ""
        self.sheet_error = ""
        if self.product is None:
            return None
        count = self._checked_quantity()
        if count is None:
            return None
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._ask_login()
                cart.add_to_cart(
                    session, user=user, product_id=self.product.id, quantity=count, app=self.sheet_app
                )
                self.product = catalog.get_product_view(
                    session, product_id=self.product.id, language=self.lang
                )
        except ServiceError as error:
            self.sheet_error = self._error_text(error)
            return None
        with session_scope() as session:
            self._update_cart_count(session, self._current_user(session))
        self.sheet_message = self._t("sheet.added")
        return None

    @rx.event
    async def buy_now(self):
        """Straight to checkout with this product and quantity (a new checkout attempt)."""
        self.sheet_error = ""
        if self.product is None or not self.can_buy:
            return None
        count = self._checked_quantity()
        if count is None:
            return None
        with session_scope() as session:
            if self._current_user(session) is None:
                return self._ask_login()
        await _fresh_checkout(self)
        query = urlencode({"product": self.product.id, "qty": count, "app": self.sheet_app})
        self.sheet_open = False
        self.sheet_post_id = 0
        return rx.redirect(f"/checkout?{query}")

    @rx.event
    def toggle_save(self):
        self.sheet_message = ""
        self.sheet_error = ""
        if self.product is None:
            return
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._ask_login()
                self.product_saved = saved.toggle_saved(session, user=user, product_id=self.product.id)
        except ServiceError as error:
            self.sheet_error = self._error_text(error)
            return None
        self.sheet_message = self._t("sheet.saved_now" if self.product_saved else "sheet.unsaved_now")
        return None
