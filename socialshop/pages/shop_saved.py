"""/saved: bookmarked products; each opens the product sheet."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.product_sheet import product_image, product_sheet, stock_badge, tr_fmt
from socialshop.models import AppSurface
from socialshop.pages.shop_cart import success_callout
from socialshop.state.shop_saved import SavedState
from socialshop.state.shopping import ProductSheetState


def _saved_row(product) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.el.button(
                rx.hstack(
                    rx.box(product_image(product.image, product.title), width="72px", flex_shrink="0"),
                    rx.vstack(
                        rx.text(product.title, weight="medium", size="3"),
                        rx.text(product.price_label, weight="bold", size="2"),
                        rx.text(product.shop_name, size="1", color_scheme="gray"),
                        stock_badge(product.stock, product.available),
                        spacing="1",
                        align="start",
                        min_width="0",
                    ),
                    align="center",
                    spacing="3",
                ),
                type="button",
                on_click=ProductSheetState.open_product(product.id, AppSurface.FACEBOOK.value, 0),
                aria_label=product.title + " · " + product.price_label,
                aria_haspopup="dialog",
                background="none",
                border="none",
                padding="0",
                color="inherit",
                font="inherit",
                cursor="pointer",
                text_align="left",
                flex="1",
                min_width="0",
            ),
            rx.icon_button(
                rx.icon("trash-2", size=16),
                on_click=SavedState.remove(product.id),
                variant="ghost",
                color_scheme="red",
                aria_label=tr_fmt("saved.remove_item", title=product.title),
                title=tr("saved.remove"),
            ),
            align="center",
            width="100%",
        ),
        width="100%",
        data_testid="saved-item",
    )


def saved_page() -> rx.Component:
    return page_frame(
        error_callout(SavedState.saved_error),
        success_callout(SavedState.saved_notice),
        rx.cond(
            SavedState.saved_items.length() > 0,
            rx.vstack(rx.foreach(SavedState.saved_items, _saved_row), spacing="3", width="100%"),
            rx.cond(
                SavedState.saved_loaded,
                rx.vstack(
                    rx.text(tr("saved.empty"), color_scheme="gray"),
                    rx.link(tr("shop.browse_shops"), href="/shops"),
                    spacing="2",
                ),
            ),
        ),
        product_sheet(
            open_when=ProductSheetState.sheet_open & (ProductSheetState.sheet_post_id == 0),
            on_closed=[SavedState.refresh],
        ),
        title_key="nav.saved",
    )
