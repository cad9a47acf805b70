"""/pay/history (every payment, refund, donation and transfer) and /pay/apps (Pay per app)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.posts import APP_ICONS, app_badge
from socialshop.models import AppSurface, PaymentStatus
from socialshop.pages.shop_cart import success_callout
from socialshop.state.shop_pay import PayAppsState, PayHistoryState

HISTORY_KINDS = (
    "purchase",
    "donation",
    "transfer_sent",
    "transfer_received",
    "refund",
    "transfer_returned",
)
PAYMENT_STATUS_COLORS = {
    PaymentStatus.SUCCEEDED.value: "green",
    PaymentStatus.FAILED.value: "red",
    PaymentStatus.REFUNDED.value: "gray",
    PaymentStatus.PARTIALLY_REFUNDED.value: "amber",
}


def pay_links(current: str) -> rx.Component:
    """The Pay hub's own tabs: history, apps, orders."""
    items = (
        ("payhistory.title", "/pay/history", "history"),
        ("payapps.title", "/pay/apps", "toggle-right"),
        ("pinsettings.title", "/pay/pin", "key-round"),
        ("nav.orders", "/orders", "package"),
    )
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
                    ),
                    href=href,
                    underline="none",
                    aria_current="page" if href == current else "false",
                )
                for key, href, icon in items
            ],
            spacing="2",
            wrap="wrap",
        ),
        aria_label=tr("nav.pay"),
    )


def _kind_label(kind: rx.Var) -> rx.Component:
    return rx.match(kind, *[(k, tr(f"payhistory.kind.{k}")) for k in HISTORY_KINDS], kind)


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


def _history_row(entry) -> rx.Component:
    incoming = entry.direction == "in"
    return rx.card(
        rx.vstack(
            rx.hstack(
                app_badge(entry.app, high_contrast=True),
                rx.text(_kind_label(entry.kind), size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(
                    entry.amount_label,
                    weight="bold",
                    size="4",
                    color=rx.cond(incoming, rx.color("green", 11), rx.color("gray", 12)),
                    white_space="nowrap",
                    data_testid="history-amount",
                ),
                align="center",
                width="100%",
            ),
            rx.hstack(
                rx.text(
                    rx.cond(entry.counterparty != "", entry.counterparty, _kind_label(entry.kind)),
                    weight="medium",
                ),
                rx.spacer(),
                payment_status_badge(entry.status),
                align="center",
                width="100%",
            ),
            rx.hstack(
                rx.hstack(
                    rx.icon("credit-card", size=14),
                    rx.text(entry.method_label, size="1"),
                    align="center",
                    spacing="1",
                ),
                rx.spacer(),
                rx.el.time(entry.created_at_label, date_time=entry.created_at_iso, font_size="0.8em"),
                color=rx.color("gray", 11),
                align="center",
                width="100%",
            ),
            rx.cond(
                entry.note != "", rx.text(entry.note, size="1", color_scheme="gray", font_style="italic")
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        role="listitem",
        data_testid="history-entry",
        # Which payment or refund the row is: lets a tester assert on one entry, not a count.
        custom_attrs={"data-entry": entry.id},
    )


def pay_history_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/history"),
        error_callout(PayHistoryState.history_error),
        rx.cond(
            PayHistoryState.entries.length() > 0,
            rx.vstack(
                rx.foreach(PayHistoryState.entries, _history_row),
                spacing="2",
                width="100%",
                role="list",
                aria_label=tr("payhistory.title"),
            ),
            rx.cond(PayHistoryState.history_loaded, rx.text(tr("payhistory.empty"), color_scheme="gray")),
        ),
        title_key="payhistory.title",
    )


def _app_switch(switch) -> rx.Component:
    switch_id = "pay-app-" + switch.app
    return rx.hstack(
        rx.match(
            switch.app,
            *[(app, rx.icon(icon, size=20)) for app, icon in APP_ICONS.items()],
            rx.icon("app-window", size=20),
        ),
        rx.el.label(
            rx.match(switch.app, *[(app.value, tr(f"app.{app.value}")) for app in AppSurface], switch.app),
            html_for=switch_id,
            font_weight="500",
            flex="1",
        ),
        rx.text(
            rx.cond(switch.enabled, tr("payapps.on"), tr("payapps.off")),
            size="1",
            color_scheme="gray",
            aria_hidden="true",
        ),
        rx.switch(
            id=switch_id,
            checked=switch.enabled,
            on_change=PayAppsState.set_app_enabled(switch.app),
            size="3",
        ),
        align="center",
        spacing="3",
        width="100%",
        padding_y="0.5em",
    )


def pay_apps_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/apps"),
        rx.text(tr("payapps.explain"), color_scheme="gray"),
        error_callout(PayAppsState.apps_error),
        success_callout(PayAppsState.apps_notice),
        rx.card(
            rx.vstack(rx.foreach(PayAppsState.switches, _app_switch), spacing="1", width="100%"),
            width="100%",
        ),
        title_key="payapps.title",
    )
