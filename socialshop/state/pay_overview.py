"""State of /pay: the Pay hub's overview."""

from __future__ import annotations

import dataclasses

import reflex as rx

from socialshop import i18n
from socialshop.db import session_scope
from socialshop.services import history, pay_overview
from socialshop.services.errors import ServiceError
from socialshop.services.money import format_datetime, format_money
from socialshop.state.shopping import ShopperState


@dataclasses.dataclass(frozen=True)
class RecentRow:
    entry: str  # "payment-<id>", as the history page names its rows
    kind: str
    app: str
    counterparty: str
    amount_label: str
    status: str
    date_label: str


@dataclasses.dataclass(frozen=True)
class AttentionRow:
    kind: str
    text: str
    link: str


@dataclasses.dataclass(frozen=True)
class AppRow:
    app: str
    enabled: bool


class PayOverviewState(ShopperState):
    method_label: str = ""
    method_expired: bool = False
    app_rows: list[AppRow] = []
    spending_label: str = ""
    recent: list[RecentRow] = []
    attention: list[AttentionRow] = []
    overview_loaded: bool = False
    overview_error: str = ""

    def _attention_text(self, item: pay_overview.AttentionItem) -> str:
        params = {
            name: format_datetime(value, self.lang) if hasattr(value, "tzinfo") else value
            for name, value in item.params.items()
        }
        key = f"overview.attention.{item.kind}"
        return i18n.translate(key, self.lang, **params)

    @rx.event
    def load(self):
        self.overview_error = ""
        try:
            with session_scope() as session:
                user = self._page_user(session)
                if user is None:
                    return self._login_redirect()
                view = pay_overview.overview(session, user=user)
        except ServiceError as error:
            self.overview_error = self._error_text(error)
            self.overview_loaded = True
            return None
        method = view.default_method
        self.method_label = (
            "" if method is None
            else f"{method.brand.capitalize()} •••• {method.last4} ({method.exp_month:02d}/{method.exp_year % 100:02d})"
        )
        self.method_expired = bool(method and method.expired)
        self.app_rows = [AppRow(app, enabled) for app, enabled in view.apps.items()]
        self.spending_label = (
            " + ".join(format_money(cents, currency, self.lang) for currency, cents in view.month_spending)
            or format_money(0, "EUR", self.lang)
        )
        self.recent = [
            RecentRow(
                entry=history.entry_id("payment", p.id),
                kind=p.kind,
                app=p.app,
                counterparty=p.counterparty_label,
                amount_label=format_money(p.amount_cents, p.currency, self.lang),
                status=p.status,
                date_label=format_datetime(p.created_at, self.lang),
            )
            for p in view.recent
        ]
        self.attention = [AttentionRow(i.kind, self._attention_text(i), i.link) for i in view.attention]
        self.overview_loaded = True
        return None
