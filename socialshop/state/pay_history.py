"""State of /pay/history."""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import history
from socialshop.services.errors import ServiceError
from socialshop.state.shopping import ShopperState


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
