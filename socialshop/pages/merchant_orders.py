"""/merchant/orders: the order desk (the shop's orders, filters, pages; ship, cancel, refund)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.components.posts import app_badge
from socialshop.components.product_sheet import tr_fmt
from socialshop.models import AppSurface, OrderStatus
from socialshop.pages.shop_cart import success_callout
from socialshop.pages.shop_orders import carrier_name, status_badge
from socialshop.services.merchant_orders import CARRIERS
from socialshop.state.merchant_orders import DESK_PATH, MerchantOrdersState

S = MerchantOrdersState
_FIELD_STYLE = {
    "width": "100%",
    "padding": "0.45em 0.35em",
    "border_radius": "6px",
    "border": f"1px solid {rx.color('gray', 7)}",
    "background": rx.color("gray", 1),
    "color": rx.color("gray", 12),
    "font_size": "0.9em",
    "box_sizing": "border-box",
    "min_width": "0",
}


def _labeled(label_key: str, field_id: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=field_id, font_size="0.85em", font_weight="500"),
        control,
        spacing="1",
        min_width="0",
        width="100%",
    )


def _filters() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.grid(
                    _labeled(
                        "desk.status_label",
                        "desk-status",
                        rx.el.select(
                            rx.el.option(tr("desk.all_statuses"), value=""),
                            *[rx.el.option(tr(f"orderstatus.{s}"), value=s) for s in OrderStatus.values()],
                            id="desk-status", name="status", default_value=S.filter_status, style=_FIELD_STYLE,
                        ),
                    ),
                    _labeled(
                        "desk.app_label",
                        "desk-app",
                        rx.el.select(
                            rx.el.option(tr("desk.all_apps"), value=""),
                            *[rx.el.option(tr(f"app.{a}"), value=a) for a in AppSurface.values()],
                            id="desk-app", name="app", default_value=S.filter_app, style=_FIELD_STYLE,
                        ),
                    ),
                    _labeled(
                        "desk.from_label", "desk-from",
                        rx.el.input(type="date", id="desk-from", name="from", default_value=S.filter_from,
                                    style=_FIELD_STYLE),
                    ),
                    _labeled(
                        "desk.to_label", "desk-to",
                        rx.el.input(type="date", id="desk-to", name="to", default_value=S.filter_to,
                                    style=_FIELD_STYLE),
                    ),
                    columns=rx.breakpoints(initial="2", md="4"),
                    gap="2",
                    width="100%",
                ),
                rx.hstack(
                    rx.cond(
                        S.filtered,
                        rx.button(rx.icon("x", size=16), tr("desk.clear"), type="button", variant="soft",
                                  color_scheme="gray", size="2", on_click=S.clear_filters),
                    ),
                    rx.spacer(),
                    rx.button(rx.icon("list-filter", size=16), tr("desk.apply"), type="submit", size="2"),
                    width="100%",
                    align="center",
                ),
                spacing="3",
                width="100%",
            ),
            key=S.form_version,
            on_submit=S.apply_filters,
            reset_on_submit=False,
            role="search",
            aria_label=tr("desk.filters"),
            width="100%",
        ),
        width="100%",
    )


def _money(label_key: str, value: rx.Var, *, bold: bool = False, testid: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(tr(label_key), size="1", color_scheme="gray"),
        rx.text(value, weight="bold" if bold else "medium", white_space="nowrap",
                **({"data_testid": testid} if testid else {})),
        spacing="0",
        min_width="0",
    )


def _action_button(icon: str, label_key: str, action: str, row, **props) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=16),
        tr(label_key),
        on_click=S.open_action(action, row.id),
        size="2",
        variant="soft",
        **props,
    )


def _order_card(row) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.number, weight="bold", font_family="monospace"),
                app_badge(row.app, high_contrast=True),
                rx.cond(
                    row.source != "checkout",
                    rx.badge(rx.match(row.source, ("qr", tr("desk.source_qr")), ("chat", tr("desk.source_chat")),
                                      row.source), variant="outline"),
                ),
                rx.spacer(),
                status_badge(row.status),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.hstack(
                rx.hstack(rx.icon("user-round", size=14), rx.text(row.customer, weight="medium",
                                                                    data_testid="desk-customer"),
                          spacing="1", align="center"),
                rx.spacer(),
                rx.el.time(row.date_label, date_time=row.date_iso, font_size="0.8em", color=rx.color("gray", 11)),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text(row.items_label, size="2"),
            rx.cond(row.note != "", rx.text("“", row.note, "”", size="2", font_style="italic", color_scheme="gray")),
            rx.grid(
                _money("desk.gross", row.gross_label),
                _money("desk.commission", row.commission_label),
                _money("desk.flat_fee", row.flat_label),
                _money("desk.net", row.net_label, bold=True, testid="desk-net"),
                columns=rx.breakpoints(initial="2", sm="4"),
                gap="2",
                width="100%",
                padding="0.5em",
                border_radius="8px",
                background=rx.color("gray", 3),
            ),
            rx.cond(
                row.refunded_cents > 0,
                rx.text(tr_fmt("desk.refunded_line", amount=row.refunded_label, net=row.net_after_refunds_label), size="2",
                        color=rx.color("amber", 11), data_testid="desk-refunded"),
            ),
            rx.cond(
                row.pending_label != "",
                rx.callout(tr_fmt("desk.pending_line", amount=row.pending_label), icon="hourglass",
                           color_scheme="amber", size="1", width="100%"),
            ),
            rx.cond(
                row.tracking_number != "",
                rx.hstack(
                    rx.icon("truck", size=14),
                    rx.text(carrier_name(row.carrier), size="2"),
                    rx.code(row.tracking_number, size="2"),
                    rx.text(row.shipped_label, size="1", color_scheme="gray"),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    row.needs_shipping & (row.address != ""),
                    rx.hstack(rx.icon("map-pin", size=14), rx.text(row.address, size="2"), spacing="2",
                              align="center"),
                ),
            ),
            rx.cond(
                row.can_ship | row.can_cancel | row.can_refund,
                rx.hstack(
                    rx.cond(row.can_ship, _action_button("truck", "desk.ship", "ship", row)),
                    rx.cond(row.can_refund, _action_button("undo-2", "desk.refund", "refund", row,
                                                           color_scheme="amber")),
                    rx.cond(row.can_cancel, _action_button("circle-x", "desk.cancel", "cancel", row,
                                                           color_scheme="red")),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="desk-order",
        custom_attrs={"data-order": row.number},
    )


def _dialog_buttons(submit_key: str, color: str | None = None) -> rx.Component:
    return rx.flex(
        rx.dialog.close(rx.button(tr("desk.back"), type="button", variant="soft", color_scheme="gray")),
        rx.button(tr(submit_key), type="submit", loading=S.busy, **({"color_scheme": color} if color else {})),
        spacing="3",
        justify="end",
        wrap="wrap",
        width="100%",
    )


def _reason_field() -> rx.Component:
    return _labeled(
        "desk.reason_label", "desk-reason",
        rx.input(id="desk-reason", name="reason", max_length=256, width="100%",
                 placeholder=tr("desk.reason_placeholder")),
    )


def _ship_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _labeled(
                "desk.carrier_label",
                "desk-carrier",
                rx.el.select(
                    *[rx.el.option(tr(f"carrier.{code}"), value=code) for code in CARRIERS],
                    id="desk-carrier", name="carrier", style=_FIELD_STYLE,
                ),
            ),
            _labeled(
                "desk.tracking_label",
                "desk-tracking",
                rx.input(id="desk-tracking", name="tracking", max_length=81, width="100%",
                         auto_complete="off", placeholder="RR123456789IT"),
            ),
            error_callout(S.action_error),
            _dialog_buttons("desk.ship_submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit_ship,
        reset_on_submit=False,
        width="100%",
    )


def _refund_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(tr_fmt("desk.refund_left", amount=S.action_left_label), size="2"),
            _labeled(
                "desk.amount_label",
                "desk-amount",
                rx.input(id="desk-amount", name="amount", input_mode="decimal", max_length=21, width="100%",
                         auto_complete="off", placeholder="0.00"),
            ),
            _reason_field(),
            rx.text(tr("desk.refund_help"), size="1", color_scheme="gray"),
            error_callout(S.action_error),
            _dialog_buttons("desk.refund_submit", "amber"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit_refund,
        reset_on_submit=False,
        width="100%",
    )


def _cancel_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(tr_fmt("desk.cancel_text", amount=S.action_gross_label), size="2"),
            _reason_field(),
            error_callout(S.action_error),
            _dialog_buttons("desk.cancel_submit", "red"),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit_cancel,
        reset_on_submit=False,
        width="100%",
    )


def _action_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.match(
                    S.action,
                    ("ship", tr_fmt("desk.ship_title", order=S.action_number)),
                    ("refund", tr_fmt("desk.refund_title", order=S.action_number)),
                    tr_fmt("desk.cancel_title", order=S.action_number),
                )
            ),
            rx.dialog.description(tr("desk.dialog_help"), font_size="0.85em", color=rx.color("gray", 11),
                                  margin_bottom="0.75em"),
            rx.match(S.action, ("ship", _ship_form()), ("refund", _refund_form()), ("cancel", _cancel_form()),
                     rx.fragment()),
            max_width="440px",
        ),
        open=S.action_open,
        on_open_change=S.set_action_open,
    )


def _pager() -> rx.Component:
    return rx.cond(
        S.has_older | (S.page_number > 1),
        rx.hstack(
            rx.button(rx.icon("chevron-left", size=16), tr("desk.newer"), on_click=S.newer, variant="soft",
                      disabled=S.page_number <= 1),
            rx.text(tr_fmt("desk.page", number=S.page_number), size="2", color_scheme="gray"),
            rx.button(tr("desk.older"), rx.icon("chevron-right", size=16), on_click=S.older, variant="soft",
                      disabled=~S.has_older),
            justify="between",
            align="center",
            width="100%",
        ),
    )


def _desk() -> rx.Component:
    return rx.vstack(
        _filters(),
        error_callout(S.desk_error),
        success_callout(S.desk_notice),
        rx.cond(
            S.desk_loaded,
            rx.cond(
                S.rows.length() > 0,
                rx.vstack(
                    rx.foreach(S.rows, lambda row: rx.el.div(_order_card(row), role="listitem", width="100%")),
                    spacing="3", width="100%", role="list", aria_label=tr("desk.list"),
                ),
                rx.card(
                    rx.vstack(
                        rx.icon("inbox", size=28, color=rx.color("gray", 9)),
                        rx.text(rx.cond(S.filtered, tr("desk.empty_filtered"), tr("desk.empty")),
                                color_scheme="gray", text_align="center"),
                        align="center",
                        spacing="2",
                        padding="1em",
                    ),
                    width="100%",
                ),
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
        ),
        _pager(),
        _action_dialog(),
        spacing="3",
        width="100%",
    )


def merchant_orders_page() -> rx.Component:
    return page_frame(
        merchant_only(S, DESK_PATH, rx.heading(tr("desk.title"), size="6", as_="h1"), _desk()),
    )
