"""State of /pay/history (one page of the filtered list) and /pay/history/<id> (one receipt).

The filter lives in the URL query (?app=instagram&q=bottega&from=2026-11-01), so a filtered
list can be linked and the back button undoes a filter; the page's on_load reads it.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import accounts, history
from socialshop.services.errors import NotFound, ServiceError
from socialshop.state.shopping import ShopperState

# The name of the dynamic segment in /pay/history/[entry_ref].
ENTRY_ARG = "entry_ref"
HISTORY_PATH = "/pay/history"
CSV_FILENAME = "pay-history.csv"
# Form fields and the URL parameters they become.
_FIELDS = {"app": "app", "type": "type", "status": "status", "from": "date_from", "to": "date_to", "q": "search"}


def _filter_from(values: object) -> history.HistoryFilter:
    """The filter from the URL query or the form (both use the URL's names)."""
    source = values if isinstance(values, dict) else {}
    return history.parse_filter(**{arg: source.get(name, "") for name, arg in _FIELDS.items()})


def _history_url(filters: history.HistoryFilter) -> str:
    query = filters.query()
    return f"{HISTORY_PATH}?{urlencode(query)}" if query else HISTORY_PATH


def _export(token: str, filters: history.HistoryFilter) -> str | None:
    """The CSV of the filtered list, or None when the login has ended."""
    with session_scope() as session:
        user = accounts.user_for_token(session, token=token)
        return history.export_csv(session, user=user, filters=filters) if user is not None else None


class PayHistoryState(ShopperState):
    entries: list[history.HistoryEntry] = []
    history_loaded: bool = False
    history_error: str = ""
    # The filter as the form shows it.
    filter_app: str = ""
    filter_type: str = ""
    filter_status: str = ""
    filter_from: str = ""
    filter_to: str = ""
    filter_search: str = ""
    # Bumped on every load: the form's fields are re-created with the filter's values.
    form_version: int = 0
    has_older: bool = False
    page_number: int = 1
    exporting: bool = False
    _filters: history.HistoryFilter = history.NO_FILTER
    # The cursor of every page from the newest to the shown one ("" is the newest page).
    _cursors: list[str] = [""]
    _next_cursor: str = ""

    @rx.var
    def filtered(self) -> bool:
        return any(
            (self.filter_app, self.filter_type, self.filter_status, self.filter_from, self.filter_to, self.filter_search)
        )

    def _show_filters(self, filters: history.HistoryFilter) -> None:
        self._filters = filters
        self.filter_app, self.filter_type, self.filter_status = filters.app, filters.type, filters.status
        self.filter_from = filters.date_from.isoformat() if filters.date_from else ""
        self.filter_to = filters.date_to.isoformat() if filters.date_to else ""
        self.filter_search = filters.search
        self.form_version += 1

    def _fetch(self, session, user) -> None:
        try:
            page = history.list_history(
                session, user=user, filters=self._filters, cursor=self._cursors[-1], language=self.lang
            )
        except ServiceError as error:
            self.history_error = self._error_text(error)
            self._cursors = [""]
            page = history.list_history(session, user=user, filters=self._filters, language=self.lang)
        self.entries = page.entries
        self._next_cursor = page.next_cursor
        self.has_older = page.next_cursor != ""
        self.page_number = len(self._cursors)
        self.history_loaded = True

    @rx.event
    def load(self):
        self.history_error = ""
        try:
            filters = _filter_from(dict(self.router.url.query_parameters))
        except ServiceError as error:
            # A hand-edited link: say what is wrong with it and show the whole history.
            self.history_error = self._error_text(error)
            filters = history.NO_FILTER
        self._show_filters(filters)
        self._cursors = [""]
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self._fetch(session, user)
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        """The filter form: a bad field is named and nothing changes; a good filter becomes the URL."""
        try:
            filters = _filter_from(form_data)
        except ServiceError as error:
            self.history_error = self._error_text(error)
            return None
        self.history_error = ""
        return rx.redirect(_history_url(filters))

    @rx.event
    def clear_filters(self):
        return rx.redirect(HISTORY_PATH)

    def _turn(self) -> None:
        self.history_error = ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                self.entries, self.has_older = [], False
                return
            self._fetch(session, user)

    @rx.event
    def older(self):
        if not self._next_cursor:
            return
        self._cursors = [*self._cursors, self._next_cursor]
        self._turn()

    @rx.event
    def newer(self):
        if len(self._cursors) <= 1:
            return
        self._cursors = self._cursors[:-1]
        self._turn()

    @rx.event(background=True)
    async def export_csv(self):
        """Every entry the filter matches (all pages, not just the shown one), as a CSV download."""
        async with self:
            if self.exporting:
                return None
            self.exporting = True
            token, filters = self.auth_token, self._filters
        try:
            data = await asyncio.to_thread(_export, token, filters)
        except ServiceError as error:
            async with self:
                self.exporting = False
                self.history_error = self._error_text(error)
            return None
        async with self:
            self.exporting = False
        if data is None:
            return rx.redirect(f"/login?next={HISTORY_PATH}")
        return rx.download(data=data, filename=CSV_FILENAME, mime_type="text/csv")


class PayReceiptState(ShopperState):
    receipt: history.Receipt | None = None
    receipt_loaded: bool = False
    receipt_error: str = ""

    @rx.var
    def receipt_lines(self) -> list[history.ReceiptLine]:
        return self.receipt.lines if self.receipt is not None else []

    @rx.var
    def receipt_events(self) -> list[history.ReceiptEvent]:
        return self.receipt.events if self.receipt is not None else []

    @rx.var
    def receipt_orders(self) -> list[history.ReceiptOrder]:
        return self.receipt.orders if self.receipt is not None else []

    @rx.var
    def report_link(self) -> str:
        return f"/pay/support?{urlencode({'about': self.receipt.id})}" if self.receipt is not None else ""

    def _requested(self) -> str:
        raw = self.router._page.params.get(ENTRY_ARG)
        if not isinstance(raw, str) or not raw:
            path = self.router.url.path or ""
            raw = path.rstrip("/").rsplit("/", 1)[-1] if path.startswith(f"{HISTORY_PATH}/") else ""
        return raw

    @rx.event
    def load(self):
        self.receipt, self.receipt_error, self.receipt_loaded = None, "", False
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            try:
                self.receipt = history.get_receipt(session, user=user, entry=self._requested(), language=self.lang)
            except NotFound as error:
                self.receipt_error = self._error_text(error)
        self.receipt_loaded = True
        return None
