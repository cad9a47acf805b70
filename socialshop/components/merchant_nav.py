"""The merchant dashboard's section links, and the frame that refuses non-merchants."""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr
from socialshop.components.section_tabs import section_tabs

# Every section of the merchant dashboard, in tab order: (label key, route, icon).
MERCHANT_SECTIONS = (
    ("merchantnav.overview", "/merchant", "store"),
    ("merchantnav.products", "/merchant/products", "package"),
    ("merchantnav.posts", "/merchant/posts", "image-plus"),
    ("merchantnav.orders", "/merchant/orders", "clipboard-list"),
    ("merchantnav.disputes", "/merchant/disputes", "message-circle-warning"),
    ("merchantnav.qr", "/merchant/qr", "qr-code"),
    ("merchantnav.chats", "/merchant/chats", "message-circle"),
    ("merchantnav.payouts", "/merchant/payouts", "landmark"),
    ("merchantnav.fees", "/merchant/fees", "percent"),
    ("merchantnav.insights", "/merchant/insights", "chart-column"),
)


def merchant_links(current: str) -> rx.Component:
    return section_tabs(MERCHANT_SECTIONS, current, nav_id="merchant-tabs", label_key="merchantnav.label")


def merchant_only(state, current: str, *content: rx.Component) -> rx.Component:
    """The tabs and the page's content for the shop's owner; a clear refusal for anyone else
    (the services refuse them too). `state` is the page's MerchantState subclass."""
    return rx.cond(
        state.is_merchant,
        rx.vstack(merchant_links(current), *content, spacing="4", width="100%"),
        rx.cond(
            state.merchant_checked,
            rx.callout(
                tr("merchant.refused"),
                icon="store",
                color_scheme="amber",
                role="alert",
                width="100%",
            ),
            rx.spinner(),
        ),
    )
