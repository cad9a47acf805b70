"""Setting or changing the Pay PIN."""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import pin
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.services.money import format_datetime
from socialshop.state.checkout import form_text
from socialshop.state.session import SessionState


class PinSettingsState(SessionState):
    pin_is_set: bool = False
    locked_until_label: str = ""
    error: str = ""
    notice: str = ""

    @rx.event
    def load(self):
        self.error = ""
        self.notice = ""
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self._show_status(pin.pin_status(session, user=user))
        return None

    def _show_status(self, status: pin.PinStatus) -> None:
        self.pin_is_set = status.is_set
        self.locked_until_label = format_datetime(status.locked_until, self.lang) if status.locked_until else ""

    @rx.event
    def save(self, form_data: dict):
        self.error = ""
        self.notice = ""
        new_pin = form_text(form_data, "new_pin", 12)
        try:
            if new_pin != form_text(form_data, "repeat_pin", 12):
                raise ValidationError("pin_mismatch")
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                pin.set_pin(
                    session, user=user, pin=new_pin,
                    current_pin=form_text(form_data, "current_pin", 12) if self.pin_is_set else None,
                )
            self.notice = self._t("pinsettings.changed" if self.pin_is_set else "pinsettings.set")
        except ServiceError as error:
            self.error = self._error_text(error)
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None:
                self._show_status(pin.pin_status(session, user=user))
        return rx.call_script(f"document.getElementById('{PIN_FORM_ID}')?.reset()")


PIN_FORM_ID = "pin-settings-form"
