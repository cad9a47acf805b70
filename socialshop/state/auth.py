"""Log-in and sign-up forms."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

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


PASSWORD_FIELD_ID = "field-password"


class AuthState(SessionState):
    error: str = ""
    notice: str = ""
    wants_shop: bool = False
    # "?next=..." for the links between log-in and sign-up, so either comes back to the page
    # that asked (e.g. a product a logged-out visitor wanted to buy); "" for the feed.
    next_query: str = ""
    _next_path: str = "/"

    def _remember_next(self) -> None:
        self._next_path = safe_next_path(self.router.url.query_parameters.get("next"))
        self.next_query = f"?next={quote(self._next_path, safe='/')}" if self._next_path != "/" else ""

    @rx.event
    def open_login(self):
        """on_load of /login: remember where to go back, skip the form if already in."""
        self.error = ""
        query = self.router.url.query_parameters
        self._remember_next()
        self.notice = self._t("login.required") if self._next_path != "/" else ""
        if query.get("signed_up") == "1":
            self.notice = self._t("signup.done")
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
        self._remember_next()

    @rx.event
    def set_wants_shop(self, checked: bool):
        self.wants_shop = checked is True

    # Logging in and signing up check or hash a password with argon2 (slow on purpose):
    # background events doing that in a worker thread, so other users never wait for it.
    @rx.event(background=True)
    async def log_in(self, form_data: dict):
        email, password = _field(form_data, "email"), _field(form_data, "password")
        async with self:
            client = self.router.session.client_ip
        try:
            result = await asyncio.to_thread(
                _in_session, accounts.log_in, email=email, password=password, client=client
            )
        except ServiceError as error:
            async with self:
                self.error = self._error_text(error)
            # A refused password is not left in the field to be sent again as it is.
            yield rx.set_value(PASSWORD_FIELD_ID, "")
            return
        async with self:
            self._accept_login(result)
            next_path = self._next_path
        yield rx.redirect(next_path)

    @rx.event(background=True)
    async def sign_up(self, form_data: dict):
        async with self:
            wants_shop, language, next_query = self.wants_shop, self.lang, self.next_query
        fields = {
            "email": _field(form_data, "email"),
            "password": _field(form_data, "password"),
            "display_name": _field(form_data, "display_name"),
            "phone_number": _field(form_data, "phone"),
            "language": language,
        }
        shop_name = _field(form_data, "shop_name") if wants_shop else None
        try:
            await asyncio.to_thread(_sign_up, fields, shop_name)
        except ServiceError as error:
            async with self:
                self.error = self._error_text(error)
            return
        async with self:
            self.error = ""
        # The same answer whether the address is new or already has an account (then
        # nothing was changed): logging in is the next step either way.
        yield rx.redirect("/login?signed_up=1" + next_query.replace("?", "&", 1))

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


def _sign_up(fields: dict, shop_name: str | None) -> None:
    """One transaction: an account whose shop could not be opened is not created either.

    The shop name is checked before the address, so a bad one is refused alike for a new
    and for a registered email.
    """
    with session_scope() as session:
        if shop_name is not None:
            shop_name = shops.clean_shop_name(shop_name)
        user = accounts.register(session, **fields)
        if user is not None and shop_name is not None:
            shops.create_shop(session, owner=user, name=shop_name)
