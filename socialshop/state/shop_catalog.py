"""The list of shops (/shops) and one storefront (/shop/<slug>): public pages, readable
logged out (they hold shops, products and the shops' own posts only, nothing of a person)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import catalog, feed
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
        self.shops_error = ""
        try:
            with session_scope() as session:
                # Who is signed in, if anyone, for the frame; a public page never redirects.
                self._page_user(session)
                self.shops = catalog.list_shops(session)
        except ServiceError as error:
            self.shops = []
            self.shops_error = self._error_text(error)
        self.shops_loaded = True
        return None


POSTS_PAGE_SIZE = 5


class StorefrontState(ShopperState):
    shop: catalog.ShopPage | None = None
    storefront_loaded: bool = False
    storefront_error: str = ""
    shop_missing: bool = False
    # The shown page of products (search and sort apply), keyset-paginated.
    shop_products: list[catalog.ProductView] = []
    product_sort: str = "newest"
    product_query: str = ""
    products_page: int = 1
    products_has_next: bool = False
    # The shop's recent posts, a few at a time.
    shop_posts: list[feed.PostView] = []
    posts_page: int = 1
    posts_has_older: bool = False
    _product_cursors: list[int] = [0]
    _next_product_cursor: int = 0
    _post_cursors: list[int] = [0]

    @rx.var
    def storefront_title(self) -> str:
        """The tab's title (and what a shared link previews as, where JavaScript runs)."""
        if self.shop is not None:
            return f"{self.shop.name} · SocialShop"
        if self.shop_missing:
            return f"{self._t('shop.not_found_title')} · SocialShop"
        return "SocialShop"

    @rx.var
    def storefront_description(self) -> str:
        return self.shop.description if self.shop is not None else ""

    def _requested_slug(self) -> str:
        """The slug from the URL: the route's parameter, or the path's last segment."""
        raw = self.router._page.params.get(SLUG_ARG)
        if not isinstance(raw, str) or not raw:
            path = self.router.url.path or ""
            raw = path.rstrip("/").rsplit("/", 1)[-1] if path.startswith("/shop/") else ""
        return raw if isinstance(raw, str) else ""

    @rx.event
    def load(self):
        self.storefront_error = ""
        self.shop_missing = False
        self.storefront_loaded = False
        self.shop = None
        self.shop_products = []
        self.shop_posts = []
        self.product_sort = "newest"
        self.product_query = ""
        self._product_cursors = [0]
        self._post_cursors = [0]
        try:
            with session_scope() as session:
                # Who is signed in, if anyone, for the frame; a public page never redirects.
                self._page_user(session)
                # The service validates the slug's shape too: garbage is simply "not found".
                shop = catalog.get_shop_page(session, slug=self._requested_slug(), language=self.lang)
                # The header only: the products shown live in shop_products.
                self.shop = dataclasses.replace(shop, products=[])
                self._show_products(catalog.ProductPage(shop.products, shop.next_cursor))
                self._fetch_posts(session)
        except ServiceError as error:
            if error.code == "shop_not_found":
                self.shop_missing = True
            else:
                self.storefront_error = self._error_text(error)
        self.storefront_loaded = True
        return None

    def _show_products(self, page: catalog.ProductPage) -> None:
        self.shop_products = page.products
        self._next_product_cursor = page.next_cursor
        self.products_has_next = page.next_cursor != 0
        self.products_page = len(self._product_cursors)

    def _fetch_products(self) -> None:
        if self.shop is None:
            return
        self.storefront_error = ""
        try:
            with session_scope() as session:
                page = catalog.list_shop_products(
                    session,
                    shop_id=self.shop.id,
                    query=self.product_query,
                    sort=self.product_sort,
                    after=self._product_cursors[-1],
                    language=self.lang,
                )
        except ServiceError as error:
            self.storefront_error = self._error_text(error)
            return
        self._show_products(page)

    def _fetch_posts(self, session) -> None:
        if self.shop is None:
            return
        viewer = self._current_user(session)
        # One more than shown tells whether there are older posts.
        posts = feed.list_feed(
            session,
            viewer=viewer,
            language=self.lang,
            limit=POSTS_PAGE_SIZE + 1,
            before_id=self._post_cursors[-1] or None,
            shop_id=self.shop.id,
        )
        self.shop_posts = posts[:POSTS_PAGE_SIZE]
        self.posts_has_older = len(posts) > POSTS_PAGE_SIZE
        self.posts_page = len(self._post_cursors)

    @rx.event
    def sort_products(self, sort: str):
        if sort not in catalog.SORTS:
            return
        self.product_sort = sort
        self._product_cursors = [0]
        self._fetch_products()

    @rx.event
    def search_products(self, form_data: dict):
        query = form_data.get("q") if isinstance(form_data, dict) else ""
        self.product_query = query if isinstance(query, str) else ""
        self._product_cursors = [0]
        self._fetch_products()

    @rx.event
    def next_products(self):
        if not self._next_product_cursor:
            return
        self._product_cursors = [*self._product_cursors, self._next_product_cursor]
        self._fetch_products()

    @rx.event
    def previous_products(self):
        if len(self._product_cursors) <= 1:
            return
        self._product_cursors = self._product_cursors[:-1]
        self._fetch_products()

    def _move_posts(self, cursors: list[int]) -> None:
        self._post_cursors = cursors
        try:
            with session_scope() as session:
                self._fetch_posts(session)
        except ServiceError as error:
            self.storefront_error = self._error_text(error)

    @rx.event
    def older_posts(self):
        if not self.posts_has_older or not self.shop_posts:
            return
        self._move_posts([*self._post_cursors, self.shop_posts[-1].id])

    @rx.event
    def newer_posts(self):
        if len(self._post_cursors) <= 1:
            return
        self._move_posts(self._post_cursors[:-1])
