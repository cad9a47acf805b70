"""Saved products (/saved)."""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import catalog, inputs, saved
from socialshop.services.errors import ServiceError
from socialshop.state.shopping import ShopperState


class SavedState(ShopperState):
    saved_items: list[catalog.ProductView] = []
    saved_loaded: bool = False
    saved_error: str = ""
    saved_notice: str = ""

    @rx.event
    def load(self):
        self.saved_error = ""
        self.saved_notice = ""
        return self._refresh()

    @rx.event
    def refresh(self):
        """After the product sheet closes: it may have unsaved the product."""
        return self._refresh()

    def _refresh(self):
        try:
            with session_scope() as session:
                user = self._page_user(session)
                if user is None:
                    return self._login_redirect()
                self.saved_items = saved.list_saved(session, user=user, language=self.lang)
        except ServiceError as error:
            self.saved_error = self._error_text(error)
        self.saved_loaded = True
        return None

    @rx.event
    def remove(self, product_id: str | int):
        self.saved_error = ""
        self.saved_notice = ""
        pid = inputs.parse_id(product_id)
        item = next((p for p in self.saved_items if p.id == pid), None) if pid is not None else None
        if item is None:
            self.saved_error = self._error_text(ServiceError("saved_item_not_found"))
            return self._refresh()
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                saved.unsave_product(session, user=user, product_id=pid)
        except ServiceError as error:
            self.saved_error = self._error_text(error)
        else:
            self.saved_notice = self._t("saved.removed", title=item.title)
        return self._refresh()
