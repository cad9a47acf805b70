"""/merchant/products: the shop's products, a page at a time, and the product form."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, notice_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.components.picture_upload import picture_upload
from socialshop.models import ProductCategory
from socialshop.services.merchant_products import MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from socialshop.state.merchant_products import PRODUCT_UPLOAD_ID, MerchantProductsState

S = MerchantProductsState


def _field(label_key: str, name: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=f"product-{name}", font_size="0.9em", font_weight="500"),
        control,
        spacing="1",
        width="100%",
    )


def _input(label_key: str, name: str, **props) -> rx.Component:
    return _field(
        label_key,
        name,
        rx.input(id=f"product-{name}", name=name, default_value=S.edit_fields[name], size="3", width="100%", **props),
    )


def product_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(rx.cond(S.editing == "new", tr("mproducts.new"), tr("mproducts.edit")), size="4", as_="h2"),
            picture_upload(
                PRODUCT_UPLOAD_ID,
                "mproducts.field.image",
                S.form_image,
                S.upload_image,
                S.remove_image,
                S.reject_image,
            ),
            rx.form(
                rx.vstack(
                    _input("mproducts.field.title", "title", required=True, max_length=MAX_TITLE_LENGTH),
                    _field(
                        "mproducts.field.description",
                        "description",
                        rx.text_area(
                            id="product-description",
                            name="description",
                            default_value=S.edit_fields["description"],
                            max_length=MAX_DESCRIPTION_LENGTH,
                            rows="3",
                            width="100%",
                        ),
                    ),
                    rx.grid(
                        _input("mproducts.field.price", "price", input_mode="decimal", placeholder="12,50", required=True),
                        _input("mproducts.field.stock", "stock", input_mode="numeric", required=True),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    _field(
                        "mproducts.field.category",
                        "category",
                        rx.el.select(
                            *[
                                rx.el.option(tr(f"category.{c.value}"), value=c.value)
                                for c in ProductCategory
                            ],
                            id="product-category",
                            name="category",
                            default_value=S.edit_fields["category"],
                            style={
                                "width": "100%",
                                "padding": "0.5em",
                                "border_radius": "var(--radius-2)",
                                "border": f"1px solid {rx.color('gray', 7)}",
                                "background": rx.color("gray", 1),
                                "color": rx.color("gray", 12),
                                "font": "inherit",
                            },
                        ),
                    ),
                    error_callout(S.form_error),
                    rx.hstack(
                        rx.button(tr("mproducts.save"), type="submit", size="3"),
                        rx.button(
                            tr("mproducts.cancel"),
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            size="3",
                            on_click=S.close_form,
                        ),
                        spacing="3",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save,
                reset_on_submit=False,
                key=S.form_key.to_string(),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="product-form",
        aria_label=rx.cond(S.editing == "new", tr("mproducts.new"), tr("mproducts.edit")),
    )


def _product_row(product) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.hstack(
                rx.cond(
                    product.thumb != "",
                    rx.image(src=product.thumb, alt="", width="64px", height="64px", min_width="64px",
                             object_fit="cover", border_radius="var(--radius-3)"),
                    rx.center(rx.icon("image", color=rx.color("gray", 8)), width="64px", height="64px",
                              min_width="64px", background=rx.color("gray", 3), border_radius="var(--radius-3)"),
                ),
                rx.vstack(
                    rx.text(product.title, weight="bold", trim="both"),
                    rx.text(
                        rx.el.strong(product.price_label),
                        " · ",
                        product.stock.to_string(),
                        " ",
                        tr("mproducts.in_stock"),
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.badge(tr_category(product.category), variant="soft", color_scheme="gray"),
                    spacing="1",
                    min_width="0",
                ),
                spacing="3",
                align="center",
                flex="1",
                min_width="0",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("pencil", size=14),
                    tr("mproducts.edit_button"),
                    variant="soft",
                    size="2",
                    on_click=S.open_edit(product.id),
                    aria_label=tr("mproducts.edit_button") + " " + product.title,
                ),
                rx.cond(
                    product.active,
                    rx.button(
                        rx.icon("archive", size=14),
                        tr("mproducts.archive"),
                        variant="soft",
                        color_scheme="gray",
                        size="2",
                        on_click=S.archive(product.id),
                        aria_label=tr("mproducts.archive") + " " + product.title,
                    ),
                    rx.button(
                        rx.icon("archive-restore", size=14),
                        tr("mproducts.unarchive"),
                        variant="soft",
                        color_scheme="green",
                        size="2",
                        on_click=S.unarchive(product.id),
                        aria_label=tr("mproducts.unarchive") + " " + product.title,
                    ),
                ),
                spacing="2",
                justify="end",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="3",
            align=rx.breakpoints(initial="stretch", sm="center"),
            width="100%",
        ),
        width="100%",
        data_testid="merchant-product",
    )


def tr_category(category: rx.Var) -> rx.Component:
    return rx.match(category, *[(c.value, tr(f"category.{c.value}")) for c in ProductCategory], category)


def _pager() -> rx.Component:
    return rx.cond(
        (S.page_number > 1) | S.has_next,
        rx.hstack(
            rx.button(tr("pager.previous"), variant="soft", on_click=S.previous_page, disabled=S.page_number <= 1),
            rx.text(tr("pager.page"), " ", S.page_number.to_string(), color_scheme="gray", size="2"),
            rx.button(tr("pager.next"), variant="soft", on_click=S.next_page, disabled=~S.has_next),
            justify="center",
            align="center",
            spacing="3",
            width="100%",
        ),
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.segmented_control.root(
            rx.segmented_control.item(tr("mproducts.active"), value="active"),
            rx.segmented_control.item(tr("mproducts.archived"), value="archived"),
            value=S.status,
            on_change=S.show_status,
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="q",
                    type="search",
                    placeholder=tr("storefront.search"),
                    aria_label=tr("storefront.search"),
                    default_value=S.search_text,
                    width="100%",
                ),
                rx.icon_button(rx.icon("search", size=16), type="submit", variant="soft", aria_label=tr("storefront.search")),
                spacing="2",
                width="100%",
            ),
            on_submit=S.search,
            reset_on_submit=False,
            flex="1",
            min_width="200px",
        ),
        gap="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def merchant_products_page() -> rx.Component:
    return page_frame(
        merchant_only(
            S,
            "/merchant/products",
            rx.hstack(
                rx.heading(tr("mproducts.title"), size="6", as_="h1"),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("megaphone", size=16), tr("mproducts.post_it"), variant="soft"),
                    href="/merchant/posts",
                ),
                rx.button(rx.icon("plus", size=16), tr("mproducts.new"), on_click=S.open_new),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            notice_callout(S.products_notice),
            error_callout(S.products_error),
            rx.cond(S.editing != "", product_form()),
            _toolbar(),
            rx.cond(
                S.products.length() > 0,
                rx.vstack(rx.foreach(S.products, _product_row), spacing="2", width="100%"),
                rx.text(tr("mproducts.empty"), color_scheme="gray"),
            ),
            _pager(),
        ),
    )
