"""State of /pay/apps: one switch per app, "use on all apps", and each app's monthly limit."""

from __future__ import annotations

import dataclasses

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import AppSurface
from socialshop.services import pay_apps
from socialshop.services.errors import ServiceError
from socialshop.services.money import format_money, to_decimal
from socialshop.state.shopping import ShopperState


@dataclasses.dataclass(frozen=True)
class AppSwitch:
    app: str
    enabled: bool
    # The limit as the input shows it ("250.00", "" for none) and as a sentence's amount.
    limit_text: str = ""
    limit_label: str = ""
    spent_label: str = ""


class PayAppsState(ShopperState):
    switches: list[AppSwitch] = []
    apps_error: str = ""
    apps_notice: str = ""
    # One message per app whose limit was refused, by app id.
    limit_errors: dict[str, str] = {}

    @rx.var
    def all_enabled(self) -> bool:
        return bool(self.switches) and all(s.enabled for s in self.switches)

    def _show(self, settings: list[pay_apps.AppSetting]) -> None:
        currency = pay_apps.LIMIT_CURRENCY
        self.switches = [
            AppSwitch(
                app=s.app,
                enabled=s.enabled,
                limit_text="" if s.monthly_limit_cents is None else str(to_decimal(s.monthly_limit_cents, currency)),
                limit_label="" if s.monthly_limit_cents is None
                else format_money(s.monthly_limit_cents, currency, self.lang),
                spent_label=format_money(s.spent_cents, currency, self.lang),
            )
            for s in settings
        ]

    def _clear_messages(self) -> None:
        self.apps_error = ""
        self.apps_notice = ""
        self.limit_errors = {}

    @rx.event
    def load(self):
        self._clear_messages()
        try:
            with session_scope() as session:
                user = self._page_user(session)
                if user is None:
                    return self._login_redirect()
                self._show(pay_apps.list_settings(session, user=user))
        except ServiceError as error:
            self.apps_error = self._error_text(error)
        return None

    def _app_name(self, app: object) -> str:
        surface = AppSurface.parse(app) if isinstance(app, str) else None
        return self._t(f"app.{surface.value}") if surface is not None else ""

    @rx.event
    def set_app_enabled(self, app: str, enabled: bool | str):
        """One switch flipped: `enabled` must be a real boolean (the service refuses "false")."""
        self._clear_messages()
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                pay_apps.set_activation(session, user=user, app=app, enabled=enabled)
                self._show(pay_apps.list_settings(session, user=user))
        except ServiceError as error:
            self.apps_error = self._error_text(error)
            return None
        self.apps_notice = self._t(
            "payapps.now_on" if enabled is True else "payapps.now_off", app=self._app_name(app)
        )
        return None

    @rx.event
    def set_all_enabled(self, enabled: bool | str):
        """"Use on all apps": every switch to `enabled` (a real boolean)."""
        self._clear_messages()
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                pay_apps.set_all_activation(session, user=user, enabled=enabled)
                self._show(pay_apps.list_settings(session, user=user))
        except ServiceError as error:
            self.apps_error = self._error_text(error)
            return None
        self.apps_notice = self._t("payapps.all_on" if enabled is True else "payapps.all_off")
        return None

    @rx.event
    def save_limit(self, form_data: dict):
        """One app's limit form: its app id and the amount typed (empty: no limit)."""
        self._clear_messages()
        if not isinstance(form_data, dict):
            return None
        app, limit = form_data.get("app"), form_data.get("limit", "")
        if not isinstance(limit, str):
            limit = None if limit is None else object()
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                cents = pay_apps.set_monthly_limit(session, user=user, app=app, limit=limit, language=self.lang)
                self._show(pay_apps.list_settings(session, user=user))
        except ServiceError as error:
            if isinstance(app, str) and AppSurface.parse(app) is not None:
                self.limit_errors = {app: self._error_text(error)}
            else:
                self.apps_error = self._error_text(error)
            return None
        name = self._app_name(app)
        self.apps_notice = (
            self._t("payapps.limit_removed", app=name) if cents is None
            else self._t("payapps.limit_set", app=name,
                         limit=format_money(cents, pay_apps.LIMIT_CURRENCY, self.lang))
        )
        return None
