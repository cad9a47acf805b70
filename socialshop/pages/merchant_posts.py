"""/merchant/posts: post to an app as the shop, with product tags placed on the picture."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.components.picture_upload import picture_upload
from socialshop.components.posts import APP_ICONS
from socialshop.services.merchant_posts import MAX_TEXT_LENGTH
from socialshop.state.merchant_posts import POST_UPLOAD_ID, MerchantPostsState

S = MerchantPostsState


def _click_percent(axis: str) -> rx.Var:
    """Where the click hit the picture, in percent of its width (x) or height (y), one
    decimal; `_e` is the click event in the compiled handler. The server checks 0..100."""
    client, start, size = ("clientX", "left", "width") if axis == "x" else ("clientY", "top", "height")
    box = "_e.currentTarget.getBoundingClientRect()"
    return rx.Var(f"(Math.round((_e.{client} - {box}.{start}) * 1000 / {box}.{size}) / 10)").to(float)


def _app_picker() -> rx.Component:
    return rx.vstack(
        rx.text(tr("mposts.app"), size="2", weight="medium"),
        rx.radio_cards.root(
            *[
                rx.radio_cards.item(
                    rx.hstack(rx.icon(icon, size=16), rx.text(tr(f"app.{app}")), spacing="2", align="center"),
                    value=app,
                )
                for app, icon in APP_ICONS.items()
            ],
            value=S.post_app,
            on_value_change=S.set_app,
            columns=rx.breakpoints(initial="2", sm="4"),
            size="1",
            aria_label=tr("mposts.app"),
            width="100%",
        ),
        spacing="1",
        width="100%",
    )


def _product_choice(product) -> rx.Component:
    chosen = S.selected_product_id == product.id
    return rx.button(
        rx.cond(
            product.thumb != "",
            rx.image(src=product.thumb, alt="", width="28px", height="28px", object_fit="cover", border_radius="4px"),
        ),
        rx.text(product.title, trim="both", max_width="160px", overflow="hidden", text_overflow="ellipsis",
                white_space="nowrap"),
        type="button",
        variant=rx.cond(chosen, "solid", "surface"),
        on_click=S.select_product(product.id),
        aria_pressed=chosen,
        size="2",
    )


def _photo_choice(product) -> rx.Component:
    return rx.cond(
        product.thumb != "",
        rx.el.button(
            rx.image(src=product.thumb, alt="", width="56px", height="56px", object_fit="cover", border_radius="6px"),
            type="button",
            on_click=S.use_product_image(product.id),
            aria_label=tr("mposts.use_photo_of") + " " + product.title,
            title=product.title,
            padding="0",
            border="none",
            background="none",
            cursor="pointer",
        ),
    )


def _tag_marker(tag) -> rx.Component:
    return rx.box(
        rx.icon("tag", size=12),
        rx.el.span(tag.title, max_width="120px", overflow="hidden", text_overflow="ellipsis", white_space="nowrap"),
        position="absolute",
        left=tag.x_pct.to_string() + "%",
        top=tag.y_pct.to_string() + "%",
        transform="translate(-50%, -50%)",
        display="flex",
        align_items="center",
        gap="4px",
        padding="2px 8px",
        border_radius="999px",
        background="rgba(20, 20, 20, 0.82)",
        color="white",
        font_size="12px",
        pointer_events="none",
        data_testid="tag-marker",
    )


def _tag_row(tag) -> rx.Component:
    return rx.hstack(
        rx.icon("tag", size=14),
        rx.text(tag.title, trim="both", flex="1", min_width="0"),
        rx.text(tag.price_label, weight="medium", size="2"),
        rx.icon_button(
            rx.icon("x", size=14),
            type="button",
            variant="ghost",
            color_scheme="gray",
            size="1",
            on_click=S.remove_tag(tag.product_id),
            aria_label=tr("mposts.remove_tag") + " " + tag.title,
        ),
        align="center",
        width="100%",
    )


def _tagging() -> rx.Component:
    return rx.vstack(
        rx.text(tr("mposts.tag_hint"), size="2", color_scheme="gray"),
        rx.vstack(
            rx.text(tr("mposts.tag_product"), size="2", weight="medium"),
            rx.form(
                rx.hstack(
                    rx.input(name="q", type="search", placeholder=tr("mposts.search_products"),
                             aria_label=tr("mposts.search_products"), width="100%"),
                    rx.icon_button(rx.icon("search", size=16), type="submit", variant="soft",
                                   aria_label=tr("mposts.search_products")),
                    width="100%",
                ),
                on_submit=S.search_products,
                reset_on_submit=False,
                width="100%",
            ),
            rx.flex(rx.foreach(S.picker, _product_choice), wrap="wrap", gap="2"),
            spacing="2",
            width="100%",
            role="group",
            aria_label=tr("mposts.tag_product"),
        ),
        rx.box(
            rx.image(
                src=S.post_image,
                alt=tr("mposts.picture_for_tags"),
                width="100%",
                height="auto",
                aspect_ratio="1",
                object_fit="cover",
                border_radius="8px",
                cursor="crosshair",
                on_click=S.place_tag(_click_percent("x"), _click_percent("y")),
                data_testid="tag-canvas",
            ),
            rx.foreach(S.tags, _tag_marker),
            position="relative",
            width="100%",
            max_width="480px",
        ),
        rx.cond(
            S.tags.length() > 0,
            rx.vstack(
                rx.text(tr("mposts.tags"), size="2", weight="medium"),
                rx.foreach(S.tags, _tag_row),
                spacing="1",
                width="100%",
                role="group",
                aria_label=tr("mposts.tags"),
            ),
        ),
        spacing="3",
        width="100%",
    )


def _composer() -> rx.Component:
    return rx.card(
        rx.vstack(
            _app_picker(),
            rx.form(
                rx.vstack(
                    rx.el.label(tr("mposts.text"), html_for="post-text", font_size="0.9em", font_weight="500"),
                    rx.text_area(id="post-text", name="text", rows="3", max_length=MAX_TEXT_LENGTH, width="100%"),
                    spacing="1",
                    width="100%",
                ),
                id="post-form",
                on_submit=S.publish,
                reset_on_submit=False,
                key=S.form_key.to_string(),
                width="100%",
            ),
            picture_upload(POST_UPLOAD_ID, "mposts.image", S.post_image, S.upload_image, S.remove_image,
                           S.reject_image),
            rx.cond(
                S.picker.length() > 0,
                rx.vstack(
                    rx.text(tr("mposts.use_product_image"), size="2", weight="medium"),
                    rx.flex(rx.foreach(S.picker, _photo_choice), wrap="wrap", gap="2"),
                    spacing="1",
                    width="100%",
                ),
                rx.text(tr("mposts.no_products"), size="2", color_scheme="gray"),
            ),
            rx.cond(S.post_image != "", _tagging()),
            error_callout(S.post_error),
            rx.button(rx.icon("send", size=16), tr("mposts.publish"), type="submit", form="post-form", size="3"),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _published() -> rx.Component:
    return rx.cond(
        S.published_app != "",
        rx.callout(
            rx.hstack(
                rx.text(tr("mposts.published")),
                rx.link(tr("mposts.open_feed"), href="/feed/" + S.published_app),
                spacing="2",
                wrap="wrap",
            ),
            icon="circle-check",
            color_scheme="green",
            width="100%",
            role="status",
        ),
    )


def merchant_posts_page() -> rx.Component:
    return page_frame(
        merchant_only(
            S,
            "/merchant/posts",
            rx.heading(tr("mposts.title"), size="6", as_="h1"),
            _published(),
            _composer(),
        ),
    )
