"""/orders (the shopper's orders) and /orders/<id> (one order, with cancelling)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links
from socialshop.components.posts import app_badge
from socialshop.components.product_sheet import tr_fmt
from socialshop.models import OrderStatus
from socialshop.pages.shop_cart import success_callout
from socialshop.services.merchant_orders import CARRIERS
from socialshop.state.shop_orders import OrderDetailState, OrdersState

STATUS_COLORS = {
    OrderStatus.PENDING.value: "gray",
    OrderStatus.PAID.value: "blue",
    OrderStatus.SHIPPED.value: "violet",
    OrderStatus.DELIVERED.value: "green",
    OrderStatus.CANCELLED.value: "red",
    OrderStatus.REFUNDED.value: "orange",
    OrderStatus.PARTIALLY_REFUNDED.value: "amber",
}


def status_name(status: rx.Var) -> rx.Component:
    return rx.match(status, *[(value, tr(f"orderstatus.{value}")) for value in STATUS_COLORS], status)


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        *[
            (
                value,
                rx.badge(
                    tr(f"orderstatus.{value}"),
                    color_scheme=color,
                    variant="soft",
                    high_contrast=True,
                    data_testid="order-status",
                ),
            )
            for value, color in STATUS_COLORS.items()
        ],
        rx.badge(status, variant="soft", high_contrast=True, data_testid="order-status"),
    )


def _order_row(row) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(row.number, weight="bold", font_family="monospace"),
                    rx.spacer(),
                    status_badge(row.status),
                    align="center",
                    width="100%",
                ),
                rx.hstack(
                    rx.text(row.shop_name, weight="medium"),
                    rx.spacer(),
                    rx.text(row.total_label, weight="bold"),
                    align="center",
                    width="100%",
                ),
                rx.hstack(
                    app_badge(row.app, high_contrast=True),
                    rx.spacer(),
                    rx.el.time(row.date_label, date_time=row.date_iso, font_size="0.8em"),
                    color=rx.color("gray", 11),
                    align="center",
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            width="100%",
        ),
        href="/orders/" + row.id.to_string(),
        underline="none",
        color="inherit",
        width="100%",
        aria_label=tr_fmt("orders.number", number=row.number),
        data_testid="order-row",
    )


def orders_page() -> rx.Component:
    return page_frame(
        pay_links("/orders"),
        error_callout(OrdersState.orders_error),
        rx.cond(
            OrdersState.order_rows.length() > 0,
            rx.vstack(rx.foreach(OrdersState.order_rows, _order_row), spacing="3", width="100%"),
            rx.cond(
                OrdersState.orders_loaded,
                rx.vstack(
                    rx.text(tr("orders.empty"), color_scheme="gray"),
                    rx.link(tr("shop.browse_shops"), href="/shops"),
                    spacing="2",
                ),
            ),
        ),
        title_key="nav.orders",
    )


def _section(title_key: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(tr(title_key), size="3", as_="h2"), *children, spacing="2", width="100%"),
        width="100%",
    )


def _item_row(item) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(item.title, weight="medium"),
            rx.text(item.quantity.to_string(), " × ", item.unit_price_label, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.text(item.line_total_label, weight="bold", white_space="nowrap"),
        width="100%",
        align="center",
        data_testid="order-item",
    )


def _amount_row(label: rx.Component, value: rx.Var, bold: bool = False) -> rx.Component:
    return rx.hstack(
        rx.text(label, color_scheme=None if bold else "gray", weight="bold" if bold else "regular"),
        rx.spacer(),
        rx.text(value, weight="bold" if bold else "medium"),
        width="100%",
    )


def _who(event) -> rx.Component:
    return rx.match(
        event.who,
        ("you", tr("orders.by_you")),
        ("system", tr("orders.by_system")),
        OrderDetailState.order.shop_name,
    )


def _event_row(event) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    event.from_status != "",
                    rx.hstack(
                        status_name(event.from_status),
                        rx.icon("arrow-right", size=14, aria_label="→"),
                        status_name(event.to_status),
                        spacing="1",
                        align="center",
                    ),
                    rx.text(tr("orders.placed"), ": ", status_name(event.to_status)),
                ),
                rx.text("· ", tr("orders.by"), " ", _who(event), color_scheme="gray"),
                spacing="2",
                align="center",
                wrap="wrap",
                font_size="0.9em",
                font_weight="500",
            ),
            rx.el.time(event.at_label, date_time=event.at_iso, font_size="0.8em", color=rx.color("gray", 11)),
            spacing="0",
        ),
        data_testid="order-event",
        padding_y="0.25em",
    )


def carrier_name(carrier: rx.Var) -> rx.Component:
    return rx.match(carrier, *[(code, tr(f"carrier.{code}")) for code in CARRIERS], carrier)


def _refund_row(refund) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.vstack(
                rx.cond(
                    refund.status == "pending",
                    rx.badge(tr("orders.refund_pending"), color_scheme="amber", variant="soft", high_contrast=True),
                    rx.badge(tr("orders.refund_done"), color_scheme="green", variant="soft", high_contrast=True),
                ),
                rx.el.time(refund.at_label, date_time=refund.at_iso, font_size="0.8em", color=rx.color("gray", 11)),
                rx.cond(refund.reason != "", rx.text(refund.reason, size="1", color_scheme="gray")),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.text("+", refund.amount_label, weight="bold", white_space="nowrap"),
            width="100%",
            align="center",
        ),
        data_testid="order-refund",
        padding_y="0.25em",
    )


def _shipment() -> rx.Component:
    order = OrderDetailState.order
    return rx.cond(
        order.tracking_number != "",
        _section(
            "orders.shipment",
            rx.hstack(
                rx.icon("truck", size=16),
                rx.text(carrier_name(order.carrier), weight="medium"),
                rx.code(order.tracking_number, data_testid="tracking-number"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(tr_fmt("orders.shipped_on", time=order.shipped_label), size="1", color_scheme="gray"),
        ),
    )


def _refunds() -> rx.Component:
    return rx.cond(
        OrderDetailState.order_refunds.length() > 0,
        _section(
            "orders.refunds",
            rx.el.ul(rx.foreach(OrderDetailState.order_refunds, _refund_row), list_style="none", padding="0",
                     margin="0", width="100%"),
            rx.cond(
                OrderDetailState.order.refund_pending_label != "",
                rx.text(tr("orders.refund_pending_help"), size="1", color_scheme="gray"),
            ),
        ),
    )


def _cancel_dialog() -> rx.Component:
    order = OrderDetailState.order
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("orders.cancel_confirm_title")),
            rx.alert_dialog.description(
                tr_fmt("orders.cancel_confirm_text", amount=order.total_label),
            ),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(tr("orders.cancel_keep"), variant="soft", color_scheme="gray")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        tr("orders.cancel_yes"), color_scheme="red", on_click=OrderDetailState.confirm_cancel
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1em",
                wrap="wrap",
            ),
            max_width="420px",
        ),
        open=OrderDetailState.confirm_open,
        on_open_change=OrderDetailState.set_confirm_open,
    )


def _order_detail() -> rx.Component:
    order = OrderDetailState.order
    return rx.vstack(
        rx.hstack(
            rx.heading(tr_fmt("orders.number", number=order.number), size="6", as_="h1"),
            rx.spacer(),
            status_badge(order.status),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.hstack(
            rx.text(order.shop_name, weight="medium"),
            app_badge(order.app, high_contrast=True),
            rx.text(order.date_label, size="2", color_scheme="gray"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            OrderDetailState.order_items.length() > 0,  # type: ignore[attr-defined]
            _section("orders.items", rx.foreach(OrderDetailState.order_items, _item_row)),
        ),
        rx.cond(order.note != "", _section("orders.note", rx.text(order.note))),
        _section(
            "orders.amounts",
            _amount_row(tr("orders.subtotal"), order.subtotal_label),
            rx.cond(
                order.refunded_cents > 0,
                _amount_row(tr("orders.refunded"), "−" + order.refunded_label),
            ),
            rx.separator(size="4"),
            _amount_row(tr("orders.total_paid"), order.total_label, bold=True),
        ),
        _shipment(),
        _refunds(),
        rx.cond(
            order.needs_shipping,
            _section(
                "orders.shipping",
                rx.vstack(
                    rx.text(order.ship_name),
                    rx.text(order.ship_line1),
                    rx.text(order.ship_postal_code, " ", order.ship_city),
                    rx.text(order.ship_country),
                    spacing="0",
                ),
            ),
        ),
        _section(
            "orders.payment",
            rx.hstack(rx.icon("credit-card", size=16), rx.text(order.method_label), align="center"),
        ),
        _section(
            "orders.history",
            rx.el.ol(
                rx.foreach(OrderDetailState.order_events, _event_row),
                list_style="none",
                padding="0",
                margin="0",
            ),
        ),
        rx.cond(
            order.can_cancel,
            rx.vstack(
                rx.button(
                    rx.icon("circle-x", size=16),
                    tr("orders.cancel"),
                    on_click=OrderDetailState.ask_cancel,
                    loading=OrderDetailState.cancelling,
                    color_scheme="red",
                    variant="soft",
                    high_contrast=True,
                    size="3",
                    width="100%",
                ),
                rx.text(
                    tr_fmt("orders.cancel_until", time=order.cancel_until_label),
                    size="1",
                    color_scheme="gray",
                ),
                _cancel_dialog(),
                spacing="1",
                width="100%",
            ),
            rx.cond(
                order.status == OrderStatus.PAID.value,
                rx.text(tr("orders.cancel_rule"), size="1", color_scheme="gray"),
            ),
        ),
        # Next to the cancel button, where the shopper is looking after clicking it.
        error_callout(OrderDetailState.order_error),
        success_callout(OrderDetailState.order_notice),
        rx.link(rx.icon("message-circle-warning", size=14), " ", tr("dispute.title"), href="/disputes/" + order.id.to_string()),
        rx.link(tr("orders.all"), href="/orders"),
        spacing="4",
        width="100%",
    )


def _order_not_found() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("orders.not_found_title"), size="6", as_="h1"),
        rx.text(tr("orders.not_found_text"), color_scheme="gray"),
        rx.link(tr("orders.all"), href="/orders"),
        spacing="3",
        width="100%",
        role="alert",
    )


def order_detail_page() -> rx.Component:
    return page_frame(
        rx.cond(
            OrderDetailState.order_missing,
            _order_not_found(),
            rx.cond(
                OrderDetailState.order,
                _order_detail(),
                rx.vstack(
                    error_callout(OrderDetailState.order_error),
                    rx.cond(
                        ~OrderDetailState.order_loaded,
                        rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
                    ),
                    width="100%",
                ),
            ),
        ),
    )
