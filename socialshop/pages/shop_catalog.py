"""/shops (every shop) and /shop/<slug> (one storefront)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.posts import app_badge, product_tag
from socialshop.components.product_sheet import product_image, product_sheet, stock_badge
from socialshop.state.session import SessionState
from socialshop.state.shop_catalog import ShopsState, StorefrontState
from socialshop.state.shopping import ProductSheetState

AVATAR_PX = {"4": "48px", "6": "80px"}


def shop_logo(logo: rx.Var, name: rx.Var, size: str = "4") -> rx.Component:
    """The logo is decorative (the name is next to it): alt="" (rx.avatar gives no alt at all)."""
    return rx.cond(
        logo != "",
        rx.image(
            src=logo,
            alt="",
            width=AVATAR_PX[size],
            height=AVATAR_PX[size],
            min_width=AVATAR_PX[size],
            object_fit="cover",
            border_radius="var(--radius-4)",
        ),
        rx.avatar(fallback=name[:1], size=size, radius="large"),
    )


def _shop_row(shop) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                shop_logo(shop.logo, shop.name),
                rx.vstack(
                    rx.text(shop.name, weight="bold", size="4"),
                    rx.cond(
                        shop.description != "",
                        rx.text(shop.description, size="2", color_scheme="gray", trim="both"),
                    ),
                    rx.text(
                        shop.product_count.to_string(),
                        " ",
                        tr("shops.products"),
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.link(
                        rx.button(rx.icon("message-circle", size=16), tr("chat.open"), size="2", variant="soft",
                                  color_scheme="grass"),
                        href="/whatsapp/chats?shop=" + shop.slug,
                    ),
                    spacing="1",
                    min_width="0",
                ),
                rx.spacer(),
                rx.icon("chevron-right", size=18, color=rx.color("gray", 9)),
                align="center",
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        href="/shop/" + shop.slug,
        underline="none",
        color="inherit",
        width="100%",
        aria_label=shop.name,
        data_testid="shop-link",
    )


def shopping_links() -> rx.Component:
    """The shopper's own lists, reachable from the Shop tab."""
    items = (("nav.saved", "/saved", "bookmark"), ("nav.orders", "/orders", "package"))
    return rx.el.nav(
        rx.hstack(
            *[
                rx.link(
                    rx.badge(rx.icon(icon, size=14), tr(key), size="2", radius="full", variant="surface"),
                    href=href,
                    underline="none",
                )
                for key, href, icon in items
            ],
            spacing="2",
            wrap="wrap",
        ),
        aria_label=tr("shops.your_stuff"),
    )


def shops_page() -> rx.Component:
    return page_frame(
        rx.cond(SessionState.is_logged_in, shopping_links()),
        error_callout(ShopsState.shops_error),
        rx.cond(
            ShopsState.shops.length() > 0,
            rx.vstack(rx.foreach(ShopsState.shops, _shop_row), spacing="3", width="100%"),
            rx.cond(ShopsState.shops_loaded, rx.text(tr("shops.empty"), color_scheme="gray")),
        ),
        title_key="shops.title",
    )


def product_card(product) -> rx.Component:
    """A product tile; the whole tile links to the product's own page (shareable, public)."""
    return rx.card(
        rx.link(
            rx.vstack(
                product_image(product.image, product.title),
                rx.text(product.title, weight="medium", size="2", text_align="left", trim="both"),
                rx.text(product.price_label, weight="bold", size="3"),
                stock_badge(product.stock, product.available),
                spacing="2",
                align="start",
                width="100%",
            ),
            href="/shop/" + product.shop_slug + "/product/" + product.id.to_string(),
            aria_label=product.title + " · " + product.price_label,
            underline="none",
            color="inherit",
            width="100%",
        ),
        size="1",
        width="100%",
        data_testid="product-card",
    )


def _storefront_header() -> rx.Component:
    shop = StorefrontState.shop
    return rx.card(
        rx.hstack(
            shop_logo(shop.logo, shop.name, size="6"),
            rx.vstack(
                rx.heading(shop.name, size="6", as_="h1"),
                rx.cond(
                    shop.city != "",
                    rx.hstack(
                        rx.icon("map-pin", size=14),
                        rx.text(shop.city, size="2"),
                        spacing="1",
                        align="center",
                        color=rx.color("gray", 11),
                    ),
                ),
                rx.cond(
                    shop.description != "",
                    rx.text(shop.description, color_scheme="gray", size="2"),
                ),
                rx.text(
                    shop.product_count.to_string(),
                    " ",
                    tr("shops.products"),
                    size="1",
                    color_scheme="gray",
                ),
                rx.link(
                    rx.button(rx.icon("message-circle", size=16), tr("chat.open"), size="2", variant="soft",
                              color_scheme="grass"),
                    href="/whatsapp/chats?shop=" + shop.slug,
                ),
                spacing="1",
                min_width="0",
            ),
            align="center",
            spacing="4",
        ),
        width="100%",
    )


