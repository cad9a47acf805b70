"""Who is using this browser tab, in which language; every page state builds on it."""

from __future__ import annotations

import logging
from urllib.parse import quote

import reflex as rx
from sqlmodel import Session

from socialshop import i18n
from socialshop.db import session_scope
from socialshop.models import Language, User
from socialshop.services import accounts, auth_sessions, security
from socialshop.services.errors import ServiceError

log = logging.getLogger(__name__)

PUBLIC_PATHS = ("/login", "/signup")


def safe_next_path(raw: object) -> str:
    """A local path to return to after login; anything else (other sites, garbage) is '/'."""
    if not isinstance(raw, str) or not raw.startswith("/") or raw.startswith("//"):
        return "/"
    # Browsers drop tabs and newlines from a URL: "/\t/evil.example" would become "//evil.example".
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in raw):
        return "/"
    if "\\" in raw or len(raw) > 300 or raw.startswith(PUBLIC_PATHS):
        return "/"
    return raw


class SessionState(rx.State):
    # The login token lives in the browser so every tab of it shares the login; the
    # server keeps only its hash (AuthSession) and checks the expiry on every load.
    # The state's copy is written to disk or Redis as the hash only (see __getstate__).
    auth_token: str = rx.LocalStorage(name="socialshop_auth", sync=True)
    lang: str = rx.LocalStorage(i18n.DEFAULT_LANGUAGE, name="socialshop_lang", sync=True)
    user_display_name: str = ""
    user_role: str = ""
    session_checked: bool = False
    # The page a logged-out visitor is reading (URL-encoded): the frame's "Log in" and
    # "Sign up" links bring them back to it.
    return_path: str = "/"

    def __setattr__(self, name: str, value: object) -> None:
        # A stored (hashed) form arriving from the browser would turn a leaked session
        # table into logins: only __getstate__'s copy, read back from storage, has it.
        if name == "auth_token" and isinstance(value, str) and value.startswith(security.STORED_TOKEN_PREFIX):
            value = ""
        super().__setattr__(name, value)

    def __getstate__(self):
        fields = dict(super().__getstate__())
        token = fields.get("auth_token")
        if isinstance(token, str) and token:
            fields["auth_token"] = security.stored_token(token)
        return fields

    @rx.var
    def is_logged_in(self) -> bool:
        return self.user_display_name != ""

    @rx.var
    def is_logged_out(self) -> bool:
        """Known to be logged out (a public page was loaded without an account); False while
        the check is pending, so a signed-in frame does not flicker into the public one."""
        return self.session_checked and self.user_display_name == ""

    @rx.var
    def user_initial(self) -> str:
        return self.user_display_name[:1].upper()

    def _current_user(self, session: Session) -> User | None:
        return accounts.user_for_token(session, token=self.auth_token)

    def _show_user(self, user: User | None) -> None:
        self.user_display_name = user.display_name if user else ""
        self.user_role = user.role if user else ""
        if user is not None and user.language in i18n.LANGUAGES:
            self.lang = user.language
        if user is None:
            self.return_path = quote(self._here(), safe="/")
        self.session_checked = True

    def _t(self, key: str, **params: object) -> str:
        return i18n.translate(key, self.lang, **params)

    def _error_text(self, error: ServiceError) -> str:
        return i18n.error_message(error.code, self.lang, **error.params)

    def _here(self) -> str:
        """This page's local path and query, fit to come back to after logging in."""
        path = self.router.url.path or "/"
        query = self.router.url.query
        return safe_next_path(f"{path}?{query}" if query else path)

    def _login_redirect(self):
        return rx.redirect(f"/login?next={quote(self._here(), safe='/')}")

    def _page_user(self, session: Session) -> User | None:
        """For a page's on_load: who is signed in (shown in the frame); a dead token is dropped.

        None means the page must answer with `self._login_redirect()`.
        """
        user = self._current_user(session)
        self._show_user(user)
        if user is None:
            self.auth_token = ""
        else:
            # For Pay → Security's list of devices (writes at most every few minutes).
            auth_sessions.seen(session, token=self.auth_token, user_agent=self.router.headers.user_agent)
        return user

    @rx.event
    def require_login(self):
        """on_load of every page that needs an account: back to /login, then back here."""
        with session_scope() as session:
            user = self._page_user(session)
        return self._login_redirect() if user is None else None

    @rx.event
    def log_out(self):
        with session_scope() as session:
            accounts.log_out(session, token=self.auth_token)
        self.auth_token = ""
        self._show_user(None)
        return rx.redirect("/login")

    @rx.event
    def set_language(self, language: str):
        if language not in i18n.LANGUAGES:
            return
        self.lang = language
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None:
                accounts.set_language(session, user=user, language=Language(language))
