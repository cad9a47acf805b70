"""Setting or changing the Pay PIN."""

from __future__ import annotations

import asyncio

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import accounts, pay_pin
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.services.money import format_datetime
from socialshop.state.checkout import form_text
from socialshop.state.session import SessionState


class PinSettingsState(SessionState):
    pin_is_set: bool = False
    locked_until_label: str = ""
    error: str = ""
    notice: str = ""
    form_generation: int = 0

    @rx.event
    def load(self):
        self.error = ""
        self.notice = ""
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self._show_status(pay_pin.pin_status(session, user=user))
        return None

    def _show_status(self, status: pay_pin.PinStatus) -> None:
        self.pin_is_set = status.is_set
        self.locked_until_label = format_datetime(status.locked_until, self.lang) if status.locked_until else ""

    @rx.event(background=True)
    async def save(self, form_data: dict):
        """Hashing the PIN (argon2) happens in a worker thread: nobody else waits for it."""
        async with self:
            self.error = ""
            self.notice = ""
            token, was_set = self.auth_token, self.pin_is_set
        new_pin = form_text(form_data, "new_pin", 12)
        current_pin = form_text(form_data, "current_pin", 12) if was_set else None
        error_text, notice, redirect = "", "", None
        try:
            if new_pin != form_text(form_data, "repeat_pin", 12):
                raise ValidationError("pin_mismatch")
            status = await asyncio.to_thread(_set_pin, token, new_pin, current_pin)
            notice = "pinsettings.changed" if was_set else "pinsettings.set"
        except ServiceError as error:
            async with self:
                error_text = self._error_text(error)
                redirect = self._login_redirect() if error.code == "login_required" else None
            status = None if redirect is not None else await asyncio.to_thread(_pin_status, token)
        async with self:
            # A new key remounts the form empty in the same render that shows the result, so
            # whoever types again after reading the message keeps what they typed (a reset
            # script arriving after the message could wipe it).
            self.form_generation += 1
            self.error = error_text
            self.notice = self._t(notice) if notice else ""
            if status is not None:
                self._show_status(status)
        if redirect is not None:
            yield redirect


def _set_pin(token: str, new_pin: str, current_pin: str | None) -> pay_pin.PinStatus:
    with session_scope() as session:
        user = accounts.user_for_token(session, token=token)
        if user is None:
            raise ValidationError("login_required")
        pay_pin.set_pin(session, user=user, pin=new_pin, current_pin=current_pin)
    with session_scope() as session:
        return pay_pin.pin_status(session, user=accounts.user_for_token(session, token=token))


def _pin_status(token: str) -> pay_pin.PinStatus | None:
    with session_scope() as session:
        user = accounts.user_for_token(session, token=token)
        return pay_pin.pin_status(session, user=user) if user is not None else None


PIN_FORM_ID = "pin-settings-form"