def _product_toolbar() -> rx.Component:
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    name="q",
                    type="search",
                    placeholder=tr("storefront.search"),
                    aria_label=tr("storefront.search"),
                    width="100%",
                ),
                rx.icon_button(
                    rx.icon("search", size=16), type="submit", variant="soft", aria_label=tr("storefront.search")
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=StorefrontState.search_products,
            reset_on_submit=False,
            flex="1",
            min_width="180px",
        ),
        rx.select.root(
            rx.select.trigger(aria_label=tr("storefront.sort")),
            rx.select.content(
                *[
                    rx.select.item(tr(f"storefront.sort.{key}"), value=key)
                    for key in ("newest", "price_asc", "price_desc")
                ]
            ),
            value=StorefrontState.product_sort,
            on_change=StorefrontState.sort_products,
        ),
        gap="2",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _pager(page: rx.Var, has_next: rx.Var, on_previous, on_next, previous_key: str, next_key: str) -> rx.Component:
    return rx.cond(
        (page > 1) | has_next,
        rx.hstack(
            rx.button(tr(previous_key), variant="soft", on_click=on_previous, disabled=page <= 1),
            rx.text(tr("pager.page"), " ", page.to_string(), color_scheme="gray", size="2"),
            rx.button(tr(next_key), variant="soft", on_click=on_next, disabled=~has_next),
            justify="center",
            align="center",
            spacing="3",
            width="100%",
        ),
    )


def _shop_post(post) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                app_badge(post.app),
                rx.spacer(),
                rx.el.time(post.created_at_label, date_time=post.created_at_iso, font_size="0.8em",
                           color=rx.color("gray", 11)),
                align="center",
                width="100%",
            ),
            rx.cond(post.text != "", rx.text(post.text, white_space="pre-wrap", size="2")),
            rx.cond(
                post.image != "",
                rx.box(
                    rx.image(src=post.image, alt=post.text, width="100%", height="auto", aspect_ratio="1",
                             object_fit="cover", border_radius="8px", loading="lazy"),
                    rx.foreach(post.tags, lambda tag: product_tag(tag, post)),
                    position="relative",
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        role="article",
    )


def _storefront() -> rx.Component:
    return rx.vstack(
        _storefront_header(),
        rx.heading(tr("storefront.products"), size="4", as_="h2"),
        _product_toolbar(),
        rx.cond(
            StorefrontState.shop_products.length() > 0,
            rx.grid(
                rx.foreach(StorefrontState.shop_products, lambda product: product_card(product)),
                columns=rx.breakpoints(initial="2", sm="3"),
                spacing="3",
                width="100%",
            ),
            rx.text(
                rx.cond(StorefrontState.product_query != "", tr("storefront.no_match"), tr("shop.no_products")),
                color_scheme="gray",
            ),
        ),
        _pager(
            StorefrontState.products_page,
            StorefrontState.products_has_next,
            StorefrontState.previous_products,
            StorefrontState.next_products,
            "pager.previous",
            "pager.next",
        ),
        rx.heading(tr("storefront.posts"), size="4", as_="h2"),
        rx.cond(
            StorefrontState.shop_posts.length() > 0,
            rx.grid(
                rx.foreach(StorefrontState.shop_posts, _shop_post),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.text(tr("storefront.no_posts"), color_scheme="gray"),
        ),
        _pager(
            StorefrontState.posts_page,
            StorefrontState.posts_has_older,
            StorefrontState.newer_posts,
            StorefrontState.older_posts,
            "pager.newer",
            "pager.older",
        ),
        spacing="4",
        width="100%",
    )


def _shop_not_found() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("shop.not_found_title"), size="6", as_="h1"),
        rx.text(tr("shop.not_found_text"), color_scheme="gray"),
        rx.link(tr("shop.browse_shops"), href="/shops"),
        spacing="3",
        width="100%",
        role="alert",
    )


def storefront_page() -> rx.Component:
    return page_frame(
        error_callout(StorefrontState.storefront_error),
        rx.cond(
            StorefrontState.shop_missing,
            _shop_not_found(),
            rx.cond(
                StorefrontState.shop,
                _storefront(),
                rx.cond(
                    ~StorefrontState.storefront_loaded,
                    rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
                ),
            ),
        ),
        product_sheet(open_when=ProductSheetState.sheet_open),
    )
