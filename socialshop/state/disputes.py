"""States of the three dispute pages: the buyer's /disputes/<order>, the shop's
/merchant/disputes and support's /support/disputes."""

from __future__ import annotations

import asyncio

import reflex as rx

from socialshop import i18n
from socialshop.db import session_scope
from socialshop.services import accounts, disputes, support
from socialshop.services.errors import ServiceError
from socialshop.state.merchant import MerchantState
from socialshop.state.session import SessionState

DISPUTE_ARG = "dispute_order"


class DisputeState(SessionState):
    """The buyer's page for one order: report a problem, then follow it."""

    case: disputes.BuyerCase | None = None
    loaded: bool = False
    error: str = ""
    notice: str = ""

    def _order_arg(self) -> str:
        raw = self.router._page.params.get(DISPUTE_ARG)
        if not isinstance(raw, str) or not raw:
            raw = (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1]
        return raw

    def _reload(self, session, user) -> None:
        try:
            self.case = disputes.buyer_case(session, user=user, order_id=self._order_arg(), language=self.lang)
        except ServiceError as error:
            self.case, self.error = None, self._error_text(error)

    @rx.event
    def load(self):
        self.case, self.loaded, self.error, self.notice = None, False, "", ""
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self._reload(session, user)
        self.loaded = True
        return None

    @rx.event
    def submit(self, form: dict):
        self.error, self.notice = "", ""
        form = form if isinstance(form, dict) else {}
        reason, details = form.get("reason"), form.get("details")
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                disputes.open_dispute(session, user=user, order_id=self._order_arg(), reason=reason, details=details)
            except ServiceError as error:
                self.error = self._error_text(error)
                return None
            self.notice = self._t("dispute.sent")
            self._reload(session, user)
        return None

    def _act(self, action) -> None:
        self.error, self.notice = "", ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return
            try:
                action(session, user=user, order_id=self._order_arg())
            except ServiceError as error:
                self.error = self._error_text(error)
            self._reload(session, user)

    @rx.event
    def escalate(self):
        self._act(disputes.escalate_by_buyer)

    @rx.event
    def withdraw(self):
        self._act(disputes.withdraw)


class MerchantDisputesState(MerchantState):
    """The shop's disputes: one filter, a page at a time, an answer box per open one."""

    status_filter: str = "waiting"
    rows: list[disputes.DisputeView] = []
    next_cursor: str = ""
    error: str = ""
    notice: str = ""

    def _fill(self, session, user, *, append: bool) -> None:
        try:
            page, cursor = disputes.shop_disputes(
                session, user=user, status=self.status_filter, after=self.next_cursor if append else "",
                language=self.lang,
            )
        except ServiceError as error:
            self.error = self._error_text(error)
            return
        self.rows = (self.rows + page) if append else page
        self.next_cursor = cursor

    @rx.event
    def load(self):
        self.rows, self.next_cursor, self.error, self.notice = [], "", "", ""
        with session_scope() as session:
            found = self._merchant_page(session)
            if found is None:
                return self._login_redirect() if not self.is_logged_in else None
            self._fill(session, found[0], append=False)
        return None

    @rx.event
    def set_status_filter(self, value: str):
        if not isinstance(value, str) or value not in disputes.SHOP_FILTERS:
            return
        self.status_filter, self.notice, self.error = value, "", ""
        with session_scope() as session:
            found = self._merchant(session)
            if found is not None:
                self._fill(session, found[0], append=False)

    @rx.event
    def show_more(self):
        if not self.next_cursor:
            return
        with session_scope() as session:
            found = self._merchant(session)
            if found is not None:
                self._fill(session, found[0], append=True)

    @rx.event
    def send_answer(self, form: dict):
        self.error, self.notice = "", ""
        if not isinstance(form, dict):
            return
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return
            try:
                disputes.answer(session, user=found[0], dispute_id=form.get("dispute_id"), text=form.get("answer"))
                self.notice = self._t("mdispute.answered")
            except ServiceError as error:
                self.error = self._error_text(error)
            self._fill(session, found[0], append=False)


class SupportDisputesState(SessionState):
    """Support's queue of escalated disputes: refund (through the one refund path) or close."""

    allowed: bool = False
    rows: list[disputes.DisputeView] = []
    next_cursor: str = ""
    error: str = ""
    notice: str = ""
    busy: bool = False

    def _fill(self, session, agent, *, append: bool) -> None:
        page, cursor = disputes.support_queue(session, agent=agent, after=self.next_cursor if append else "",
                                              language=self.lang)
        self.rows = (self.rows + page) if append else page
        self.next_cursor = cursor

    def _agent(self, session):
        user = self._current_user(session)
        return user if support.is_agent(user) else None

    @rx.event
    def load(self):
        self.rows, self.next_cursor, self.error, self.notice = [], "", "", ""
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self.allowed = support.is_agent(user)
            if self.allowed:
                self._fill(session, user, append=False)
        return None

    @rx.event
    def show_more(self):
        if not self.next_cursor:
            return
        with session_scope() as session:
            agent = self._agent(session)
            if agent is not None:
                self._fill(session, agent, append=True)

    @rx.event
    def close_dispute(self, form: dict):
        self.error, self.notice = "", ""
        if not isinstance(form, dict):
            return
        with session_scope() as session:
            agent = self._agent(session)
            if agent is None:
                return
            try:
                disputes.close_by_support(session, agent=agent, dispute_id=form.get("dispute_id"), note=form.get("note"))
                self.notice = self._t("sdispute.closed")
            except ServiceError as error:
                self.error = self._error_text(error)
            self._fill(session, agent, append=False)

    @rx.event(background=True)
    async def refund_dispute(self, form: dict):
        """A money handler: the gateway refund runs off the event loop."""
        async with self:
            if self.busy or not isinstance(form, dict):
                return
            self.busy, self.error, self.notice = True, "", ""
            token, lang = self.auth_token, self.lang

        def work() -> tuple[str, str]:
            with session_scope() as session:
                agent = accounts.user_for_token(session, token=token)
                if not support.is_agent(agent):
                    return "", ""
                try:
                    disputes.refund_by_support(session, agent=agent, dispute_id=form.get("dispute_id"),
                                               amount=form.get("amount"), note=form.get("note"), language=lang)
                except ServiceError as error:
                    return "", i18n.error_message(error.code, lang, **error.params)
                return "sdispute.refunded", ""

        notice_key, error = await asyncio.to_thread(work)
        async with self:
            self.busy = False
            self.error = error
            self.notice = self._t(notice_key) if notice_key else ""
            with session_scope() as session:
                agent = self._agent(session)
                if agent is not None:
                    self._fill(session, agent, append=False)
