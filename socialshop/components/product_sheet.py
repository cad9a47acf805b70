"""The product sheet (a dialog that fills the width on phones) and small shopping UI pieces."""

from __future__ import annotations

import reflex as rx
from reflex.vars import StringVar

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.i18n import CATALOG
from socialshop.state.session import SessionState
from socialshop.state.shopping import ProductSheetState


def tr_fmt(key: str, **params: rx.Var | str | int) -> rx.Var:
    """Like tr(key), with {name} placeholders filled in the browser from vars."""
    english, italian = CATALOG[key]
    en: rx.Var = rx.Var.create(english)
    it: rx.Var = rx.Var.create(italian)
    for name, value in params.items():
        if isinstance(value, StringVar):
            text = value
        elif isinstance(value, rx.Var):
            # JS replace() turns a number into text itself; to_string() would JSON-quote strings.
            text = value.to(str)
        else:
            text = str(value)
        en = en.replace("{" + name + "}", text)
        it = it.replace("{" + name + "}", text)
    return rx.cond(SessionState.lang == "it", it, en)


def stock_badge(stock: rx.Var, available: rx.Var = True) -> rx.Component:
    """Stock as a badge: "3 left", "Out of stock" or "No longer available"."""
    return rx.cond(
        available,
        rx.cond(
            stock > 0,
            rx.badge(
                tr_fmt("shop.stock_left", n=stock), color_scheme="green", variant="soft", high_contrast=True
            ),
            rx.badge(tr("shop.out_of_stock"), color_scheme="orange", variant="soft", high_contrast=True),
        ),
        rx.badge(tr("shop.unavailable"), color_scheme="gray", variant="soft", high_contrast=True),
    )


def product_image(src: rx.Var, alt: rx.Var, size: str = "100%") -> rx.Component:
    return rx.cond(
        src != "",
        rx.image(
            src=src,
            alt=alt,
            width=size,
            height="auto",
            aspect_ratio="1",
            object_fit="cover",
            border_radius="8px",
            loading="lazy",
            background=rx.color("gray", 3),
        ),
        rx.center(
            rx.icon("package", size=28, color=rx.color("gray", 9)),
            width=size,
            aspect_ratio="1",
            border_radius="8px",
            background=rx.color("gray", 3),
            aria_hidden="true",
        ),
    )


