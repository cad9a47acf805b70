"""/shop/<slug>/product/<id>: a product's own page, its shareable permalink (public)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.product_sheet import product_details
from socialshop.state.product_page import ProductPageState
from socialshop.state.session import SessionState
from socialshop.state.shopping import ProductSheetState


def _share_row() -> rx.Component:
    product = ProductSheetState.product
    return rx.flex(
        rx.button(
            rx.icon("link", size=16),
            tr("product.copy_link"),
            on_click=[rx.set_clipboard(ProductPageState.product_share_url), ProductPageState.link_copied],
            variant="soft",
            color_scheme="gray",
        ),
        rx.link(
            rx.button(
                rx.icon("message-circle", size=16), tr("chat.open"), variant="soft", color_scheme="grass",
                high_contrast=True,
            ),
            href="/whatsapp/chats?shop=" + product.shop_slug,
        ),
        spacing="2",
        wrap="wrap",
        width="100%",
    )


def _product() -> rx.Component:
    product = ProductSheetState.product
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), rx.text(product.shop_name), align="center", spacing="1"),
            href="/shop/" + product.shop_slug,
            size="2",
        ),
        rx.heading(product.title, size="6", as_="h1"),
        rx.cond(
            SessionState.is_logged_out,
            rx.callout(tr("product.login_hint"), icon="info", color_scheme="blue", high_contrast=True, width="100%"),
        ),
        rx.card(product_details(), width="100%", data_testid="product-page"),
        _share_row(),
        spacing="3",
        width="100%",
    )


def _product_not_found() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("product.not_found_title"), size="6", as_="h1"),
        rx.text(tr("product.not_found_text"), color_scheme="gray"),
        rx.link(tr("shop.browse_shops"), href="/shops"),
        spacing="3",
        width="100%",
        role="alert",
    )


def product_page() -> rx.Component:
    return page_frame(
        error_callout(ProductPageState.product_page_error),
        rx.cond(
            ProductPageState.product_missing,
            _product_not_found(),
            rx.cond(
                ProductSheetState.product,
                _product(),
                rx.cond(
                    ~ProductPageState.product_page_loaded,
                    rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
                ),
            ),
        ),
    )
