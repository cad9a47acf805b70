"""A product's own page (/shop/<slug>/product/<id>): its permalink, readable logged out.

It shows the product sheet's product inline (the same vars and handlers: quantity, Add to
cart, Buy now, Save), so buying from it works exactly as from a post; logged out, those
handlers ask to log in and come back here (ProductSheetState._ask_login).
"""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import AppSurface
from socialshop.services import catalog, saved
from socialshop.services.errors import NotFound, ServiceError
from socialshop.state.shop_catalog import SLUG_ARG
from socialshop.state.shopping import ProductSheetState, parse_app_arg

# The name of the product's dynamic segment (distinct from any state var: Reflex makes one).
PRODUCT_ARG = "permalink_product_id"


class ProductPageState(ProductSheetState):
    product_missing: bool = False
    product_page_loaded: bool = False
    product_page_error: str = ""
    # The full address to copy (origin + path), set when the page loads.
    product_share_url: str = ""

    @rx.var
    def product_page_title(self) -> str:
        product = self.product
        if product is not None and not self.product_missing:
            return f"{product.title} · {product.shop_name} · SocialShop"
        if self.product_missing:
            return f"{self._t('product.not_found_title')} · SocialShop"
        return "SocialShop"

    @rx.var
    def product_page_description(self) -> str:
        product = self.product
        if product is None or self.product_missing:
            return ""
        return f"{product.price_label} · {product.description}" if product.description else product.price_label

    def _param(self, name: str) -> str:
        raw = self.router._page.params.get(name)
        return raw if isinstance(raw, str) else ""

    @rx.event
    def load(self):
        self._reset_sheet()
        self.sheet_open = False
        self.sheet_post_id = 0
        self.product_missing = False
        self.product_page_loaded = False
        self.product_page_error = ""
        self.product_share_url = ""
        slug, raw_id = self._param(SLUG_ARG), self._param(PRODUCT_ARG)
        # The app the link was shared from (checkout records it and checks Pay is on there).
        self.sheet_app = parse_app_arg(self.router.url.query_parameters.get("app")) or AppSurface.FACEBOOK.value
        try:
            with session_scope() as session:
                # Who is signed in, if anyone, for the frame; a public page never redirects.
                user = self._page_user(session)
                try:
                    product = catalog.get_shop_product(session, slug=slug, product_id=raw_id, language=self.lang)
                except NotFound:
                    self.product_missing = True
                    product = None
                if product is not None:
                    self.product = product
                    self.product_saved = user is not None and saved.is_saved(
                        session, user=user, product_id=product.id
                    )
                    self._update_cart_count(session, user)
                    self.product_share_url = self.router.url.origin + catalog.product_path(
                        product.shop_slug, product.id
                    )
        except ServiceError as error:
            self.product_page_error = self._error_text(error)
        self.product_page_loaded = True

    @rx.event
    def link_copied(self):
        return rx.toast.success(self._t("product.link_copied"))
