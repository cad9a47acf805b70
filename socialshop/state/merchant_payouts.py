"""State of /merchant/payouts: the balance split into available, pending and held, a debt
after large refunds, "Pay out now", and the past payouts a page at a time."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import secrets

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import Payout, utcnow
from socialshop.services import accounts, payouts
from socialshop.services.errors import ServiceError
from socialshop.services.money import format_datetime, format_money, format_until
from socialshop.state.merchant import MerchantState


@dataclasses.dataclass(frozen=True)
class PayoutRow:
    id: int
    date: str
    amount: str
    status: str


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _pay_out(token: str, key: str) -> tuple[Payout, payouts.Balance, payouts.PayoutPage] | None:
    """The payout, and the balance and newest payouts after it; None: the login has ended."""
    with session_scope() as session:
        user = accounts.user_for_token(session, token=token)
        if user is None:
            return None
        payout = payouts.pay_out(session, user=user, key=key)
        return payout, payouts.balance(session, user=user), payouts.list_payouts(session, user=user)


class MerchantPayoutsState(MerchantState):
    payouts_loaded: bool = False
    payouts_error: str = ""
    payouts_notice: str = ""
    paying_out: bool = False
    balance_label: str = ""
    available_label: str = ""
    pending_label: str = ""
    held_label: str = ""
    next_release_label: str = ""
    owed_label: str = ""
    can_pay_out: bool = False
    pay_out_label: str = ""
    rows: list[PayoutRow] = []
    has_older: bool = False
    has_newer: bool = False
    # Made when the page opens: a double click, a second event from a slow network or a
    # retry all carry the same key, so they reach the same payout and show its notice again.
    # It is kept after a payout (nothing is left to pay out until the page loads again).
    _payout_key: str = ""
    # `before` of every page from the newest to the shown one (0 is the newest page).
    _pages: list[int] = [0]
    _next_before: int = 0

    @rx.event
    def load(self):
        self.payouts_error = ""
        self.payouts_notice = ""
        self._payout_key = _new_key()
        self._pages = [0]
        with session_scope() as session:
            found = self._merchant_page(session)
            if found is None:
                return self._login_redirect() if not self.user_display_name else None
            self._refresh(session, found[0])
        return None

    def _refresh(self, session, user) -> None:
        self._show_balance(payouts.balance(session, user=user))
        self._show_page(payouts.list_payouts(session, user=user, before=self._pages[-1]))
        self.payouts_loaded = True

    def _show_balance(self, view: payouts.Balance) -> None:
        lang, currency = self.lang, view.currency
        money = lambda cents: format_money(cents, currency, lang)  # noqa: E731
        self.balance_label = money(view.balance_cents)
        self.available_label = money(view.available_cents)
        self.pending_label = money(view.pending_cents)
        self.held_label = money(view.held_cents)
        release = view.next_release_at
        self.next_release_label = (
            self._t("payouts.next_release", when=format_until(release, utcnow(), lang)) if release else ""
        )
        self.owed_label = self._t("payouts.owed", amount=money(view.owed_cents)) if view.owed_cents else ""
        self.can_pay_out = view.available_cents > 0
        self.pay_out_label = (
            self._t("payouts.pay_out", amount=money(view.available_cents)) if self.can_pay_out
            else self._t("payouts.nothing")
        )

    def _show_page(self, page: payouts.PayoutPage) -> None:
        lang = self.lang
        self.rows = [
            PayoutRow(
                id=p.id,  # type: ignore[arg-type]
                date=format_datetime(_utc(p.created_at), lang),
                amount=format_money(p.amount_cents, p.currency, lang),
                status=self._t(f"payouts.status.{p.status}"),
            )
            for p in page.payouts
        ]
        self._next_before = page.next_before
        self.has_older = page.next_before != 0
        self.has_newer = len(self._pages) > 1

    def _turn(self) -> None:
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return
            try:
                self._show_page(payouts.list_payouts(session, user=found[0], before=self._pages[-1]))
            except ServiceError as error:
                self.payouts_error = self._error_text(error)

    @rx.event
    def older(self):
        if not self._next_before:
            return
        self._pages = [*self._pages, self._next_before]
        self._turn()

    @rx.event
    def newer(self):
        if len(self._pages) <= 1:
            return
        self._pages = self._pages[:-1]
        self._turn()

    @rx.event(background=True)
    async def pay_out(self):
        async with self:
            if self.paying_out:
                return
            self.paying_out = True
            self.payouts_error = ""
            self.payouts_notice = ""
            token, key = self.auth_token, self._payout_key
        try:
            done = await asyncio.to_thread(_pay_out, token, key)
        except ServiceError as error:
            async with self:
                self.paying_out = False
                self.payouts_error = self._error_text(error)
            return
        async with self:
            self.paying_out = False
            if done is None:
                return self._login_redirect()
            payout, balance, page = done
            self.payouts_notice = self._t(
                "payouts.paid", amount=format_money(payout.amount_cents, payout.currency, self.lang)
            )
            self._pages = [0]
            self._show_balance(balance)
            self._show_page(page)
        return None


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
