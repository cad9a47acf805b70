"""A post in the feed: author, app badge, image with its product tags, likes."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.product_sheet import product_sheet
from socialshop.services.feed import MAX_COMMENT_LENGTH, FundraiserView, PostView
from socialshop.state.feed import COMMENT_FIELD_PREFIX, FeedState
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


def product_chip(tag, post) -> rx.Component:
    """The same product listed under the image with its whole name (tags on a phone are short)."""
    return rx.button(
        rx.icon("shopping-bag", size=14),
        rx.text(tag.title, trim="both"),
        rx.text(tag.price_label, weight="bold"),
        on_click=ProductSheetState.open_product(tag.product_id, post.app, post.id),
        variant="surface",
        size="1",
        radius="full",
        max_width="100%",
        data_testid="product-chip",
    )


def tagged_products(post) -> rx.Component:
    return rx.cond(
        post.tags.length() > 0,
        rx.el.section(
            rx.flex(rx.foreach(post.tags, lambda tag: product_chip(tag, post)), wrap="wrap", gap="2"),
            aria_label=tr("feed.tagged_products"),
            width="100%",
        ),
    )


# What changed on a shown post since its page was sent lives in FeedState's overlay dicts
# (keyed by the id as a string): the foreach reads the overlay first, then the page's value,
# and hands the result to the card as a prop.
def _post_key(post) -> rx.Var:
    return post.id.to_string()


def _like_count(post) -> rx.Var:
    key = _post_key(post)
    return rx.cond(FeedState.like_counts.contains(key), FeedState.like_counts[key], post.like_count)


def _liked(post) -> rx.Var:
    key = _post_key(post)
    return rx.cond(FeedState.liked.contains(key), FeedState.liked[key], post.liked_by_viewer)


def _comment_count(post) -> rx.Var:
    key = _post_key(post)
    return rx.cond(FeedState.comment_counts.contains(key), FeedState.comment_counts[key], post.comment_count)


def _fundraiser(post) -> rx.Var:
    key = post.fundraiser.id.to_string()
    return rx.cond(
        post.fundraiser & FeedState.fundraisers.contains(key),
        FeedState.fundraisers[key],
        post.fundraiser,
    )


def fundraiser_bar(fundraiser, app) -> rx.Component:
    return rx.cond(
        fundraiser,
        rx.vstack(
            rx.hstack(rx.icon("heart-handshake", size=16), rx.text(tr("feed.fundraiser"), weight="bold"), align="center"),
            rx.text(fundraiser.title, weight="medium"),
            rx.progress(value=fundraiser.percent, max=100, width="100%", aria_label=fundraiser.title),
            rx.hstack(
                rx.text(
                    fundraiser.raised_label, " ", tr("feed.raised_of"), " ", fundraiser.goal_label,
                    size="2",
                    color_scheme="gray",
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("heart", size=14),
                    tr("fundraiser.donate"),
                    # -> /checkout?donate=<fundraiser id>&app=<post app>, as a new checkout attempt
                    on_click=ProductSheetState.start_donation(fundraiser.id, app),
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


# Read by screen readers, not shown: the field's placeholder says the same to sighted users.
VISUALLY_HIDDEN = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "padding": "0",
    "margin": "-1px",
    "overflow": "hidden",
    "clip": "rect(0, 0, 0, 0)",
    "white_space": "nowrap",
    "border": "0",
}


def comments_button(post, count: rx.Var, is_open: rx.Var) -> rx.Component:
    """The post's comment count ("3 comments"): opens or closes its comments under it."""
    return rx.button(
        rx.icon("message-circle", size=16),
        count.to_string(),
        " ",
        rx.cond(count == 1, tr("feed.comment"), tr("feed.comments")),
        variant=rx.cond(is_open, "soft", "ghost"),
        color_scheme="gray",
        on_click=FeedState.toggle_comments(post.id),
        aria_expanded=rx.cond(is_open, "true", "false"),
        aria_controls="comments-" + post.id.to_string(),
        type="button",
    )


def comment_item(comment) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.avatar(fallback=comment.author_name[:1], size="1", radius="full"),
            rx.box(
                rx.hstack(
                    rx.text(comment.author_name, size="2", weight="bold"),
                    rx.text(comment.created_at_label, size="1", color_scheme="gray"),
                    spacing="2",
                    align="baseline",
                    wrap="wrap",
                ),
                rx.text(comment.text, size="2", white_space="pre-wrap", overflow_wrap="anywhere"),
                background="var(--gray-a3)",
                border_radius="12px",
                padding="0.4em 0.75em",
                min_width="0",
            ),
            spacing="2",
            align="start",
        ),
        data_testid="comment",
    )


