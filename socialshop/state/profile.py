from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import shops
from socialshop.state.session import SessionState


class ProfileState(SessionState):
    email: str = ""
    phone: str = ""
    handle: str = ""
    shop_name: str = ""
    shop_slug: str = ""

    @rx.event
    def load(self):
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self.email = user.email
            self.phone = user.phone_number or ""
            self.handle = f"@{user.handle}" if user.handle else ""
            shop = shops.shop_of(session, owner=user)
            self.shop_name = shop.name if shop else ""
            self.shop_slug = shop.slug if shop else ""
        return None
