"""Pay → Security: the PIN (set, change, reset with the password, lock) and where the
person is signed in. The passkey and PIN-policy sections have their own state
(PayAuthorizationState); the page loads both."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from socialshop.db import session_scope
from socialshop.models import User, utcnow
from socialshop.services import accounts, auth_sessions, pay_pin
from socialshop.services.errors import ServiceError, ValidationError
from socialshop.services.money import format_ago, format_until
from socialshop.state.checkout import form_text
from socialshop.state.pay_authorization import PayAuthorizationState
from socialshop.state.session import SessionState

PIN_FORM_ID = "pin-settings-form"
# What the PIN form does: choose a first PIN, change it (current PIN) or reset it (password).
SET, CHANGE, RESET = "set", "change", "reset"
PASSWORD_MAX = accounts.MAX_PASSWORD_LENGTH


@dataclasses.dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    detail: str
    is_current: bool
    sign_out_label: str


def _user(session: Session, token: str) -> User:
    user = accounts.user_for_token(session, token=token)
    if user is None:
        raise ValidationError("login_required")
    return user


def _save_pin(token: str, mode: str, new_pin: str, secret: str) -> pay_pin.PinStatus:
    """The argon2 work (old PIN or password, new PIN): run in a worker thread."""
    with session_scope() as session:
        user = _user(session, token)
        if mode == RESET:
            pay_pin.reset_pin(session, user=user, pin=new_pin, password=secret)
        else:
            pay_pin.set_pin(session, user=user, pin=new_pin, current_pin=secret if mode == CHANGE else None)
    return _pin_status(token)


def _pin_status(token: str) -> pay_pin.PinStatus:
    with session_scope() as session:
        return pay_pin.pin_status(session, user=_user(session, token))


def _password(form_data: object) -> str:
    # Not trimmed: spaces may be part of a password.
    value = form_data.get("password", "") if isinstance(form_data, dict) else ""
    return value[:PASSWORD_MAX] if isinstance(value, str) else ""


class PaySecurityState(SessionState):
    pin_is_set: bool = False
    pin_mode: str = SET
    locked_until_label: str = ""
    tries_left_label: str = ""
    pin_error: str = ""
    pin_notice: str = ""
    saving_pin: bool = False
    # A new key remounts the PIN form empty (see save_pin).
    form_generation: int = 0
    sessions: list[SessionRow] = []
    sessions_total: int = 0
    sessions_limit: int = auth_sessions.PAGE_SIZE
    sessions_error: str = ""
    sessions_notice: str = ""

    @rx.event
    def load(self):
        self.pin_error = self.pin_notice = self.sessions_error = self.sessions_notice = ""
        self.saving_pin = False
        self.sessions_limit = auth_sessions.PAGE_SIZE
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self._show_pin(pay_pin.pin_status(session, user=user))
            self._load_sessions(session, user)
        return None

    # --- PIN -------------------------------------------------------------------------

    def _show_pin(self, status: pay_pin.PinStatus) -> None:
        now = utcnow()
        self.pin_is_set = status.is_set
        if not status.is_set:
            self.pin_mode = SET
        elif self.pin_mode == SET:
            self.pin_mode = CHANGE
        self.locked_until_label = (
            self._t("security.locked_until", until=format_until(status.locked_until, now, self.lang))
            if status.locked_until
            else ""
        )
        shown = status.is_set and status.locked_until is None and status.tries_left < pay_pin.MAX_TRIES
        self.tries_left_label = (
            self._t("security.tries_left", tries=status.tries_left, max=pay_pin.MAX_TRIES) if shown else ""
        )

    @rx.event
    def show_reset(self):
        if self.pin_is_set:
            self.pin_mode = RESET
            self.pin_error = self.pin_notice = ""
            self.form_generation += 1

    @rx.event
    def show_change(self):
        if self.pin_is_set:
            self.pin_mode = CHANGE
            self.pin_error = self.pin_notice = ""
            self.form_generation += 1

    @rx.event(background=True)
    async def save_pin(self, form_data: dict):
        """Checking the old PIN or the password and hashing the new PIN (argon2) happen in
        a worker thread: nobody else waits for them."""
        async with self:
            if self.saving_pin:
                return
            self.saving_pin = True
            self.pin_error = self.pin_notice = ""
            token, mode = self.auth_token, self.pin_mode
        new_pin = form_text(form_data, "new_pin", 12)
        secret = ""
        if mode == CHANGE:
            secret = form_text(form_data, "current_pin", 12)
        elif mode == RESET:
            secret = _password(form_data)
        error: ServiceError | None = None
        status: pay_pin.PinStatus | None = None
        try:
            if new_pin != form_text(form_data, "repeat_pin", 12):
                raise ValidationError("pin_mismatch")
            status = await asyncio.to_thread(_save_pin, token, mode, new_pin, secret)
        except ServiceError as exc:
            error = exc
            if exc.code != "login_required":
                status = await asyncio.to_thread(_pin_status, token)
        async with self:
            self.saving_pin = False
            # A new key remounts the form empty in the same render that shows the result, so
            # whoever types again after reading the message keeps what they typed (a reset
            # script arriving after the message could wipe it).
            self.form_generation += 1
            if error is not None:
                # A lock is shown by the lock notice itself, with its end: no second message.
                self.pin_error = "" if error.code == "pin_locked" else self._error_text(error)
            else:
                self.pin_notice = self._t(
                    {SET: "pinsettings.set", CHANGE: "pinsettings.changed", RESET: "security.reset_done"}[mode]
                )
                self.pin_mode = CHANGE
            if status is not None:
                self._show_pin(status)
                # The passkey section on the same page offers "Set your PIN" until one exists.
                authorization = await self.get_state(PayAuthorizationState)
                authorization.pin_is_set = status.is_set
            redirect = self._login_redirect() if error is not None and error.code == "login_required" else None
        if redirect is not None:
            yield redirect

    # --- Where you are signed in ------------------------------------------------------

    def _device_name(self, device: auth_sessions.Device) -> str:
        if device.browser and device.os:
            return self._t("security.device", browser=device.browser, os=device.os)
        return device.browser or device.os or self._t("security.unknown_device")

    def _load_sessions(self, session: Session, user: User) -> None:
        now = utcnow()
        page = auth_sessions.list_sessions(session, user=user, token=self.auth_token, limit=self.sessions_limit, now=now)
        rows = []
        for row in page.rows:
            name = self._device_name(row.device)
            when = format_ago(row.last_seen_at, now, self.lang)
            seen = self._t("security.active_now") if row.is_current else self._t("security.last_seen", when=when)
            rows.append(
                SessionRow(
                    id=row.id,
                    device=name,
                    detail=f"{seen} · {self._t('security.signed_in_on', date=format_until(row.signed_in_at, now, self.lang))}",
                    is_current=row.is_current,
                    sign_out_label=self._t("security.sign_out_named", device=name, when=when),
                )
            )
        self.sessions = rows
        self.sessions_total = page.total

    def _sessions_action(self, action: Callable[[Session, User], str]):
        """Run `action` (it returns the notice to show), then show the list as it is now."""
        self.sessions_error = self.sessions_notice = ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                self.sessions_notice = action(session, user)
            except ServiceError as error:
                self.sessions_error = self._error_text(error)
            session.flush()
            self._load_sessions(session, user)
        return None

    @rx.event
    def sign_out_others(self):
        token = self.auth_token
        return self._sessions_action(
            lambda session, user: self._t(
                "security.signed_out_others",
                count=auth_sessions.sign_out_others(session, user=user, token=token),
            )
        )

    @rx.event
    def sign_out_session(self, session_id: int):
        token = self.auth_token

        def sign_out(session: Session, user: User) -> str:
            # The service refuses what is not an id of this person's other logins.
            auth_sessions.sign_out_session(session, user=user, token=token, session_id=session_id)
            return self._t("security.signed_out_one")

        return self._sessions_action(sign_out)

    @rx.event
    def show_more_sessions(self):
        self.sessions_limit = min(self.sessions_limit + auth_sessions.PAGE_SIZE, auth_sessions.MAX_LIMIT)
        return self._sessions_action(lambda session, user: "")

    @rx.event
    def open_pin_link(self):
        """/pay/pin, the old address of the PIN settings (links, notifications, bookmarks)."""
        return rx.redirect("/pay/security", replace=True)
