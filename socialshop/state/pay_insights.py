"""State of /pay/insights: spending by app, merchant, category and month for one period."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from socialshop import i18n
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


# Every label comes in English and Italian (like the page's own text, see components/i18n.tr):
# switching the language re-renders the numbers at once, without asking the server again.


@dataclasses.dataclass(frozen=True)
class SliceRow:
    key: str
    name_en: str
    name_it: str
    # The amount in the currency's units, for the chart's scale; the table shows amount_*.
    value: float
    amount_en: str
    amount_it: str
    share_en: str
    share_it: str
    color: str


@dataclasses.dataclass(frozen=True)
class MonthRow:
    key: str  # "2026-12"
    name_en: str  # "December 2026"
    name_it: str
    axis_en: str  # "Dec", or "Dec 26" when the chart spans more than a year
    axis_it: str
    value: float
    amount_en: str
    amount_it: str


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
    # {"en": ..., "it": ...}
    total_label: dict[str, str] = {}
    since_label: dict[str, str] = {}
    currency_note: dict[str, str] = {}
    months_note: dict[str, str] = {}
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
            token, period = self.auth_token, self.period
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
            self._show(view)
        return None

    def _show(self, view: pay_insights.Insights) -> None:
        self.insights_busy = False
        self.insights_loaded = True
        self.has_spending = view.currency is not None
        since = view.since
        self.since_label = _both(
            lambda lang: "" if since is None else i18n.translate(
                "insights.since", lang, date=format_month(since.date(), lang))
        )
        currency = view.currency or "EUR"
        total = view.total_cents
        self.total_label = _both(lambda lang: format_money(total, currency, lang))
        others = view.totals[1:]
        self.currency_note = _both(
            lambda lang: i18n.translate(
                "insights.other_currencies", lang, currency=currency,
                amounts=", ".join(format_money(cents, code, lang) for code, cents in others),
            ) if others else ""
        )
        count = len(view.by_month)
        self.months_note = _both(
            lambda lang: i18n.translate("insights.months_truncated", lang, count=count) if view.months_truncated else ""
        )
        self.month_rows = _month_rows(view.by_month, currency)
        self.app_rows = _slice_rows(view.by_app, total, currency, "app", APP_COLORS)
        self.merchant_rows = _slice_rows(view.by_merchant, total, currency, "insights.merchant")
        self.category_rows = _slice_rows(view.by_category, total, currency, "insights.category")


def _both(render) -> dict[str, str]:
    return {lang: render(lang) for lang in i18n.LANGUAGES}


def _slice_rows(slices: list[pay_insights.Slice], total: int, currency: str, name_key: str,
                colors: dict[str, str] | None = None) -> list[SliceRow]:
    rows = []
    for i, s in enumerate(slices):
        # Shops and fundraisers carry their own names; apps, categories, "people" are named by key.
        name = _both(lambda lang, s=s: s.label or i18n.translate(f"{name_key}.{s.key}", lang))
        amount = _both(lambda lang, s=s: format_money(s.cents, currency, lang))
        share = _both(lambda lang, s=s: format_share(s.cents, total, lang))
        rows.append(SliceRow(
            key=s.key,
            name_en=name["en"], name_it=name["it"],
            value=float(to_decimal(s.cents, currency)),
            amount_en=amount["en"], amount_it=amount["it"],
            share_en=share["en"], share_it=share["it"],
            color=_fill((colors or {}).get(s.key, SLICE_COLORS[i % len(SLICE_COLORS)])),
        ))
    return rows


def _month_rows(months: list[pay_insights.MonthTotal], currency: str) -> list[MonthRow]:
    axis_style = "short" if len(months) <= 12 else "short_year"
    rows = []
    for m in months:
        name = _both(lambda lang, m=m: format_month(m.month, lang))
        axis = _both(lambda lang, m=m: format_month(m.month, lang, style=axis_style))
        amount = _both(lambda lang, m=m: format_money(m.cents, currency, lang))
        rows.append(MonthRow(
            key=m.month.strftime("%Y-%m"),
            name_en=name["en"], name_it=name["it"],
            axis_en=axis["en"], axis_it=axis["it"],
            value=float(to_decimal(m.cents, currency)),
            amount_en=amount["en"], amount_it=amount["it"],
        ))
    return rows
