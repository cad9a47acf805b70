"""State of /merchant: the shop at a glance, with links to the dashboard's sections."""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import shops
from socialshop.services.errors import ServiceError
from socialshop.state.merchant import MerchantState


class MerchantOverviewState(MerchantState):
    overview: shops.ShopOverview | None = None
    overview_error: str = ""

    @rx.event
    def load(self):
        self.overview_error = ""
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            found = self._merchant_page(session)
            if found is None:
                self.overview = None
                return None
            try:
                self.overview = shops.shop_overview(session, user=user)
            except ServiceError as error:
                self.overview = None
                self.overview_error = self._error_text(error)
        return None
