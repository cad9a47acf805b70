"""Pay hub pages of the shopper: money history (/pay/history) and Pay per app (/pay/apps)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import AppSurface
from socialshop.services import activation, history
from socialshop.services.errors import ServiceError
from socialshop.state.shopping import ShopperState


@dataclasses.dataclass(frozen=True)
class AppSwitch:
    app: str
    enabled: bool


class PayHistoryState(ShopperState):
    entries: list[history.HistoryEntry] = []
    history_loaded: bool = False
    history_error: str = ""

    @rx.event
    def load(self):
        self.history_error = ""
        try:
            with session_scope() as session:
                user = self._page_user(session)
                if user is None:
                    return self._login_redirect()
                self.entries = history.list_history(session, user=user, language=self.lang)
        except ServiceError as error:
            self.entries = []
            self.history_error = self._error_text(error)
        self.history_loaded = True
        return None


class PayAppsState(ShopperState):
    switches: list[AppSwitch] = []
    apps_error: str = ""
    apps_notice: str = ""

    def _show(self, states: dict[str, bool]) -> None:
        self.switches = [
            AppSwitch(app=app.value, enabled=bool(states.get(app.value, True))) for app in AppSurface
        ]

    @rx.event
    def load(self):
        self.apps_error = ""
        self.apps_notice = ""
        try:
            with session_scope() as session:
                user = self._page_user(session)
                if user is None:
                    return self._login_redirect()
                self._show(activation.list_activation(session, user=user))
        except ServiceError as error:
            self.apps_error = self._error_text(error)
        return None

    @rx.event
    def set_app_enabled(self, app: str, enabled: bool | str):
        """One switch flipped: `enabled` must be a real boolean (the service refuses "false")."""
        self.apps_error = ""
        self.apps_notice = ""
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                self._show(activation.set_activation(session, user=user, app=app, enabled=enabled))
        except ServiceError as error:
            self.apps_error = self._error_text(error)
            return None
        surface = AppSurface.parse(app)
        name = self._t(f"app.{surface.value}") if surface is not None else ""
        self.apps_notice = self._t("payapps.now_on" if enabled is True else "payapps.now_off", app=name)
        return None
