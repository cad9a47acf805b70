"""The Pay hub's section links and the status badge every Pay page shares."""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr
from socialshop.components.section_tabs import section_tabs
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
    return section_tabs(PAY_SECTIONS, current, nav_id="pay-tabs", label_key="nav.pay")


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
