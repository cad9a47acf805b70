"""State of /merchant/insights: the shop's sales by day, app, product and buyer city.

Groups the service suppressed (fewer than 5 buyers) arrive here with their name only; they
become a table row saying so and are left out of the charts' data.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import reflex as rx
from babel.dates import format_skeleton

from socialshop.components.posts import APP_COLORS
from socialshop.db import session_scope
from socialshop.services import accounts, merchant_insights
from socialshop.services.errors import ServiceError
from socialshop.services.money import LOCALES, format_date, format_money, to_decimal
from socialshop.state.merchant import MerchantState
from socialshop.state.pay_insights import SLICE_COLORS


@dataclasses.dataclass(frozen=True)
class GroupRow:
    key: str
    name: str
    shown: bool
    # "fewer than 5 buyers" for a suppressed group: it has no numbers to show.
    amount: str
    buyers: str
    color: str


@dataclasses.dataclass(frozen=True)
class ChartPoint:
    key: str
    name: str
    value: float
    color: str


def _insights_for(token: str, period: str) -> merchant_insights.Insights | None:
    with session_scope() as session:
        user = accounts.user_for_token(session, token=token)
        if user is None:
            return None
        return merchant_insights.insights(session, user=user, period=period)


class MerchantInsightsState(MerchantState):
    period: str = merchant_insights.DEFAULT_PERIOD.value
    minsights_loaded: bool = False
    minsights_busy: bool = False
    minsights_error: str = ""
    has_sales: bool = False
    total_shown: bool = False
    total_label: str = ""
    total_detail: str = ""
    day_rows: list[GroupRow] = []
    day_points: list[ChartPoint] = []
    app_rows: list[GroupRow] = []
    app_points: list[ChartPoint] = []
    product_rows: list[GroupRow] = []
    product_points: list[ChartPoint] = []
    city_rows: list[GroupRow] = []
    city_points: list[ChartPoint] = []

    @rx.event
    def load(self):
        self.minsights_error = ""
        with session_scope() as session:
            found = self._merchant_page(session)
            if found is None:
                return self._login_redirect() if not self.user_display_name else None
        return MerchantInsightsState.refresh

    @rx.event
    def set_period(self, value: str):
        try:
            period = merchant_insights.parse_period(value)
        except ServiceError as error:
            self.minsights_error = self._error_text(error)
            return None
        self.minsights_error = ""
        self.period = period.value
        return MerchantInsightsState.refresh

    @rx.event(background=True)
    async def refresh(self):
        async with self:
            if not self.is_merchant:
                return None
            token, period = self.auth_token, self.period
            self.minsights_busy = True
        try:
            view = await asyncio.to_thread(_insights_for, token, period)
        except ServiceError as error:
            async with self:
                self.minsights_busy = False
                self.minsights_error = self._error_text(error)
                self.minsights_loaded = True
            return None
        async with self:
            self.minsights_busy = False
            if view is None:
                return self._login_redirect()
            if self.period != period:
                return None
            self._show(view)
        return None

    def _show(self, view: merchant_insights.Insights) -> None:
        lang, currency = self.lang, view.currency
        hidden = self._t("minsights.suppressed")

        def rows(groups, name, colors=None, one_color=None):
            table, points = [], []
            for i, g in enumerate(groups):
                scale = one_color or (colors or {}).get(g.key, SLICE_COLORS[i % len(SLICE_COLORS)])
                color = f"var(--{scale}-9)"
                if g.key == merchant_insights.OTHERS:
                    label = self._t("minsights.others")
                elif g.key == merchant_insights.MORE_HIDDEN:
                    label = self._t("minsights.more_hidden", count=g.label)
                else:
                    label = name(g)
                table.append(GroupRow(
                    key=g.key, name=label, shown=g.shown,
                    amount=format_money(g.cents, currency, lang) if g.shown else hidden,
                    buyers=str(g.buyers) if g.shown else "",
                    color=color if g.shown else "var(--gray-6)",
                ))
                if g.shown:
                    points.append(ChartPoint(key=g.key, name=label, value=float(to_decimal(g.cents, currency)),
                                             color=color))
            return table, points

        self.has_sales = view.has_sales
        self.total_shown = view.total_shown
        self.total_label = format_money(view.total_cents, currency, lang) if view.total_shown else hidden
        self.total_detail = self._t(
            "minsights.total_detail", orders=view.total_orders, buyers=view.total_buyers
        ) if view.total_shown else ""
        self.day_rows, self.day_points = rows(
            view.by_day, lambda g: _day_label(g.key, lang, short=False), one_color="accent"
        )
        # The chart's axis wants short names.
        self.day_points = [dataclasses.replace(p, name=_day_label(p.key, lang, short=True)) for p in self.day_points]
        self.app_rows, self.app_points = rows(view.by_app, lambda g: self._t(f"app.{g.key}"), APP_COLORS)
        self.product_rows, self.product_points = rows(view.by_product, lambda g: g.label)
        self.city_rows, self.city_points = rows(
            view.by_city,
            lambda g: g.label if g.key != merchant_insights.NO_ADDRESS else self._t("minsights.no_address"),
        )
        self.minsights_loaded = True


def _day_label(key: str, lang: str, *, short: bool) -> str:
    day = dt.date.fromisoformat(key)
    if short:
        return format_skeleton("dMMM", day, locale=LOCALES.get(lang, LOCALES["en"]))
    return format_date(day, lang)
