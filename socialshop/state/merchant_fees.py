"""State of /merchant/fees: the packages in plain words, the shop's own, choosing another,
and what each would have cost on the shop's last 30 days."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import reflex as rx
from babel.numbers import format_percent

from socialshop.db import session_scope
from socialshop.money import fees
from socialshop.services import merchant_fees
from socialshop.services.errors import ServiceError
from socialshop.services.money import LOCALES, format_date, format_money
from socialshop.state.merchant import MerchantState


@dataclasses.dataclass(frozen=True)
class PackageRow:
    code: str
    name: str
    commission: str
    flat: str
    monthly: str
    payout: str
    current: bool
    # The comparison on the last 30 days: the total and how it is made up.
    cost: str
    cost_detail: str
    cheapest: bool
    choose_label: str


class MerchantFeesState(MerchantState):
    fees_loaded: bool = False
    fees_error: str = ""
    fees_notice: str = ""
    packages: list[PackageRow] = []
    current_name: str = ""
    since_label: str = ""
    has_orders: bool = False
    compare_intro: str = ""
    actual_label: str = ""

    @rx.event
    def load(self):
        self.fees_error = ""
        self.fees_notice = ""
        with session_scope() as session:
            found = self._merchant_page(session)
            if found is None:
                return self._login_redirect() if not self.user_display_name else None
            self._show(merchant_fees.overview(session, user=found[0]))
        return None

    @rx.event
    def choose(self, code: str):
        self.fees_error = ""
        self.fees_notice = ""
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return None
            try:
                shop = merchant_fees.choose_package(session, user=found[0], package=code)
            except ServiceError as error:
                self.fees_error = self._error_text(error)
                return None
            self.fees_notice = self._t("fees.chosen", name=self._t(f"fees.package.{shop.fee_package}"))
            self._show(merchant_fees.overview(session, user=found[0]))
        return None

    def _show(self, view: merchant_fees.FeeOverview) -> None:
        lang, currency = self.lang, view.currency
        money = lambda cents: format_money(cents, currency, lang)  # noqa: E731
        cheapest = min(c.total_cents for c in view.costs)
        rows = []
        for cost in view.costs:
            package = fees.PACKAGES[cost.code]
            if not package.flat_cents:
                flat = self._t("fees.no_flat")
            elif package.flat_up_to_cents is None:
                flat = self._t("fees.flat_all", flat=money(package.flat_cents))
            else:
                flat = self._t("fees.flat_small", flat=money(package.flat_cents), limit=money(package.flat_up_to_cents))
            rows.append(PackageRow(
                code=cost.code,
                name=self._t(f"fees.package.{cost.code}"),
                commission=self._t("fees.commission", percent=format_percent(
                    Decimal(package.percent_bps) / 10_000, "#,##0.##%", locale=LOCALES[lang])),
                flat=flat,
                monthly=self._t("fees.monthly", amount=money(package.monthly_cents))
                if package.monthly_cents else self._t("fees.no_monthly"),
                payout=self._t(f"fees.schedule.{package.payout_schedule}"),
                current=cost.current,
                cost=money(cost.total_cents),
                cost_detail=self._t("fees.compare.detail", orders=money(cost.order_fees_cents),
                                    monthly=money(cost.monthly_cents)),
                cheapest=view.orders > 0 and cost.total_cents == cheapest,
                choose_label=self._t("fees.choose", name=self._t(f"fees.package.{cost.code}")),
            ))
        self.packages = rows
        self.current_name = self._t(f"fees.package.{view.package}")
        since = view.since
        self.since_label = self._t("fees.current_since", date=format_date(_utc(since).date(), lang)) if since else ""
        self.has_orders = view.orders > 0
        self.compare_intro = self._t("fees.compare.intro", orders=view.orders, sales=money(view.sales_cents))
        self.actual_label = self._t("fees.compare.actual", amount=money(view.actual_cents))
        self.fees_loaded = True


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
