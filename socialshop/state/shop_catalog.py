"""The list of shops (/shops) and one storefront (/shop/<slug>)."""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import catalog
from socialshop.services.errors import ServiceError
from socialshop.state.shopping import ShopperState

# The name of the dynamic segment in /shop/[storefront_slug].
SLUG_ARG = "storefront_slug"


class ShopsState(ShopperState):
    shops: list[catalog.ShopSummary] = []
    shops_loaded: bool = False
    shops_error: str = ""

    @rx.event
    def load(self):
        redirect = self.require_login()
        if redirect is not None:
            return redirect
        self.shops_error = ""
        try:
            with session_scope() as session:
                self.shops = catalog.list_shops(session)
        except ServiceError as error:
            self.shops = []
            self.shops_error = self._error_text(error)
        self.shops_loaded = True
        return None


class StorefrontState(ShopperState):
    shop: catalog.ShopPage | None = None
    storefront_loaded: bool = False
    storefront_error: str = ""
    shop_missing: bool = False

    @rx.var
    def shop_products(self) -> list[catalog.ProductView]:
        return self.shop.products if self.shop is not None else []

    def _requested_slug(self) -> str:
        """The slug from the URL: the route's parameter, or the path's last segment."""
        raw = self.router._page.params.get(SLUG_ARG)
        if not isinstance(raw, str) or not raw:
            path = self.router.url.path or ""
            raw = path.rstrip("/").rsplit("/", 1)[-1] if path.startswith("/shop/") else ""
        return raw if isinstance(raw, str) else ""

    @rx.event
    def load(self):
        redirect = self.require_login()
        if redirect is not None:
            return redirect
        self.storefront_error = ""
        self.shop_missing = False
        self.storefront_loaded = False
        self.shop = None
        try:
            with session_scope() as session:
                # The service validates the slug's shape too: garbage is simply "not found".
                self.shop = catalog.get_shop_page(session, slug=self._requested_slug(), language=self.lang)
        except ServiceError as error:
            if error.code == "shop_not_found":
                self.shop_missing = True
            else:
                self.storefront_error = self._error_text(error)
        self.storefront_loaded = True
        return None
