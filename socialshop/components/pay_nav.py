"""The Pay hub's section links and the status badge every Pay page shares."""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr
from socialshop.models import PaymentStatus

PAYMENT_STATUS_COLORS = {
    PaymentStatus.SUCCEEDED.value: "green",
    PaymentStatus.FAILED.value: "red",
    PaymentStatus.REFUNDED.value: "gray",
    PaymentStatus.PARTIALLY_REFUNDED.value: "amber",
}


# Every section of the Pay hub, in the order the tabs show them: (label key, route, icon).
PAY_SECTIONS = (
    ("paynav.overview", "/pay", "layout-dashboard"),
    ("paynav.scan", "/pay/scan", "scan-line"),
    ("paynav.methods", "/pay/methods", "credit-card"),
    ("paynav.security", "/pay/security", "shield"),
    ("paynav.apps", "/pay/apps", "toggle-right"),
    ("paynav.history", "/pay/history", "history"),
    ("paynav.contact", "/pay/contact", "contact"),
    ("paynav.privacy", "/pay/privacy", "user-round-x"),
    ("paynav.support", "/pay/support", "life-buoy"),
    ("paynav.insights", "/pay/insights", "chart-pie"),
)


def pay_links(current: str) -> rx.Component:
    """The Pay hub's tabs. On a phone they scroll sideways in one row (a row of eight
    would wrap into a block taller than the page's content); the current one is marked."""
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
                for key, href, icon in PAY_SECTIONS
            ],
            spacing="2",
            wrap=rx.breakpoints(initial="nowrap", md="wrap"),
            overflow_x="auto",
            scroll_snap_type="x proximity",
            padding_bottom="4px",
            width="100%",
        ),
        aria_label=tr("nav.pay"),
        id="pay-tabs",
        width="100%",
        # On a phone a later tab (History, Contact...) starts off-screen: bring it into view.
        on_mount=rx.call_script(
            "document.querySelector('#pay-tabs [aria-current=page]')"
            "?.scrollIntoView({inline: 'center', block: 'nearest'})"
        ),
    )


def payment_status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        *[
            (
                value,
                rx.badge(
                    tr(f"payhistory.status.{value}"), color_scheme=color, variant="soft", high_contrast=True
                ),
            )
            for value, color in PAYMENT_STATUS_COLORS.items()
        ],
        rx.badge(status, variant="soft", high_contrast=True),
    )
