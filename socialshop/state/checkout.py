"""Paying: the checkout sheet (cart, "Buy now", donations) and the shared payment flow.

The attempt's idempotency key is made when the sheet opens and kept in the tab's
sessionStorage, so a reload, a retry or a second click reaches the same attempt and gets
its first result instead of paying twice. Rules live in services.checkout and friends;
`PaymentSheetState` holds what every way of paying shares (method, new card, PIN).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from socialshop import i18n
from socialshop.components.payment_form import PIN_FIELD_ID
from socialshop.db import session_scope
from socialshop.models import AppSurface, AttemptStatus, PaymentKind, User
from socialshop.payments import card_validation
from socialshop.services import cart, catalog, checkout, donations, inputs, payment_methods, pin
from socialshop.services.errors import NotFound, ServiceError, ValidationError
from socialshop.services.money import format_money, parse_amount
from socialshop.state.session import SessionState

SHIPPING_FIELDS = ("name", "line1", "city", "postal_code", "country")
CARD_FIELDS = ("number", "expiry", "cvc", "holder_name")
PIN_ERRORS = ("pin_wrong", "pin_locked", "pin_format", "pin_not_set")
NEW_CARD = "new"

PaymentRun = Callable[[Session, User, int], checkout.CheckoutResult]


@dataclasses.dataclass(frozen=True)
class SummaryLine:
    title: str
    detail: str
    amount_label: str


@dataclasses.dataclass(frozen=True)
class MethodOption:
    id: str
    label: str


def form_text(form_data: object, name: str, max_length: int = 200) -> str:
    """A form field as a trimmed string; anything that is not a string counts as empty."""
    if not isinstance(form_data, dict):
        return ""
    value = form_data.get(name, "")
    return value.strip()[:max_length] if isinstance(value, str) else ""


class PaymentSheetState(SessionState):
    """Method choice, inline new card, PIN and the attempt key, for any kind of payment."""

    app: str = AppSurface.FACEBOOK.value
    methods: list[MethodOption] = []
    selected_method: str = ""
    card_errors: dict[str, str] = {field: "" for field in CARD_FIELDS}
    pin_error: str = ""
    error: str = ""
    status: str = "loading"  # loading | ready | processing | succeeded | failed | empty
    order_numbers: list[str] = []
    paid_label: str = ""
    has_pin: bool = True
    attempt_key: str = rx.SessionStorage(name="socialshop_payment_key")

    @rx.var
    def busy(self) -> bool:
        return self.status in ("processing", "succeeded", "loading")

    def _kind(self) -> str:
        raise NotImplementedError

    def _reset_view(self) -> None:
        self.error = ""
        self.pin_error = ""
        self.card_errors = {field: "" for field in CARD_FIELDS}
        self.order_numbers = []
        self.paid_label = ""
        self.status = "loading"

    def _load_payment_options(self, session: Session, user: User) -> None:
        """Saved cards (default preselected) and whether a PIN exists to confirm with."""
        self.has_pin = pin.pin_status(session, user=user).is_set
        methods = payment_methods.list_methods(session, user=user)
        self.methods = [
            MethodOption(str(m.id), f"{m.brand.capitalize()} •••• {m.last4} ({m.exp_month:02d}/{m.exp_year % 100:02d})")
            for m in methods
        ]
        default = next((m for m in methods if m.is_default), methods[0] if methods else None)
        self.selected_method = str(default.id) if default else NEW_CARD

    def _resume_or_open_attempt(self, session: Session, user: User) -> None:
        """Same tab, same kind of payment: the stored attempt (and its result) is reused."""
        attempt = None
        if self.attempt_key:
            try:
                attempt = checkout.get_attempt(session, user=user, key=self.attempt_key)
            except NotFound:
                attempt = None
        if (
            attempt is not None
            and attempt.kind == self._kind()
            and attempt.app == self.app
            and attempt.status != AttemptStatus.FAILED.value
        ):
            if attempt.status == AttemptStatus.SUCCEEDED.value:
                self._show_result(checkout.attempt_result(session, user=user, key=attempt.idempotency_key))
            else:
                self.status = "processing" if attempt.status == AttemptStatus.PROCESSING.value else "ready"
            return
        attempt = checkout.open_attempt(session, user=user, kind=self._kind(), app=self.app)
        self.attempt_key = attempt.idempotency_key
        self.status = "ready"

    def _show_result(self, result: checkout.CheckoutResult) -> None:
        if result.status == "succeeded":
            self.status = "succeeded"
            self.order_numbers = list(result.order_numbers)
            self.paid_label = format_money(result.total_cents, result.currency, self.lang)
        elif result.status == "processing":
            self.status = "processing"
        else:
            self.status = "failed"
            self.error = self._decline_text(result.failure_code)

    def _decline_text(self, code: str) -> str:
        key = f"decline.{code}"
        return self._t(key if key in i18n.CATALOG else "decline.card_declined")

    @rx.event
    def choose_method(self, value: str):
        if value == NEW_CARD or any(m.id == value for m in self.methods):
            self.selected_method = value

    def _require_user(self, session: Session) -> User:
        user = self._current_user(session)
        if user is None:
            raise ValidationError("login_required")
        return user

    def _begin_payment(self) -> bool:
        """Move to 'processing' unless a payment already runs or succeeded (double clicks)."""
        if self.status != "ready":
            return False
        self.status = "processing"
        self.error = ""
        self.pin_error = ""
        self.card_errors = {field: "" for field in CARD_FIELDS}
        return True

    def _pay_with(self, form_data: dict, run: PaymentRun) -> None:
        """Check the new card's fields, then the PIN, then `run(session, user, method_id)`.

        The card is checked before the PIN so a typo costs no PIN try; a card added for
        this payment is forgotten again when the payment is refused.
        """
        card = self._card_input(form_data) if self.selected_method == NEW_CARD else None
        if card is not None:
            fields = card_validation.validate_card(
                number=card["number"], exp_month=card["exp_month"], exp_year=card["exp_year"], cvc=card["cvc"]
            )
            if fields:
                raise ValidationError("card_invalid", fields=fields)
        with session_scope() as session:
            user = self._require_user(session)
            checkout.authorize_attempt(session, user=user, key=self.attempt_key, pin=form_text(form_data, "pin", 12))
        with session_scope() as session:
            user = self._require_user(session)
            if card is not None:
                method_id = payment_methods.add_card(session, user=user, **card).id
            else:
                method_id = inputs.parse_id(self.selected_method)
                if method_id is None:
                    raise ValidationError("method_required")
        with session_scope() as session:
            user = self._require_user(session)
            result = run(session, user, method_id)  # type: ignore[arg-type]
            if card is not None and result.status == "failed":
                payment_methods.remove_method(session, user=user, method_id=method_id)
        self._show_result(result)

    def _card_input(self, form_data: dict) -> dict[str, str]:
        month, _, year = form_text(form_data, "card_expiry", 7).partition("/")
        return {
            "number": form_text(form_data, "card_number", 30),
            "exp_month": month.strip(),
            "exp_year": year.strip(),
            "cvc": form_text(form_data, "card_cvc", 4),
            "holder_name": form_text(form_data, "card_name", 120),
        }

    def _show_error(self, error: ServiceError) -> None:
        self.status = "ready"
        if error.code == "card_invalid":
            fields = error.params.get("fields", {})
            self.card_errors = {
                field: self._t(f"card.error.{field}.{fields[field]}") if field in fields else ""
                for field in CARD_FIELDS
            }
            self.error = self._t("card.fix_fields")
        elif error.code == "card_declined":
            self.error = self._decline_text(str(error.params.get("reason", "")))
        elif error.code in PIN_ERRORS:
            self.pin_error = self._error_text(error)
        else:
            self.error = self._error_text(error)


class CheckoutState(PaymentSheetState):
    mode: str = "cart"  # cart | product | donation
    lines: list[SummaryLine] = []
    total_label: str = ""
    shipping: dict[str, str] = {}
    _product_id: int = 0
    _quantity: int = 0
    _fundraiser_id: int = 0

    @rx.var
    def needs_shipping(self) -> bool:
        return self.mode != "donation"

    def _kind(self) -> str:
        return (PaymentKind.DONATION if self.mode == "donation" else PaymentKind.PURCHASE).value

    def prepare_new_checkout(self) -> None:
        """Before navigating to a new checkout: a new attempt, and no flash of the last
        sheet (its form would be typed into, then replaced when the new one loads)."""
        self.attempt_key = ""
        self.status = "loading"
        self.lines = []

    @rx.event
    def start_checkout(self):
        """From the cart: a fresh sheet, so a new attempt (the old key belongs to an old cart)."""
        self.prepare_new_checkout()
        return rx.redirect("/checkout")

    @rx.event
    def load(self):
        self._reset_view()
        self.lines = []
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            try:
                self._read_request(session, user)
                self._load_payment_options(session, user)
                self._load_shipping(session, user)
                self._resume_or_open_attempt(session, user)
            except ServiceError as error:
                self.error = self._error_text(error)
                self.status = "empty"
        return None

    def _read_request(self, session: Session, user: User) -> None:
        params = self.router.url.query_parameters
        app = AppSurface.parse(params.get("app", AppSurface.FACEBOOK.value))
        if app is None:
            raise ValidationError("app_invalid")
        self.app = app.value
        if "donate" in params:
            self.mode = "donation"
            progress = donations.fundraiser_progress(session, fundraiser_id=params.get("donate"), language=self.lang)
            self._fundraiser_id = progress.fundraiser_id
            self.lines = [SummaryLine(progress.title, f"{progress.raised_label} / {progress.goal_label}", "")]
            self.total_label = ""
        elif "product" in params:
            self.mode = "product"
            product = catalog.get_product_view(session, product_id=params.get("product"), language=self.lang)
            quantity = inputs.parse_count(params.get("qty", "1"))
            if quantity is None or quantity < 1:
                raise ValidationError("quantity_invalid")
            self._product_id, self._quantity = product.id, quantity
            total = format_money(product.price_cents * quantity, product.currency, self.lang)
            self.lines = [SummaryLine(product.title, f"{quantity} × {product.price_label} · {product.shop_name}", total)]
            self.total_label = total
        else:
            self.mode = "cart"
            view = cart.get_cart(session, user=user, language=self.lang)
            self.lines = [
                SummaryLine(line.title, f"{line.quantity} × {line.unit_price_label} · {group.shop_name}",
                            line.line_total_label)
                for group in view.groups
                for line in group.lines
                if line.available
            ]
            self.total_label = view.total_label
            if not self.lines:
                raise ValidationError("cart_empty")

    def _load_shipping(self, session: Session, user: User) -> None:
        profile = payment_methods.ensure_pay_profile(session, user=user)
        self.shipping = {
            "name": profile.ship_name or user.display_name,
            "line1": profile.ship_line1,
            "city": profile.ship_city,
            "postal_code": profile.ship_postal_code,
            "country": profile.ship_country or "IT",
        }

    @rx.event
    def try_again(self):
        """After a refusal: a new attempt (the failed one keeps its result)."""
        self.attempt_key = ""
        return CheckoutState.load

    @rx.event
    def pay(self, form_data: dict):
        if not self._begin_payment():
            return
        yield
        try:
            self._pay(form_data)
        except ServiceError as error:
            self._show_error(error)
        # A PIN is typed for one payment attempt only.
        yield rx.set_value(PIN_FIELD_ID, "")

    def _pay(self, form_data: dict) -> None:
        shipping = {field: form_text(form_data, f"ship_{field}") for field in SHIPPING_FIELDS}
        amount_cents = 0
        if self.mode == "donation":
            amount_cents = donations.check_donation_amount(
                parse_amount(form_text(form_data, "amount", 20), "EUR", self.lang)
            )
        else:
            self.shipping = shipping

        def run(session: Session, user: User, method_id: int) -> checkout.CheckoutResult:
            if self.mode == "donation":
                return donations.donate(
                    session, user=user, key=self.attempt_key, fundraiser_id=self._fundraiser_id,
                    amount_cents=amount_cents, method_id=method_id, app=self.app,
                )
            items = (
                [(self._product_id, self._quantity)] if self.mode == "product" else cart.cart_items(session, user=user)
            )
            return checkout.checkout_items(
                session, user=user, key=self.attempt_key, items=items, method_id=method_id,
                shipping=shipping, app=self.app,
            )

        self._pay_with(form_data, run)
