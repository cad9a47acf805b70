"""A post in the feed: author, app badge, image with its product tags, likes."""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr
from socialshop.components.product_sheet import product_sheet
from socialshop.state.feed import FeedState
from socialshop.state.shopping import ProductSheetState

APP_COLORS = {"facebook": "blue", "instagram": "pink", "messenger": "violet", "whatsapp": "green"}
APP_ICONS = {"facebook": "users", "instagram": "camera", "messenger": "message-circle", "whatsapp": "phone"}


def app_badge(app: rx.Var, high_contrast: bool = False) -> rx.Component:
    return rx.match(
        app,
        *[
            (
                name,
                rx.badge(
                    rx.icon(APP_ICONS[name], size=12),
                    tr(f"app.{name}"),
                    color_scheme=color,
                    variant="soft",
                    high_contrast=high_contrast,
                ),
            )
            for name, color in APP_COLORS.items()
        ],
        rx.badge(app),
    )


def product_tag(tag, post) -> rx.Component:
    """A label pinned on the image where the product appears; it opens the product sheet."""
    return rx.el.button(
        rx.icon("tag", size=12, flex_shrink="0"),
        # Two tags side by side must not cover each other: the title gives way first.
        rx.el.span(tag.title, overflow="hidden", text_overflow="ellipsis", min_width="0", font_weight="500"),
        rx.el.span(tag.price_label, font_weight="700", flex_shrink="0"),
        type="button",
        on_click=ProductSheetState.open_product(tag.product_id, post.app, post.id),
        aria_label=tag.title + " · " + tag.price_label,
        aria_haspopup="dialog",
        position="absolute",
        left=tag.x_pct.to_string() + "%",
        top=tag.y_pct.to_string() + "%",
        transform="translate(-50%, -50%)",
        background="rgba(17, 17, 17, 0.78)",
        color="white",
        display="flex",
        align_items="center",
        gap="0.3em",
        padding="0.25em 0.6em",
        border="none",
        border_radius="999px",
        max_width="30%",
        white_space="nowrap",
        overflow="hidden",
        cursor="pointer",
        font_family="inherit",
        font_size="var(--font-size-1)",
        line_height="1.4",
        # Hovered or focused, a tag comes to the front and shows more of its title.
        _hover={"background": "rgba(17, 17, 17, 0.92)", "z_index": "2", "max_width": "60%"},
        _focus_visible={
            "outline": "2px solid white",
            "outline_offset": "2px",
            "z_index": "2",
            "max_width": "60%",
        },
        data_testid="product-tag",
    )


def fundraiser_bar(post) -> rx.Component:
    return rx.cond(
        post.fundraiser,
        rx.vstack(
            rx.hstack(rx.icon("heart-handshake", size=16), rx.text(tr("feed.fundraiser"), weight="bold"), align="center"),
            rx.text(post.fundraiser.title, weight="medium"),
            rx.progress(value=post.fundraiser.percent, max=100, width="100%"),
            rx.hstack(
                rx.text(
                    post.fundraiser.raised_label, " ", tr("feed.raised_of"), " ", post.fundraiser.goal_label,
                    size="2",
                    color_scheme="gray",
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("heart", size=14),
                    tr("fundraiser.donate"),
                    # -> /checkout?donate=<fundraiser id>&app=<post app>, as a new checkout attempt
                    on_click=ProductSheetState.start_donation(post.fundraiser.id, post.app),
                    size="2",
                    color_scheme="pink",
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            width="100%",
            spacing="1",
        ),
    )


def post_card(post) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.avatar(fallback=post.author_name[:1], size="3", radius="full"),
                rx.vstack(
                    rx.cond(
                        post.author_kind == "shop",
                        rx.link(post.author_name, href="/shop/" + post.author_shop_slug, weight="bold"),
                        rx.text(post.author_name, weight="bold"),
                    ),
                    rx.text(post.created_at_label, size="1", color_scheme="gray"),
                    spacing="0",
                ),
                rx.spacer(),
                app_badge(post.app),
                width="100%",
                align="center",
            ),
            rx.cond(post.text != "", rx.text(post.text, white_space="pre-wrap")),
            rx.cond(
                post.image != "",
                rx.box(
                    rx.image(
                        src=post.image,
                        alt=post.text,
                        width="100%",
                        height="auto",
                        border_radius="8px",
                        loading="lazy",
                        aspect_ratio="1",
                        object_fit="cover",
                    ),
                    rx.foreach(post.tags, lambda tag: product_tag(tag, post)),
                    position="relative",
                    width="100%",
                ),
            ),
            fundraiser_bar(post),
            rx.cond(
                post.tags.length() > 0,
                product_sheet(
                    open_when=ProductSheetState.sheet_open & (ProductSheetState.sheet_post_id == post.id),
                ),
            ),
            rx.hstack(
                rx.button(
                    rx.icon("heart", fill=rx.cond(post.liked_by_viewer, "currentColor", "none"), size=16),
                    post.like_count.to_string(),
                    variant=rx.cond(post.liked_by_viewer, "soft", "ghost"),
                    color_scheme="red",
                    on_click=FeedState.toggle_like(post.id),
                    aria_label=tr("feed.like"),
                    aria_pressed=post.liked_by_viewer,
                ),
                rx.text(post.comment_count.to_string(), " ", tr("feed.comments"), size="2", color_scheme="gray"),
                align="center",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        role="article",
        aria_label=post.author_name,
    )
