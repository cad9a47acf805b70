"""Log-in and sign-up forms."""

from __future__ import annotations

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

    @rx.event
    def log_in(self, form_data: dict):
        try:
            with session_scope() as session:
                result = accounts.log_in(
                    session,
                    email=_field(form_data, "email"),
                    password=_field(form_data, "password"),
                )
                self._accept_login(result)
        except ServiceError as error:
            self.error = self._error_text(error)
            return None
        return rx.redirect(self._next_path)

    @rx.event
    def sign_up(self, form_data: dict):
        try:
            with session_scope() as session:
                result = accounts.sign_up_and_log_in(
                    session,
                    email=_field(form_data, "email"),
                    password=_field(form_data, "password"),
                    display_name=_field(form_data, "display_name"),
                    phone_number=_field(form_data, "phone"),
                    language=self.lang,
                )
                if self.wants_shop:
                    shops.create_shop(session, owner=result.user, name=_field(form_data, "shop_name"))
                self._accept_login(result)
        except ServiceError as error:
            self.error = self._error_text(error)
            return None
        return rx.redirect("/")

    def _accept_login(self, result: accounts.LoginResult) -> None:
        self.error = ""
        self.auth_token = result.token
        self._show_user(result.user)
        if result.user.role not in Role.values():
            self.user_role = Role.SHOPPER.value
        if self.lang not in i18n.LANGUAGES:
            self.lang = i18n.DEFAULT_LANGUAGE
