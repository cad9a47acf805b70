"""State of /pay/contact: email, phone and the address book."""

from __future__ import annotations

import dataclasses

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import contact
from socialshop.services.checkout import SHIPPING_FIELDS
from socialshop.services.errors import ServiceError
from socialshop.state.checkout import form_text
from socialshop.state.shopping import ShopperState

NEW = "new"
EMPTY_FIELDS = {name: "" for name in SHIPPING_FIELDS}


@dataclasses.dataclass(frozen=True)
class AddressRow:
    id: str
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    is_default: bool


class PayContactState(ShopperState):
    email: str = ""
    phone: str = ""
    addresses: list[AddressRow] = []
    contact_loaded: bool = False
    email_error: str = ""
    phone_error: str = ""
    contact_notice: str = ""
    contact_error: str = ""
    # "" no form open, NEW for the add form, else the id of the address being edited.
    editing: str = ""
    edit_fields: dict[str, str] = EMPTY_FIELDS
    address_errors: dict[str, str] = EMPTY_FIELDS

    def _show(self, view: contact.ContactView) -> None:
        self.email = view.email
        self.phone = view.phone
        self.addresses = [
            AddressRow(str(a.id), a.name, a.line1, a.city, a.postal_code, a.country, a.is_default)
            for a in view.addresses
        ]

    def _clear(self) -> None:
        self.email_error = ""
        self.phone_error = ""
        self.contact_notice = ""
        self.contact_error = ""
        self.address_errors = EMPTY_FIELDS

    def _change(self, work, notice_key: str):
        """Run `work(session, user)`, commit, show the fresh view. A refusal lands in
        contact_error (nothing changed); returns the login redirect when signed out."""
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                work(session, user)
                session.commit()
                self._show(contact.contact_view(session, user=user))
        except ServiceError as error:
            self.contact_error = self._error_text(error)
            return None
        self.contact_notice = self._t(notice_key)
        return None

    @rx.event
    def load(self):
        self._clear()
        self.editing = ""
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self._show(contact.contact_view(session, user=user))
        self.contact_loaded = True
        return None

    @rx.event
    def save_email(self, form_data: dict):
        self._clear()
        email = form_text(form_data, "email", 320)
        redirect = self._change(lambda s, u: contact.update_email(s, user=u, email=email), "contact.saved")
        self.email_error, self.contact_error = self.contact_error, ""
        return redirect

    @rx.event
    def save_phone(self, form_data: dict):
        self._clear()
        phone = form_text(form_data, "phone", 64)
        redirect = self._change(lambda s, u: contact.update_phone(s, user=u, phone=phone), "contact.saved")
        self.phone_error, self.contact_error = self.contact_error, ""
        return redirect

    @rx.event
    def start_add(self):
        self._clear()
        self.editing = NEW
        self.edit_fields = {**EMPTY_FIELDS, "country": "IT"}

    @rx.event
    def start_edit(self, address_id: str):
        self._clear()
        row = next((a for a in self.addresses if isinstance(address_id, str) and a.id == address_id), None)
        if row is None:
            return
        self.editing = row.id
        self.edit_fields = {name: getattr(row, name) for name in SHIPPING_FIELDS}

    @rx.event
    def cancel_edit(self):
        self._clear()
        self.editing = ""

    @rx.event
    def save_address(self, form_data: dict):
        self._clear()
        fields = {name: form_text(form_data, name) for name in SHIPPING_FIELDS}
        self.edit_fields = fields
        editing = self.editing
        if editing == NEW:
            def work(s, u):
                contact.add_address(s, user=u, fields=fields)
            notice = "contact.address_added"
        elif editing:
            def work(s, u):
                contact.update_address(s, user=u, address_id=editing, fields=fields)
            notice = "contact.address_updated"
        else:
            return None
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                work(session, user)
                session.commit()
                self._show(contact.contact_view(session, user=user))
        except ServiceError as error:
            if error.code == "shipping_invalid":
                bad = error.params.get("fields", {})
                self.address_errors = {
                    name: self._t(f"contact.error.{name}.{bad[name]}") if name in bad else ""
                    for name in SHIPPING_FIELDS
                }
                self.contact_error = self._t("contact.fix_fields")
            else:
                self.contact_error = self._error_text(error)
            return None
        self.editing = ""
        self.contact_notice = self._t(notice)
        return None

    @rx.event
    def remove_address(self, address_id: str):
        self._clear()
        redirect = self._change(lambda s, u: contact.remove_address(s, user=u, address_id=address_id),
                                "contact.address_removed")
        if not self.contact_error and self.editing == address_id:
            self.editing = ""
        return redirect

    @rx.event
    def make_default(self, address_id: str):
        self._clear()
        return self._change(lambda s, u: contact.set_default_address(s, user=u, address_id=address_id),
                            "contact.default_set")
