"""/merchant: the merchant dashboard's landing page."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.money.fees import PACKAGES
from socialshop.pages.shop_catalog import shop_logo
from socialshop.state.merchant_overview import MerchantOverviewState

S = MerchantOverviewState

SECTIONS = (
    ("merchantnav.products", "merchanthome.products_text", "/merchant/products", "package"),
    ("mposts.title", "merchanthome.post_text", "/merchant/posts", "megaphone"),
    ("merchantnav.orders", "merchanthome.orders_text", "/merchant/orders", "clipboard-list"),
    ("merchantnav.qr", "merchanthome.qr_text", "/merchant/qr", "qr-code"),
    ("merchantnav.payouts", "merchanthome.payouts_text", "/merchant/payouts", "landmark"),
    ("merchantnav.fees", "merchanthome.fees_text", "/merchant/fees", "percent"),
)


def _stat(value: rx.Var, key: str) -> rx.Component:
    return rx.vstack(
        rx.text(value.to_string(), size="6", weight="bold"),
        rx.text(tr(key), size="1", color_scheme="gray"),
        spacing="0",
        align="center",
        padding="0.5em",
        background=rx.color("gray", 3),
        border_radius="var(--radius-3)",
        width="100%",
    )


def _section_link(title_key: str, text_key: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon(icon, size=20, color=rx.color("accent", 11)),
                rx.vstack(
                    rx.text(tr(title_key), weight="bold"),
                    rx.text(tr(text_key), size="1", color_scheme="gray"),
                    spacing="0",
                    min_width="0",
                ),
                rx.spacer(),
                rx.icon("chevron-right", size=16, color=rx.color("gray", 9)),
                align="center",
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        href=href,
        underline="none",
        color="inherit",
        width="100%",
    )


def _overview() -> rx.Component:
    shop = S.overview
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.hstack(
                    shop_logo(shop.logo, shop.name, size="6"),
                    rx.vstack(
                        rx.heading(shop.name, size="6", as_="h1"),
                        rx.cond(
                            shop.city != "",
                            rx.hstack(rx.icon("map-pin", size=14), rx.text(shop.city, size="2"),
                                      spacing="1", align="center", color=rx.color("gray", 11)),
                        ),
                        rx.link(
                            rx.hstack(rx.icon("external-link", size=14), tr("merchanthome.view_storefront"),
                                      spacing="1", align="center"),
                            href="/shop/" + shop.slug,
                            size="2",
                        ),
                        spacing="1",
                        min_width="0",
                    ),
                    align="center",
                    spacing="4",
                ),
                rx.grid(
                    _stat(shop.active_products, "merchanthome.active"),
                    _stat(shop.out_of_stock, "merchanthome.out_of_stock"),
                    _stat(shop.archived_products, "merchanthome.archived"),
                    _stat(shop.posts, "merchanthome.posts"),
                    columns=rx.breakpoints(initial="2", sm="4"),
                    spacing="2",
                    width="100%",
                ),
                rx.hstack(
                    rx.text(tr("merchanthome.package"), size="2", color_scheme="gray"),
                    rx.badge(
                        rx.match(shop.fee_package, *[(code, code.capitalize()) for code in PACKAGES], shop.fee_package),
                        variant="soft",
                    ),
                    align="center",
                ),
                spacing="4",
                width="100%",
            ),
            width="100%",
        ),
        rx.heading(tr("merchanthome.sections"), size="4", as_="h2"),
        rx.vstack(*[_section_link(*s) for s in SECTIONS], spacing="2", width="100%"),
        spacing="4",
        width="100%",
    )


def merchant_overview_page() -> rx.Component:
    return page_frame(
        merchant_only(
            S,
            "/merchant",
            error_callout(S.overview_error),
            rx.cond(S.overview, _overview()),
        ),
    )
