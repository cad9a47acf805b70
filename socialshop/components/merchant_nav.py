"""The merchant dashboard's section links, and the frame that refuses non-merchants."""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr

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
    """The dashboard's tabs: one sideways-scrolling row on a phone, the current one marked."""
    return rx.el.nav(
        rx.hstack(
            *[
                rx.link(
                    rx.badge(
                        rx.icon(icon, size=14),
                        tr(key),
                        size="2",
                        radius="full",
                        variant="solid" if href == current else "surface",
                        white_space="nowrap",
                    ),
                    href=href,
                    underline="none",
                    flex_shrink="0",
                    scroll_snap_align="start",
                    **({"aria_current": "page"} if href == current else {}),
                )
                for key, href, icon in MERCHANT_SECTIONS
            ],
            spacing="2",
            wrap=rx.breakpoints(initial="nowrap", md="wrap"),
            overflow_x="auto",
            scroll_snap_type="x proximity",
            padding_bottom="4px",
            width="100%",
        ),
        aria_label=tr("merchantnav.label"),
        id="merchant-tabs",
        width="100%",
        on_mount=rx.call_script(
            "document.querySelector('#merchant-tabs [aria-current=page]')"
            "?.scrollIntoView({inline: 'center', block: 'nearest'})"
        ),
    )


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
