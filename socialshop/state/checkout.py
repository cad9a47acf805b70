"""Paying: the checkout sheet (cart, "Buy now", donations) and the shared payment flow.

The attempt's idempotency key is made when the sheet opens and kept in the tab's
sessionStorage, so a reload, a retry or a second click reaches the same attempt and gets
its first result instead of paying twice. Rules live in services.checkout and friends;
`PaymentSheetState` holds what every way of paying shares (method, new card, PIN).

Paying is a background event: the request is copied out of the state, and the PIN
check (argon2), the card's tokenization and the gateway call run in a worker thread, so
one slow gateway never freezes the other users of this process (nor holds Reflex's state
lock). A payment whose outcome is unknown shows "being confirmed" and the same task
keeps asking until the engine settles it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import time

import reflex as rx
from sqlmodel import Session

from socialshop import i18n
from socialshop.components import passkey_confirm
from socialshop.components.payment_form import PIN_FIELD_ID
from socialshop.db import get_engine, session_scope
from socialshop.models import AppSurface, AttemptStatus, PaymentKind, User
from socialshop.money import engine as money_engine
from socialshop.money import reconcile
from socialshop.payments import card_validation
from socialshop.services import (
    accounts,
    cart,
    catalog,
    checkout,
    contact,
    donations,
    history,
    inputs,
    passkeys,
    pay_authorization,
    pay_pin,
    payment_methods,
)
from socialshop.services.errors import NotFound, ServiceError, ValidationError
from socialshop.services.money import format_money, parse_amount
from socialshop.state.session import SessionState

SHIPPING_FIELDS = ("name", "line1", "city", "postal_code", "country")
CARD_FIELDS = ("number", "expiry", "cvc", "holder_name")
PIN_ERRORS = ("pin_wrong", "pin_locked", "pin_format", "pin_not_set", "pin_required")
PASSKEY_ERRORS = ("passkey_invalid", "passkey_expired", "passkey_none", "passkey_origin_invalid")
NEW_CARD = "new"
NEW_ADDRESS = "new"
UNSETTLED = ("processing", "confirming")
# How long a page keeps asking about its unsettled payment before saying "see history".
WATCH_SECONDS = 120.0
POLL_SECONDS = 1.0


@dataclasses.dataclass(frozen=True)
class SummaryLine:
    title: str
    detail: str
    amount_label: str


@dataclasses.dataclass(frozen=True)
class MethodOption:
    id: str
    label: str


@dataclasses.dataclass(frozen=True)
class AddressOption:
    id: str
    label: str


@dataclasses.dataclass(frozen=True)
class PaymentRequest:
    """A payment as the browser asked for it, copied out of the state before the work
    leaves the event loop (the worker thread never touches the state)."""

    auth_token: str
    attempt_key: str
    pin: str
    card: dict | None
    method_id: int | None
    details: dict
    # A passkey assertion (JSON) answering this attempt's challenge, instead of the PIN.
    passkey: str = ""


def form_text(form_data: object, name: str, max_length: int = 200) -> str:
    """A form field as a trimmed string; anything that is not a string counts as empty."""
    if not isinstance(form_data, dict):
        return ""
    value = form_data.get(name, "")
    return value.strip()[:max_length] if isinstance(value, str) else ""


def _error_link(error: ServiceError) -> str:
    """The settings page a refusal names (only this app's own paths, never a URL from outside)."""
    link = error.params.get("link", "")
    return link if isinstance(link, str) and link.startswith("/pay/") else ""


def _user_for(session: Session, token: str) -> User:
    user = accounts.user_for_token(session, token=token)
    if user is None:
        raise ValidationError("login_required")
    return user


def _settle_own(token: str, key: str) -> checkout.CheckoutResult | None:
    """Ask about this tab's unsettled attempt (the reconciler's rules) and read its result."""
    with session_scope() as session:
        user = accounts.user_for_token(session, token=token)
        if user is None:
            return None
        user_id = user.id
    reconcile.resolve_own_attempt(get_engine(), key=key, user_id=user_id)  # type: ignore[arg-type]
    with session_scope() as session:
        user = _user_for(session, token)
        try:
            return checkout.attempt_result(session, user=user, key=key)
        except NotFound:
            return None


class PaymentSheetState(SessionState):
    """Method choice, inline new card, PIN and the attempt key, for any kind of payment."""

    app: str = AppSurface.FACEBOOK.value
    methods: list[MethodOption] = []
    selected_method: str = ""
    card_errors: dict[str, str] = {field: "" for field in CARD_FIELDS}
    pin_error: str = ""
    error: str = ""
    # A page of this app that can lift the refusal in `error` (e.g. /pay/apps), or "".
    error_link: str = ""
    # loading | ready | processing | confirming | succeeded | failed | empty
    status: str = "loading"
    # Confirming for longer than WATCH_SECONDS: the page stops waiting, the engine does not.
    confirming_late: bool = False
    order_numbers: list[str] = []
    paid_label: str = ""
    # The history entry of this payment ("payment-<id>", as the history page names rows).
    paid_entry: str = ""
    has_pin: bool = True
    has_passkey: bool = False
    passkey_error: str = ""
    # "€20.00" when the payer's policy lets payments up to that amount skip the PIN.
    pin_skip_label: str = ""
    attempt_key: str = rx.SessionStorage(name="socialshop_payment_key")

    @rx.var
    def busy(self) -> bool:
        return self.status in ("processing", "confirming", "succeeded", "loading")

    def _kind(self) -> str:
        raise NotImplementedError

    def _subject(self) -> str:
        """What this sheet pays for; a stored attempt is resumed only for the same thing."""
        raise NotImplementedError

    def _reset_view(self) -> None:
        self.error = ""
        self.error_link = ""
        self.pin_error = ""
        self.passkey_error = ""
        self.card_errors = {field: "" for field in CARD_FIELDS}
        self.order_numbers = []
        self.paid_label = ""
        self.paid_entry = ""
        self.confirming_late = False
        self.status = "loading"

    def _load_payment_options(self, session: Session, user: User) -> None:
        """Saved methods that can pay (default preselected) and whether a PIN exists."""
        self.has_pin = pay_pin.pin_status(session, user=user).is_set
        self.has_passkey = passkeys.has_passkey(session, user=user)
        policy = pay_authorization.get_policy(session, user=user)
        self.pin_skip_label = (
            format_money(policy.threshold_cents, pay_authorization.POLICY_CURRENCY, self.lang)
            if policy.skips_small_payments else ""
        )
        # Expired cards are not offered (the service would refuse them anyway).
        methods = payment_methods.payable_methods(session, user=user)
        self.methods = [MethodOption(str(m.id), payment_methods.method_label(m)) for m in methods]
        default = next((m for m in methods if m.is_default), methods[0] if methods else None)
        self.selected_method = str(default.id) if default else NEW_CARD

    def _resume_or_open_attempt(self, session: Session, user: User) -> None:
        """Same tab, same payment: the stored attempt (and its result) is reused."""
        attempt = None
        if self.attempt_key:
            try:
                attempt = checkout.get_attempt(session, user=user, key=self.attempt_key)
            except NotFound:
                attempt = None
        subject = self._subject()
        if (
            attempt is not None
            and attempt.kind == self._kind()
            and attempt.app == self.app
            and attempt.subject == subject
            and attempt.status != AttemptStatus.FAILED.value
        ):
            if attempt.status == AttemptStatus.OPEN.value:
                self.status = "ready"
            else:
                self._show_result(checkout.attempt_result(session, user=user, key=attempt.idempotency_key))
            return
        attempt = checkout.open_attempt(session, user=user, kind=self._kind(), app=self.app, subject=subject)
        self.attempt_key = attempt.idempotency_key
        self.status = "ready"

    def _show_result(self, result: checkout.CheckoutResult) -> None:
        if result.status == "succeeded":
            self.status = "succeeded"
            self.error = ""
            self.order_numbers = list(result.order_numbers)
            self.paid_label = format_money(result.total_cents, result.currency, self.lang)
            self.paid_entry = history.entry_id("payment", result.payment_id)
        elif result.status in UNSETTLED:
            self.status = result.status
        else:
            self.status = "failed"
            self.error = self._decline_text(result.failure_code)

    def _decline_text(self, code: str) -> str:
        key = f"decline.{code}"
        return self._t(key if key in i18n.CATALOG else "decline.card_declined")

    @rx.event
    def confirm_with_passkey(self):
        """Ask the browser for an assertion over this attempt's challenge; the script puts it
        in the form and sends the form (see components/passkey_confirm.py)."""
        self.passkey_error = ""
        if self.status != "ready":
            return None
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                options = money_engine.passkey_options(
                    session, user=user, key=self.attempt_key, origin=self.router.headers.origin
                )
            except ServiceError as error:
                self.passkey_error = self._error_text(error)
                return None
        return rx.call_script(passkey_confirm.assertion_script(options), callback=type(self).passkey_done)

    @rx.event
    def passkey_done(self, result: str):
        key = passkey_confirm.error_key(result)
        if key:
            self.passkey_error = self._t(key)

    @rx.event
    def choose_method(self, value: str):
        if value == NEW_CARD or any(m.id == value for m in self.methods):
            self.selected_method = value

    def _require_user(self, session: Session) -> User:
        return _user_for(session, self.auth_token)

    def _begin_payment(self) -> bool:
        """Move to 'processing' unless a payment already runs or succeeded (double clicks)."""
        if self.status != "ready":
            return False
        self.status = "processing"
        self.error = ""
        self.error_link = ""
        self.pin_error = ""
        self.passkey_error = ""
        self.card_errors = {field: "" for field in CARD_FIELDS}
        return True

    def _payment_details(self, form_data: dict) -> dict:
        """What this kind of payment needs from the form, validated (raises ServiceError)."""
        raise NotImplementedError

    @classmethod
    def _run_payment(cls, session: Session, user: User, key: str, method_id: int, details: dict):
        """The service call for this kind of payment; reads `details`, never the state."""
        raise NotImplementedError

    def _payment_request(self, form_data: dict) -> PaymentRequest:
        """Check the new card's fields before the PIN, so a typo costs no PIN try."""
        card = self._card_input(form_data) if self.selected_method == NEW_CARD else None
        if card is not None:
            fields = card_validation.validate_card(
                number=card["number"], exp_month=card["exp_month"], exp_year=card["exp_year"], cvc=card["cvc"]
            )
            if fields:
                raise ValidationError("card_invalid", fields=fields)
        method_id = None if card is not None else inputs.parse_id(self.selected_method)
        if card is None and method_id is None:
            raise ValidationError("method_required")
        return PaymentRequest(
            auth_token=self.auth_token,
            attempt_key=self.attempt_key,
            pin=form_text(form_data, "pin", 12),
            card=card,
            method_id=method_id,
            details=self._payment_details(form_data),
            passkey=form_text(form_data, passkey_confirm.ASSERTION_FIELD, passkeys.MAX_RESPONSE_LENGTH),
        )

    @classmethod
    def _execute(cls, request: PaymentRequest) -> checkout.CheckoutResult:
        """PIN, then the new card (if any), then the payment; in a worker thread.

        A card added for this payment is forgotten again when the payment is refused,
        whether by the gateway or by the app (stock, limits), so refusals never pile up
        saved cards.
        """
        with session_scope() as session:
            user = _user_for(session, request.auth_token)
            if request.passkey:
                money_engine.authorize_attempt_with_passkey(
                    session, user=user, key=request.attempt_key, response=request.passkey
                )
            elif request.pin or not pay_authorization.get_policy(session, user=user).skips_small_payments:
                checkout.authorize_attempt(session, user=user, key=request.attempt_key, pin=request.pin)
            # else: no PIN typed, and the policy may let this amount through; the engine decides.
        method_id = request.method_id
        if request.card is not None:
            with session_scope() as session:
                method_id = payment_methods.add_card(
                    session, user=_user_for(session, request.auth_token), **request.card
                ).id
        try:
            with session_scope() as session:
                result = cls._run_payment(
                    session, _user_for(session, request.auth_token), request.attempt_key, method_id,  # type: ignore[arg-type]
                    request.details,
                )
        except ServiceError:
            if request.card is not None:
                cls._forget_card(request.auth_token, method_id)  # type: ignore[arg-type]
            raise
        if request.card is not None and result.status == "failed":
            cls._forget_card(request.auth_token, method_id)  # type: ignore[arg-type]
        return result

    @staticmethod
    def _forget_card(token: str, method_id: int) -> None:
        with session_scope() as session:
            payment_methods.remove_method(session, user=_user_for(session, token), method_id=method_id)

    async def _pay_flow(self, form_data: dict):
        """The body of every pay button's background event (an async generator)."""
        async with self:
            if not self._begin_payment():
                return
            try:
                request: PaymentRequest | None = self._payment_request(form_data)
            except ServiceError as error:
                request = None
                self._show_error(error)
        if request is None:
            yield rx.set_value(PIN_FIELD_ID, "")
            yield rx.call_script(passkey_confirm.CLEAR_ASSERTION)
            return
        result = None
        try:
            result = await asyncio.to_thread(self._execute, request)
        except ServiceError as error:
            async with self:
                self._show_error(error)
        else:
            async with self:
                self._show_result(result)
        # A PIN is typed (and a passkey signs) for one payment attempt only.
        yield rx.set_value(PIN_FIELD_ID, "")
        yield rx.call_script(passkey_confirm.CLEAR_ASSERTION)
        if result is not None and result.status in UNSETTLED:
            await self._watch_until_settled()

    async def _watch_until_settled(self) -> None:
        """Keep asking about this tab's unsettled attempt until it is settled (or a while)."""
        async with self:
            key, token = self.attempt_key, self.auth_token
            if self.status not in UNSETTLED:
                return
        deadline = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            try:
                result = await asyncio.to_thread(_settle_own, token, key)
            except ServiceError:
                return
            if result is None:
                return
            if result.status not in UNSETTLED:
                async with self:
                    if self.attempt_key == key:
                        self._show_result(result)
                return
        async with self:
            if self.attempt_key == key:
                self.confirming_late = True

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
        self.error_link = _error_link(error)
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
        elif error.code in PASSKEY_ERRORS:
            self.passkey_error = self._error_text(error)
        else:
            self.error = self._error_text(error)


class CheckoutState(PaymentSheetState):
    mode: str = "cart"  # cart | product | donation
    lines: list[SummaryLine] = []
    total_label: str = ""
    shipping: dict[str, str] = {}
    # The saved addresses (default preselected) or NEW_ADDRESS for the typed form.
    addresses: list[AddressOption] = []
    selected_address: str = NEW_ADDRESS
    _product_id: int = 0
    _quantity: int = 0
    _fundraiser_id: int = 0
    # A fingerprint of the cart lines being paid (the subject of a cart attempt).
    _cart_digest: str = ""

    @rx.var
    def needs_shipping(self) -> bool:
        return self.mode != "donation"

    def _kind(self) -> str:
        return (PaymentKind.DONATION if self.mode == "donation" else PaymentKind.PURCHASE).value

    def _subject(self) -> str:
        if self.mode == "donation":
            return f"fundraiser:{self._fundraiser_id}"
        if self.mode == "product":
            return f"product:{self._product_id}x{self._quantity}"
        return f"cart:{self.app}:{self._cart_digest}"

    def prepare_new_checkout(self) -> None:
        """Before navigating to a new checkout: a new attempt, and no flash of the last
        sheet (its form would be typed into, then replaced when the new one loads)."""
        self.attempt_key = ""
        self.status = "loading"
        self.lines = []

    @rx.event
    def start_checkout(self, app: str):
        """From the cart, for the lines found in one app: a fresh sheet, so a new attempt."""
        surface = AppSurface.parse(app)
        if surface is None:
            return None
        self.prepare_new_checkout()
        return rx.redirect(f"/checkout?app={surface.value}")

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
                self.error_link = _error_link(error)
                self.status = "empty"
        if self.status in UNSETTLED:
            return CheckoutState.watch_payment
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
            # Checked as the payment will check it (range, availability, stock), so a
            # quantity that cannot be bought never gets a total, a Pay button or a PIN.
            checkout.preview_lines(session, items=[(product.id, quantity if quantity is not None else 0)])
            self._product_id, self._quantity = product.id, quantity  # type: ignore[assignment]
            total = format_money(product.price_cents * quantity, product.currency, self.lang)  # type: ignore[operator]
            self.lines = [SummaryLine(product.title, f"{quantity} × {product.price_label} · {product.shop_name}", total)]
            self.total_label = total
        else:
            self.mode = "cart"
            items = cart.cart_items(session, user=user, app=self.app)
            if not items:
                raise ValidationError("cart_empty")
            checkout.preview_lines(session, items=items)
            self._cart_digest = hashlib.sha256(repr(items).encode()).hexdigest()[:16]
            view = cart.get_cart(session, user=user, language=self.lang)
            self.lines = [
                SummaryLine(line.title, f"{line.quantity} × {line.unit_price_label} · {group.shop_name}",
                            line.line_total_label)
                for group in view.groups
                for line in group.lines
                if line.available and line.app == self.app
            ]
            self.total_label = next((a.total_label for a in view.apps if a.app == self.app), "")

    def _load_shipping(self, session: Session, user: User) -> None:
        saved = contact.list_addresses(session, user=user)
        self.addresses = [
            AddressOption(str(a.id), f"{a.name}, {a.line1}, {a.postal_code} {a.city} ({a.country})") for a in saved
        ]
        self.selected_address = str(saved[0].id) if saved else NEW_ADDRESS
        self.shipping = {
            "name": user.display_name, "line1": "", "city": "", "postal_code": "", "country": "IT",
        }

    @rx.event
    def choose_address(self, value: str):
        if value == NEW_ADDRESS or any(a.id == value for a in self.addresses):
            self.selected_address = value

    @rx.event
    def try_again(self):
        """After a refusal: a new attempt (the failed one keeps its result)."""
        self.attempt_key = ""
        return CheckoutState.load

    @rx.event(background=True)
    async def pay(self, form_data: dict):
        async for update in self._pay_flow(form_data):
            yield update

    @rx.event(background=True)
    async def watch_payment(self):
        """After a reload onto a payment still being confirmed: wait for its outcome."""
        await self._watch_until_settled()

    def _payment_details(self, form_data: dict) -> dict:
        if self.mode == "donation":
            amount = donations.check_donation_amount(parse_amount(form_text(form_data, "amount", 20), "EUR", self.lang))
            return {"mode": "donation", "fundraiser_id": self._fundraiser_id, "amount_cents": amount, "app": self.app}
        address_id = None if self.selected_address == NEW_ADDRESS else inputs.parse_id(self.selected_address)
        shipping = None
        if address_id is None:
            shipping = {field: form_text(form_data, f"ship_{field}") for field in SHIPPING_FIELDS}
            # Kept on the page: a refused payment must not make the shopper type it again.
            self.shipping = shipping
        return {
            "mode": self.mode, "product_id": self._product_id, "quantity": self._quantity,
            "shipping": shipping, "address_id": address_id, "app": self.app,
            "save_address": address_id is None and isinstance(form_data, dict)
            and form_data.get("save_address") in ("on", True, "true"),
        }

    @classmethod
    def _run_payment(cls, session: Session, user: User, key: str, method_id: int, details: dict):
        if details["mode"] == "donation":
            return donations.donate(
                session, user=user, key=key, fundraiser_id=details["fundraiser_id"],
                amount_cents=details["amount_cents"], method_id=method_id, app=details["app"],
            )
        shipping = details["shipping"]
        if details.get("address_id") is not None:
            # Read again as its owner: a forged id is refused here.
            shipping = contact.address_fields(session, user=user, address_id=details["address_id"])
        elif details.get("save_address"):
            contact.save_from_checkout(session, user=user, fields=shipping)
            session.commit()
        details = {**details, "shipping": shipping}
        if details["mode"] == "product":
            return checkout.checkout_items(
                session, user=user, key=key, items=[(details["product_id"], details["quantity"])],
                method_id=method_id, shipping=details["shipping"], app=details["app"],
            )
        return checkout.checkout_cart(
            session, user=user, key=key, method_id=method_id, shipping=details["shipping"], app=details["app"],
        )