def _quantity_stepper() -> rx.Component:
    return rx.vstack(
        rx.el.label(tr("sheet.quantity"), html_for="sheet-quantity", font_size="0.9em", font_weight="500"),
        rx.hstack(
            rx.icon_button(
                rx.icon("minus", size=16),
                on_click=ProductSheetState.decrement_quantity,
                variant="soft",
                aria_label=tr("sheet.decrease"),
                title=tr("sheet.decrease"),
                disabled=(ProductSheetState.quantity <= 1) & (ProductSheetState.quantity_error == ""),
            ),
            rx.input(
                id="sheet-quantity",
                value=ProductSheetState.quantity_text,
                on_change=ProductSheetState.set_quantity_text,
                input_mode="numeric",
                width="4.5em",
                text_align="center",
                aria_invalid=rx.cond(ProductSheetState.quantity_error != "", "true", "false"),
                aria_describedby="sheet-quantity-error",
            ),
            rx.icon_button(
                rx.icon("plus", size=16),
                on_click=ProductSheetState.increment_quantity,
                variant="soft",
                aria_label=tr("sheet.increase"),
                title=tr("sheet.increase"),
                disabled=(ProductSheetState.quantity >= ProductSheetState.sheet_stock_left)
                & (ProductSheetState.quantity_error == ""),
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            ProductSheetState.quantity_error != "",
            rx.text(
                ProductSheetState.quantity_error,
                id="sheet-quantity-error",
                role="alert",
                size="2",
                color_scheme="red",
            ),
        ),
        spacing="1",
    )


def product_details() -> rx.Component:
    """The product with quantity, Add to cart, Buy now and Save: in the sheet and on its own page."""
    product = ProductSheetState.product
    return rx.vstack(
        rx.box(
            product_image(product.image, product.title), width="100%", max_width="360px", align_self="center"
        ),
        rx.hstack(
            rx.text(product.price_label, size="6", weight="bold", data_testid="sheet-price"),
            rx.spacer(),
            stock_badge(product.stock, product.available),
            align="center",
            width="100%",
        ),
        rx.hstack(
            rx.icon("store", size=16),
            rx.link(
                product.shop_name,
                href="/shop/" + product.shop_slug,
                on_click=ProductSheetState.close_sheet,
                weight="medium",
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            product.description != "",
            rx.text(product.description, white_space="pre-wrap", color_scheme="gray"),
        ),
        rx.cond(
            product.available,
            rx.fragment(),
            rx.callout(tr("sheet.unavailable_note"), icon="ban", color_scheme="gray", width="100%"),
        ),
        rx.cond(
            product.available & (product.stock > 0),
            _quantity_stepper(),
        ),
        rx.flex(
            rx.button(
                rx.icon("shopping-cart", size=16),
                tr("sheet.add_to_cart"),
                on_click=ProductSheetState.add_to_cart,
                disabled=~ProductSheetState.can_buy,
                size="3",
                flex=rx.breakpoints(initial="none", xs="1"),
            ),
            rx.button(
                rx.icon("zap", size=16),
                tr("sheet.buy_now"),
                on_click=ProductSheetState.buy_now,
                disabled=~ProductSheetState.can_buy,
                size="3",
                variant="outline",
                flex=rx.breakpoints(initial="none", xs="1"),
            ),
            spacing="2",
            width="100%",
            direction=rx.breakpoints(initial="column", xs="row"),
        ),
        rx.cond(
            ProductSheetState.sheet_message != "",
            rx.callout(
                ProductSheetState.sheet_message,
                icon="circle-check",
                color_scheme="green",
                role="status",
                width="100%",
            ),
        ),
        rx.button(
            rx.icon(
                "bookmark", size=16, fill=rx.cond(ProductSheetState.product_saved, "currentColor", "none")
            ),
            rx.cond(ProductSheetState.product_saved, tr("sheet.saved"), tr("sheet.save")),
            on_click=ProductSheetState.toggle_save,
            aria_pressed=rx.cond(ProductSheetState.product_saved, "true", "false"),
            variant="soft",
            color_scheme="gray",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def product_sheet(open_when: rx.Var | None = None, on_closed: list | None = None) -> rx.Component:
    """The sheet; `open_when` narrows when this copy shows (each post card has its own)."""
    is_open = ProductSheetState.sheet_open if open_when is None else open_when
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(
                    rx.cond(
                        ProductSheetState.product,
                        ProductSheetState.product.title,
                        tr("sheet.title"),
                    ),
                    size="5",
                    margin="0",
                ),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(
                        rx.icon("x", size=18),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label=tr("common.close"),
                        title=tr("common.close"),
                    ),
                ),
                align="start",
                width="100%",
            ),
            rx.dialog.description(
                rx.cond(
                    ProductSheetState.product,
                    ProductSheetState.product.shop_name,
                    "",
                ),
                display="none",
            ),
            rx.vstack(
                error_callout(ProductSheetState.sheet_error),
                rx.cond(
                    ProductSheetState.sheet_loading,
                    rx.center(
                        rx.spinner(size="3"),
                        width="100%",
                        padding="2em",
                        role="status",
                        aria_label=tr("common.loading"),
                    ),
                    rx.cond(ProductSheetState.product, product_details()),
                ),
                spacing="3",
                width="100%",
                margin_top="0.75em",
            ),
            # Phones: the whole width, over the dialog's own side padding.
            width=["100vw", "100vw", "100%"],
            margin_x=["calc(-1 * var(--space-4))", "calc(-1 * var(--space-4))", "0"],
            max_width=["100vw", "100vw", "520px"],
            max_height=["100dvh", "100dvh", "90vh"],
            border_radius=["0", "0", "var(--radius-5)"],
            data_testid="product-sheet",
        ),
        open=is_open,
        on_open_change=[ProductSheetState.set_sheet_open, *(on_closed or [])],
    )
