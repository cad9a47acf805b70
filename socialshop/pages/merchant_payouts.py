"""/merchant/payouts: available, pending and held money, a debt after large refunds,
"Pay out now" and the past payouts."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.state.merchant_payouts import MerchantPayoutsState, PayoutRow

S = MerchantPayoutsState


def _amount(label_key: str, value: rx.Var, testid: str, *help_lines: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(tr(label_key), size="2", color_scheme="gray"),
            rx.text(value, size="5", weight="bold", data_testid=testid),
            *help_lines,
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _balance() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.owed_label != "",
            rx.callout(S.owed_label, icon="triangle-alert", color_scheme="red", role="alert", width="100%",
                       data_testid="payouts-owed"),
        ),
        rx.card(
            rx.vstack(
                rx.text(tr("payouts.available"), size="2", color_scheme="gray"),
                rx.text(S.available_label, size="8", weight="bold", data_testid="payouts-available"),
                rx.text(tr("payouts.balance"), " ", rx.text.strong(S.balance_label, data_testid="payouts-balance"),
                        size="2", color_scheme="gray"),
                rx.button(
                    rx.cond(S.paying_out, rx.spinner(size="2"), rx.icon("landmark", size=16)),
                    S.pay_out_label,
                    on_click=S.pay_out,
                    disabled=~S.can_pay_out | S.paying_out,
                    size="3",
                    width=rx.breakpoints(initial="100%", sm="auto"),
                    margin_top="0.5em",
                ),
                spacing="1",
                width="100%",
            ),
            width="100%",
        ),
        rx.grid(
            _amount(
                "payouts.pending", S.pending_label, "payouts-pending",
                rx.text(tr("payouts.pending_help"), size="1", color_scheme="gray"),
                rx.cond(S.next_release_label != "", rx.text(S.next_release_label, size="1", weight="medium")),
            ),
            _amount(
                "payouts.held", S.held_label, "payouts-held",
                rx.text(tr("payouts.held_help"), size="1", color_scheme="gray"),
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _row(row: PayoutRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.date),
        rx.table.cell(row.amount, justify="end", white_space="nowrap"),
        rx.table.cell(rx.badge(row.status, color_scheme="green"), justify="end"),
        custom_attrs={"data-id": row.id},
    )


def _history() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("payouts.history"), size="4", as_="h2"),
            rx.cond(
                S.rows.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(tr("payouts.col.date")),
                            rx.table.column_header_cell(tr("payouts.col.amount"), justify="end"),
                            rx.table.column_header_cell(tr("payouts.col.status"), justify="end"),
                        )
                    ),
                    rx.table.body(rx.foreach(S.rows, _row)),
                    size="2",
                    variant="ghost",
                    width="100%",
                    data_testid="payouts-history",
                ),
                rx.text(tr("payouts.history_empty"), size="2", color_scheme="gray"),
            ),
            rx.cond(
                S.has_older | S.has_newer,
                rx.hstack(
                    rx.button(tr("payouts.newer"), on_click=S.newer, disabled=~S.has_newer, variant="soft"),
                    rx.button(tr("payouts.older"), on_click=S.older, disabled=~S.has_older, variant="soft"),
                    justify="between",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def merchant_payouts_page() -> rx.Component:
    return page_frame(
        merchant_only(
            S,
            "/merchant/payouts",
            rx.cond(
                S.payouts_notice != "",
                rx.callout(S.payouts_notice, icon="circle-check", color_scheme="green", role="status", width="100%"),
            ),
            error_callout(S.payouts_error),
            rx.cond(
                S.payouts_loaded,
                rx.vstack(_balance(), _history(), spacing="4", width="100%"),
                rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
            ),
        ),
        title_key="payouts.title",
    )