@rx.memo
def open_comments(post_id: rx.Var[int]) -> rx.Component:
    """The open post's comments, oldest first, and the form to add one.

    Only the open post renders it, so it alone re-renders when the feed's state changes."""
    field_id = COMMENT_FIELD_PREFIX + post_id.to_string()
    return rx.el.section(
        rx.cond(
            FeedState.comments.length() > 0,
            rx.el.ul(
                rx.foreach(FeedState.comments, comment_item),
                list_style="none",
                padding="0",
                margin="0",
                display="flex",
                flex_direction="column",
                gap="0.5em",
            ),
            rx.text(tr("feed.no_comments"), size="2", color_scheme="gray"),
        ),
        rx.form(
            rx.el.label(tr("feed.write_comment"), html_for=field_id, style=VISUALLY_HIDDEN),
            # Sent back with the text: a post changes it, so a double submit posts once.
            rx.el.input(type="hidden", name="form_key", value=FeedState.comment_form_key.to_string()),
            rx.hstack(
                rx.input(
                    id=field_id,
                    name="text",
                    placeholder=tr("feed.write_comment"),
                    max_length=MAX_COMMENT_LENGTH,
                    auto_complete="off",
                    flex="1",
                    min_width="0",
                ),
                rx.button(tr("feed.post_comment"), type="submit"),
                width="100%",
                align="center",
            ),
            on_submit=FeedState.post_comment,
            reset_on_submit=False,
            width="100%",
        ),
        error_callout(FeedState.comment_error),
        id="comments-" + post_id.to_string(),
        aria_label=tr("feed.comments_of_post"),
        display="flex",
        flex_direction="column",
        gap="0.75em",
        width="100%",
    )


@rx.memo
def post_sheet(post_id: rx.Var[int]) -> rx.Component:
    """This post's copy of the product sheet (focus goes back to the tag that opened it)."""
    return product_sheet(open_when=ProductSheetState.sheet_open & (ProductSheetState.sheet_post_id == post_id))


# A memo reading no FeedState var: a like re-renders the one card whose props changed, not
# every card on screen (React skips a memo whose props are the same values).
@rx.memo
def post_card_view(
    post: rx.Var[PostView],
    like_count: rx.Var[int],
    liked: rx.Var[bool],
    comment_count: rx.Var[int],
    comments_open: rx.Var[bool],
    fundraiser: rx.Var[FundraiserView | None],
    eager: rx.Var[bool],
) -> rx.Component:
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
                        loading=rx.cond(eager, "eager", "lazy"),
                        aspect_ratio="1",
                        object_fit="cover",
                    ),
                    rx.foreach(post.tags, lambda tag: product_tag(tag, post)),
                    position="relative",
                    width="100%",
                ),
            ),
            tagged_products(post),
            fundraiser_bar(fundraiser, post.app),
            rx.cond(post.tags.length() > 0, post_sheet(post_id=post.id)),
            rx.hstack(
                rx.button(
                    rx.icon("heart", fill=rx.cond(liked, "currentColor", "none"), size=16),
                    like_count.to_string(),
                    variant=rx.cond(liked, "soft", "ghost"),
                    color_scheme="red",
                    on_click=FeedState.toggle_like(post.id),
                    aria_label=tr("feed.like"),
                    aria_pressed=liked,
                ),
                comments_button(post, comment_count, comments_open),
                rx.spacer(),
                # The post's public address: opens (and can be copied or shared) logged out too.
                rx.link(
                    rx.icon("link", size=16),
                    href="/post/" + post.id.to_string(),
                    aria_label=tr("feed.permalink"),
                    title=tr("feed.permalink"),
                    color_scheme="gray",
                    display="inline-flex",
                    padding="0.25em",
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            rx.cond(comments_open, open_comments(post_id=post.id)),
            spacing="3",
            width="100%",
        ),
        width="100%",
        role="article",
        aria_label=post.author_name,
    )


def post_card(post, eager: rx.Var | bool = False) -> rx.Component:
    """eager: the picture is fetched at once (the first screen's; it is the page's largest paint)."""
    return post_card_view(
        post=post,
        like_count=_like_count(post),
        liked=_liked(post),
        comment_count=_comment_count(post),
        comments_open=FeedState.open_comments_post_id == post.id,
        fundraiser=_fundraiser(post),
        eager=eager,
    )
