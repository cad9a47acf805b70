"""State of /pay/insights: spending by app, merchant, category and month for one period."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from socialshop.components.posts import APP_COLORS
from socialshop.db import session_scope
from socialshop.services import accounts, pay_insights
from socialshop.services.errors import ServiceError
from socialshop.services.money import format_money, format_month, format_share, to_decimal
from socialshop.state.shopping import ShopperState

# Slices that are not apps take these in turn (Radix scales, step 9: solid fills).
SLICE_COLORS = ("blue", "orange", "grass", "crimson", "purple", "amber", "cyan", "brown")


def _fill(color: str) -> str:
    return f"var(--{color}-9)"


@dataclasses.dataclass(frozen=True)
class SliceRow:
    key: str
    name: str
    # The amount in the currency's units, for the chart's scale; the table shows amount_label.
    value: float
    amount_label: str
    share_label: str
    color: str


@dataclasses.dataclass(frozen=True)
class MonthRow:
    key: str  # "2026-12"
    name: str  # "December 2026"
    axis: str  # "Dec", or "Dec 26" when the chart spans more than a year
    value: float
    amount_label: str


def _insights_for(token: str, period: str) -> pay_insights.Insights | None:
    """None: the login has ended."""
    with session_scope() as session:
        user = accounts.user_for_token(session, token=token)
        if user is None:
            return None
        return pay_insights.insights(session, user=user, period=period)


class PayInsightsState(ShopperState):
    period: str = pay_insights.DEFAULT_PERIOD.value
    insights_loaded: bool = False
    insights_busy: bool = False
    insights_error: str = ""
    has_spending: bool = False
    total_label: str = ""
    since_label: str = ""
    currency_note: str = ""
    months_note: str = ""
    month_rows: list[MonthRow] = []
    app_rows: list[SliceRow] = []
    merchant_rows: list[SliceRow] = []
    category_rows: list[SliceRow] = []

    @rx.event
    def load(self):
        self.insights_error = ""
        with session_scope() as session:
            user = self._page_user(session)
        if user is None:
            return self._login_redirect()
        return PayInsightsState.refresh

    @rx.event
    def set_period(self, value: str):
        try:
            period = pay_insights.parse_period(value)
        except ServiceError as error:
            # Whatever the browser sent, the page keeps showing the period it had.
            self.insights_error = self._error_text(error)
            return None
        self.insights_error = ""
        self.period = period.value
        return PayInsightsState.refresh

    @rx.event(background=True)
    async def refresh(self):
        async with self:
            token, period, lang = self.auth_token, self.period, self.lang
            self.insights_busy = True
        try:
            view = await asyncio.to_thread(_insights_for, token, period)
        except ServiceError as error:
            async with self:
                self.insights_busy = False
                self.insights_error = self._error_text(error)
                self.insights_loaded = True
            return None
        async with self:
            if view is None:
                self.insights_busy = False
                return self._login_redirect()
            if self.period != period:
                return None  # the user picked another period meanwhile; its refresh shows it
            self._show(view, lang)
        return None

    def _slice_rows(self, slices: list[pay_insights.Slice], total: int, currency: str, lang: str,
                    name_key: str, colors: dict[str, str] | None = None) -> list[SliceRow]:
        return [
            SliceRow(
                key=s.key,
                name=s.label or self._t(f"{name_key}.{s.key}"),
                value=float(to_decimal(s.cents, currency)),
                amount_label=format_money(s.cents, currency, lang),
                share_label=format_share(s.cents, total, lang),
                color=_fill((colors or {}).get(s.key, SLICE_COLORS[i % len(SLICE_COLORS)])),
            )
            for i, s in enumerate(slices)
        ]

    def _show(self, view: pay_insights.Insights, lang: str) -> None:
        self.insights_busy = False
        self.insights_loaded = True
        self.has_spending = view.currency is not None
        self.since_label = (
            "" if view.since is None else self._t("insights.since", date=format_month(view.since.date(), lang))
        )
        if view.currency is None:
            self.total_label = format_money(0, "EUR", lang)
            self.currency_note = self.months_note = ""
            self.month_rows, self.app_rows, self.merchant_rows, self.category_rows = [], [], [], []
            return
        currency, total = view.currency, view.total_cents
        self.total_label = format_money(total, currency, lang)
        others = [format_money(cents, code, lang) for code, cents in view.totals[1:]]
        self.currency_note = (
            self._t("insights.other_currencies", currency=currency, amounts=", ".join(others)) if others else ""
        )
        self.months_note = (
            self._t("insights.months_truncated", count=len(view.by_month)) if view.months_truncated else ""
        )
        axis_style = "short" if len(view.by_month) <= 12 else "short_year"
        self.month_rows = [
            MonthRow(
                key=m.month.strftime("%Y-%m"),
                name=format_month(m.month, lang),
                axis=format_month(m.month, lang, style=axis_style),
                value=float(to_decimal(m.cents, currency)),
                amount_label=format_money(m.cents, currency, lang),
            )
            for m in view.by_month
        ]
        self.app_rows = self._slice_rows(view.by_app, total, currency, lang, "app", APP_COLORS)
        # Shops and fundraisers carry their own names; "people" and "others" are named by key.
        self.merchant_rows = self._slice_rows(view.by_merchant, total, currency, lang, "insights.merchant")
        self.category_rows = self._slice_rows(view.by_category, total, currency, lang, "insights.category")
