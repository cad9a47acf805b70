"""/pay/history: every payment, refund, donation and transfer of the signed-in user."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links, payment_status_badge
from socialshop.components.posts import app_badge
from socialshop.state.pay_history import PayHistoryState

HISTORY_KINDS = (
    "purchase",
    "donation",
    "transfer_sent",
    "transfer_received",
    "refund",
    "transfer_returned",
)


def _kind_label(kind: rx.Var) -> rx.Component:
    return rx.match(kind, *[(k, tr(f"payhistory.kind.{k}")) for k in HISTORY_KINDS], kind)


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
