"""Log-in and sign-up forms."""

from __future__ import annotations

import asyncio

import reflex as rx

from socialshop import i18n
from socialshop.db import session_scope
from socialshop.models import Role
from socialshop.services import accounts, shops
from socialshop.services.errors import ServiceError
from socialshop.state.session import SessionState, safe_next_path


def _field(form_data: object, name: str) -> str:
    if not isinstance(form_data, dict):
        return ""
    value = form_data.get(name, "")
    return value if isinstance(value, str) else ""


class AuthState(SessionState):
    error: str = ""
    notice: str = ""
    wants_shop: bool = False
    _next_path: str = "/"

    @rx.event
    def open_login(self):
        """on_load of /login: remember where to go back, skip the form if already in."""
        self.error = ""
        self._next_path = safe_next_path(self.router.url.query_parameters.get("next"))
        self.notice = self._t("login.required") if self._next_path != "/" else ""
        with session_scope() as session:
            user = self._current_user(session)
            self._show_user(user)
        if user is not None:
            return rx.redirect(self._next_path)
        return None

    @rx.event
    def open_signup(self):
        self.error = ""
        self.notice = ""
        self.wants_shop = False

    @rx.event
    def set_wants_shop(self, checked: bool):
        self.wants_shop = checked is True

    # Logging in and signing up check or hash a password with argon2 (slow on purpose):
    # background events doing that in a worker thread, so other users never wait for it.
    @rx.event(background=True)
    async def log_in(self, form_data: dict):
        email, password = _field(form_data, "email"), _field(form_data, "password")
        try:
            result = await asyncio.to_thread(_in_session, accounts.log_in, email=email, password=password)
        except ServiceError as error:
            async with self:
                self.error = self._error_text(error)
            return
        async with self:
            self._accept_login(result)
            next_path = self._next_path
        yield rx.redirect(next_path)

    @rx.event(background=True)
    async def sign_up(self, form_data: dict):
        async with self:
            wants_shop, language = self.wants_shop, self.lang
        fields = {
            "email": _field(form_data, "email"),
            "password": _field(form_data, "password"),
            "display_name": _field(form_data, "display_name"),
            "phone_number": _field(form_data, "phone"),
            "language": language,
        }
        shop_name = _field(form_data, "shop_name") if wants_shop else None
        try:
            result = await asyncio.to_thread(_sign_up, fields, shop_name)
        except ServiceError as error:
            async with self:
                self.error = self._error_text(error)
            return
        async with self:
            self._accept_login(result)
        yield rx.redirect("/")

    def _accept_login(self, result: accounts.LoginResult) -> None:
        self.error = ""
        self.auth_token = result.token
        self._show_user(result.user)
        if result.user.role not in Role.values():
            self.user_role = Role.SHOPPER.value
        if self.lang not in i18n.LANGUAGES:
            self.lang = i18n.DEFAULT_LANGUAGE


def _in_session(action, **kwargs):
    with session_scope() as session:
        return action(session, **kwargs)


def _sign_up(fields: dict, shop_name: str | None) -> accounts.LoginResult:
    """One transaction: an account whose shop could not be opened is not created either."""
    with session_scope() as session:
        result = accounts.sign_up_and_log_in(session, **fields)
        if shop_name is not None:
            shops.create_shop(session, owner=result.user, name=shop_name)
        return result
