"""State of /pay/methods: the saved methods, adding a card or PayPal, default, removal.

The card number, CVC and PIN arrive once in a form submit and go straight to a worker
thread: no state var ever holds them, and the form's fields are emptied after each try.
Adding and removing check the PIN (argon2) and call the gateway, so they are background
events with the work in `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from socialshop import i18n
from socialshop.db import session_scope
from socialshop.models import User
from socialshop.services import accounts, pay_pin, payment_methods
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.state.checkout import CARD_FIELDS, PIN_ERRORS, form_text
from socialshop.state.shopping import ShopperState

CARD_FORM_ID = "methods-card-form"
PAYPAL_FORM_ID = "methods-paypal-form"
REMOVE_FORM_ID = "methods-remove-form"
FORMS = ("card", "paypal")


@dataclasses.dataclass(frozen=True)
class MethodRow:
    id: str
    kind: str
    brand: str
    detail: str
    expiry: str
    is_default: bool
    expired: bool


def _user(session, token: str) -> User:
    user = accounts.user_for_token(session, token=token)
    if user is None:
        raise ValidationError("login_required")
    return user


def _rows(token: str) -> list[MethodRow]:
    with session_scope() as session:
        return _rows_for(session, _user(session, token))


def _rows_for(session, user: User) -> list[MethodRow]:
    return [
        MethodRow(str(v.id), v.kind, v.brand, v.detail, v.expiry, v.is_default, v.expired)
        for v in payment_methods.method_views(session, user=user)
    ]


def _add_card(token: str, pin: str, card: dict) -> list[MethodRow]:
    with session_scope() as session:
        payment_methods.add_card_with_pin(session, user=_user(session, token), pin=pin, **card)
    return _rows(token)


def _add_paypal(token: str, pin: str, email: str, make_default: bool) -> list[MethodRow]:
    with session_scope() as session:
        payment_methods.add_paypal(session, user=_user(session, token), pin=pin, email=email, make_default=make_default)
    return _rows(token)


def _remove(token: str, method_id: str, pin: str) -> list[MethodRow]:
    with session_scope() as session:
        payment_methods.remove_method_with_pin(session, user=_user(session, token), method_id=method_id, pin=pin)
    return _rows(token)


class PayMethodsState(ShopperState):
    methods: list[MethodRow] = []
    has_pin: bool = True
    # Which add form is open: "", "card" or "paypal".
    open_form: str = ""
    card_errors: dict[str, str] = {field: "" for field in CARD_FIELDS}
    form_error: str = ""
    pin_error: str = ""
    error: str = ""
    notice: str = ""
    busy: bool = False
    # The method the removal dialog asks about ("" = dialog closed), and how it is named.
    confirm_id: str = ""
    confirm_label: str = ""
    remove_error: str = ""

    @rx.var
    def method_count(self) -> int:
        return len(self.methods)

    @rx.var
    def has_expired(self) -> bool:
        return any(row.expired for row in self.methods)

    def _clear_messages(self) -> None:
        self.error = ""
        self.notice = ""
        self.form_error = ""
        self.pin_error = ""
        self.remove_error = ""
        self.card_errors = {field: "" for field in CARD_FIELDS}

    @rx.event
    def load(self):
        self._clear_messages()
        # An open add form stays open: a websocket reconnect hydrates again and runs this load,
        # and a half-typed card must not vanish under the person's fingers.
        self.confirm_id = ""
        self.busy = False
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self.has_pin = pay_pin.pin_status(session, user=user).is_set
            self.methods = _rows_for(session, user)
        return None

    @rx.event
    def show_form(self, form: str):
        """Open one add form ("card" or "paypal"), or close it with anything else."""
        self._clear_messages()
        self.open_form = form if form in FORMS and form != self.open_form else ""

    @rx.event
    def make_default(self, method_id: str):
        self._clear_messages()
        row = self._row(method_id)
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                # The service checks ownership again: the list in this tab may be stale.
                payment_methods.set_default(session, user=user, method_id=method_id)
                self.methods = _rows_for(session, user)
        except ServiceError as error:
            self.error = self._error_text(error)
            return None
        if row is not None:
            self.notice = self._t("methods.default_set", label=f"{row.brand} {row.detail}")
        return None

    def _row(self, method_id: object) -> MethodRow | None:
        return next((row for row in self.methods if isinstance(method_id, str) and row.id == method_id), None)

    @rx.event
    def ask_remove(self, method_id: str):
        """Open the confirmation for one of the methods shown (anything else is ignored)."""
        self._clear_messages()
        row = self._row(method_id)
        if row is None:
            return
        self.confirm_id = row.id
        self.confirm_label = f"{row.brand} {row.detail}"

    @rx.event
    def cancel_remove(self):
        self.confirm_id = ""
        self.confirm_label = ""
        self.remove_error = ""

    @rx.event
    def dialog_open_change(self, is_open: bool):
        if is_open is not True:
            return PayMethodsState.cancel_remove
        return None

    def _show_failure(self, error: ServiceError, *, in_dialog: bool = False) -> None:
        if error.code == "card_invalid":
            fields = error.params.get("fields", {})
            self.card_errors = {
                field: self._t(f"card.error.{field}.{fields[field]}") if field in fields else ""
                for field in CARD_FIELDS
            }
            self.form_error = self._t("card.fix_fields")
        elif error.code == "card_declined":
            key = f"decline.{error.params.get('reason', '')}"
            self.form_error = self._t(key if key in i18n.CATALOG else "decline.card_declined")
        elif in_dialog:
            self.remove_error = self._error_text(error)
        elif error.code in PIN_ERRORS:
            self.pin_error = self._error_text(error)
        else:
            self.form_error = self._error_text(error)

    async def _start(self) -> str | None:
        """Mark a slow action as running (one at a time per tab); its auth token or None."""
        async with self:
            if self.busy:
                return None
            self._clear_messages()
            self.busy = True
            return self.auth_token

    @rx.event(background=True)
    async def add_card(self, form_data: dict):
        token = await self._start()
        if token is None:
            return
        month, _, year = form_text(form_data, "card_expiry", 7).partition("/")
        card = {
            "number": form_text(form_data, "card_number", 30),
            "exp_month": month.strip(),
            "exp_year": year.strip(),
            "cvc": form_text(form_data, "card_cvc", 4),
            "holder_name": form_text(form_data, "card_name", 120),
            "make_default": form_data.get("make_default") == "on" if isinstance(form_data, dict) else False,
        }
        pin = form_text(form_data, "pin", 12)
        try:
            rows = await asyncio.to_thread(_add_card, token, pin, card)
        except ServiceError as error:
            async with self:
                self.busy = False
                self._show_failure(error)
            # The CVC and PIN are typed again for every try; the number stays to be corrected.
            yield rx.set_value("field-card_cvc", "")
            yield rx.set_value("methods-card-pin", "")
            return
        async with self:
            self.busy = False
            self.methods = rows
            self.open_form = ""
            self.notice = self._t("methods.card_added")
        yield rx.call_script(f"document.getElementById('{CARD_FORM_ID}')?.reset()")

    @rx.event(background=True)
    async def add_paypal(self, form_data: dict):
        token = await self._start()
        if token is None:
            return
        email = form_text(form_data, "paypal_email", 300)
        make_default = form_data.get("make_default") == "on" if isinstance(form_data, dict) else False
        try:
            rows = await asyncio.to_thread(_add_paypal, token, form_text(form_data, "pin", 12), email, make_default)
        except ServiceError as error:
            async with self:
                self.busy = False
                self._show_failure(error)
            yield rx.set_value("methods-paypal-pin", "")
            return
        async with self:
            self.busy = False
            self.methods = rows
            self.open_form = ""
            self.notice = self._t("methods.paypal_added")
        yield rx.call_script(f"document.getElementById('{PAYPAL_FORM_ID}')?.reset()")

    @rx.event(background=True)
    async def remove(self, form_data: dict):
        async with self:
            if self.busy or not self.confirm_id:
                return
            self.busy = True
            self.remove_error = ""
            token, method_id = self.auth_token, self.confirm_id
        try:
            rows = await asyncio.to_thread(_remove, token, method_id, form_text(form_data, "pin", 12))
        except ServiceError as error:
            async with self:
                self.busy = False
                self._show_failure(error, in_dialog=True)
            yield rx.set_value("methods-remove-pin", "")
            return
        async with self:
            self.busy = False
            self.methods = rows
            self.confirm_id = ""
            self.confirm_label = ""
            self.notice = self._t("methods.removed")
