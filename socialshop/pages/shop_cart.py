"""/cart: lines grouped by shop, quantities, subtotals, total, checkout."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.product_sheet import product_image, tr_fmt
from socialshop.models import AppSurface
from socialshop.state.checkout import CheckoutState
from socialshop.state.shop_cart import CartState


def success_callout(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="circle-check", color_scheme="green", role="status", width="100%"),
    )


def _line_problem(line) -> rx.Component:
    """Why a line is left out of the total: stock, or the product is gone."""
    return rx.cond(
        ~line.available,
        rx.text(
            rx.cond(
                line.stock <= 0,
                tr("shop.out_of_stock"),
                rx.cond(
                    line.quantity > line.stock,
                    tr_fmt("cart.above_stock", n=line.stock),
                    tr("shop.unavailable"),
                ),
            ),
            size="2",
            color_scheme="red",
            role="alert",
        ),
    )


def _cart_line(line) -> rx.Component:
    return rx.hstack(
        rx.box(product_image(line.image, line.title), width="64px", flex_shrink="0"),
        rx.vstack(
            rx.text(line.title, weight="medium", size="3"),
            rx.text(
                tr("cart.unit_price"), " ", line.unit_price_label, " · ", tr("cart.found_on"), " ",
                rx.match(line.app, *[(app.value, tr(f"app.{app.value}")) for app in AppSurface], line.app),
                size="1",
                color_scheme="gray",
            ),
            _line_problem(line),
            rx.hstack(
                rx.icon_button(
                    rx.icon("minus", size=14),
                    on_click=CartState.decrement(line.product_id),
                    disabled=line.quantity <= 1,
                    variant="soft",
                    size="1",
                    aria_label=tr_fmt("cart.decrease", title=line.title),
                    title=tr("sheet.decrease"),
                ),
                rx.text(
                    line.quantity.to_string(),
                    weight="bold",
                    min_width="2ch",
                    text_align="center",
                    data_testid="cart-quantity",
                ),
                rx.icon_button(
                    rx.icon("plus", size=14),
                    on_click=CartState.increment(line.product_id),
                    disabled=line.quantity >= line.stock,
                    variant="soft",
                    size="1",
                    aria_label=tr_fmt("cart.increase", title=line.title),
                    title=tr("sheet.increase"),
                ),
                rx.button(
                    rx.icon("trash-2", size=14),
                    tr("cart.remove"),
                    on_click=CartState.remove(line.product_id),
                    variant="ghost",
                    color_scheme="red",
                    size="1",
                    aria_label=tr_fmt("cart.remove_item", title=line.title),
                ),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.text(
            line.line_total_label,
            weight="bold",
            white_space="nowrap",
            text_decoration=rx.cond(line.available, "none", "line-through"),
            color=rx.cond(line.available, rx.color("gray", 12), rx.color("gray", 9)),
        ),
        align="start",
        spacing="3",
        width="100%",
        role="group",
        aria_label=line.title,
        data_testid="cart-line",
    )


def _shop_group(group) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("store", size=16),
                rx.link(group.shop_name, href="/shop/" + group.shop_slug, weight="bold"),
                align="center",
                spacing="2",
            ),
            rx.foreach(group.lines, _cart_line),
            rx.separator(size="4"),
            rx.hstack(
                rx.text(tr("cart.subtotal"), color_scheme="gray"),
                rx.spacer(),
                rx.text(group.subtotal_label, weight="bold"),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        role="region",
        aria_label=group.shop_name,
    )


def _empty_cart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("shopping-cart", size=32, color=rx.color("gray", 9)),
            rx.text(tr("cart.empty"), size="4", weight="medium"),
            rx.link(tr("cart.back_to_feed"), href="/"),
            align="center",
            spacing="3",
            padding="1.5em",
            width="100%",
        ),
        width="100%",
    )


def _cart_contents() -> rx.Component:
    view = CartState.cart_view
    return rx.vstack(
        rx.foreach(CartState.cart_groups, _shop_group),
        rx.cond(
            view.has_unavailable,
            rx.callout(tr("cart.unavailable_note"), icon="info", color_scheme="orange", width="100%"),
        ),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(tr("cart.total"), size="4", weight="bold"),
                    rx.spacer(),
                    rx.text(view.total_label, size="5", weight="bold", data_testid="cart-total"),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    CartState.cart_spans_apps,
                    rx.text(tr("cart.one_checkout_per_app"), size="1", color_scheme="gray"),
                    rx.text(tr("cart.one_order_per_shop"), size="1", color_scheme="gray"),
                ),
                rx.foreach(
                    CartState.cart_checkouts,
                    lambda checkout: rx.button(
                        rx.icon("lock", size=16),
                        rx.text(tr("cart.checkout"), " · ", checkout.app_label, " · ", checkout.total_label, as_="span"),
                        on_click=CheckoutState.start_checkout(checkout.app),
                        disabled=~CartState.cart_can_checkout,
                        size="3",
                        width="100%",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def cart_page() -> rx.Component:
    return page_frame(
        error_callout(CartState.cart_error),
        success_callout(CartState.cart_notice),
        rx.cond(
            CartState.cart_is_empty,
            rx.cond(CartState.cart_loaded, _empty_cart()),
            _cart_contents(),
        ),
        title_key="nav.cart",
    )
