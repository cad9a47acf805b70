"""/merchant/fees: the fee packages in plain words, the shop's own marked, choosing another,
and "what you would have paid" on the shop's last 30 days."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.state.merchant_fees import MerchantFeesState, PackageRow


def _fact(icon: str, text: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=16, color=rx.color("gray", 10), flex_shrink="0", margin_top="2px"),
        rx.text(text, size="2"),
        align="start",
        spacing="2",
    )


def _package_card(row: PackageRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(row.name, size="4", as_="h3"),
                rx.cond(row.current, rx.badge(tr("fees.current"), color_scheme="green", variant="solid")),
                justify="between",
                align="center",
                width="100%",
            ),
            _fact("percent", row.commission),
            _fact("coins", row.flat),
            _fact("calendar", row.monthly),
            _fact("landmark", row.payout),
            rx.spacer(),
            rx.cond(
                row.current,
                rx.fragment(),
                rx.button(
                    row.choose_label,
                    on_click=MerchantFeesState.choose(row.code),
                    variant="soft",
                    width="100%",
                ),
            ),
            spacing="2",
            height="100%",
            width="100%",
        ),
        width="100%",
        data_testid=f"package-{row.code}",
        style=rx.cond(row.current, {"outline": f"2px solid {rx.color('green', 9)}"}, {}),
        custom_attrs={"aria-current": rx.cond(row.current, "true", "false")},
    )


def _compare_row(row: PackageRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.hstack(
                    rx.text(row.name, weight="medium"),
                    rx.cond(row.current, rx.badge(tr("fees.current"), color_scheme="green")),
                    rx.cond(row.cheapest, rx.badge(tr("fees.compare.cheapest"), color_scheme="blue")),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(row.cost_detail, size="1", color_scheme="gray"),
                spacing="1",
            ),
            font_weight="normal",
        ),
        rx.table.cell(rx.text(row.cost, weight="bold"), justify="end", white_space="nowrap"),
        custom_attrs={"data-key": row.code},
    )


def _comparison() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("fees.compare.title"), size="4", as_="h2"),
            rx.cond(
                MerchantFeesState.has_orders,
                rx.vstack(
                    rx.text(MerchantFeesState.compare_intro, size="2"),
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell(tr("fees.compare.col.package")),
                                rx.table.column_header_cell(tr("fees.compare.col.total"), justify="end"),
                            )
                        ),
                        rx.table.body(rx.foreach(MerchantFeesState.packages, _compare_row)),
                        size="2",
                        variant="ghost",
                        width="100%",
                        data_testid="fee-comparison",
                    ),
                    rx.text(MerchantFeesState.actual_label, weight="medium", data_testid="fees-actual"),
                    spacing="3",
                    width="100%",
                ),
                rx.text(tr("fees.compare.none"), size="2", color_scheme="gray"),
            ),
            rx.text(tr("fees.compare.note"), size="1", color_scheme="gray"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def merchant_fees_page() -> rx.Component:
    return page_frame(
        merchant_only(
            MerchantFeesState,
            "/merchant/fees",
            rx.text(tr("fees.intro")),
            rx.callout(tr("fees.new_orders_only"), icon="info", size="1", width="100%"),
            rx.cond(
                MerchantFeesState.fees_notice != "",
                rx.callout(MerchantFeesState.fees_notice, icon="circle-check", color_scheme="green",
                           role="status", width="100%"),
            ),
            error_callout(MerchantFeesState.fees_error),
            rx.cond(MerchantFeesState.since_label != "",
                    rx.text(MerchantFeesState.since_label, size="2", color_scheme="gray")),
            rx.cond(
                MerchantFeesState.fees_loaded,
                rx.vstack(
                    rx.grid(
                        rx.foreach(MerchantFeesState.packages, _package_card),
                        columns=rx.breakpoints(initial="1", sm="3"),
                        spacing="3",
                        width="100%",
                    ),
                    _comparison(),
                    spacing="4",
                    width="100%",
                ),
                rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
            ),
        ),
        title_key="fees.title",
    )
