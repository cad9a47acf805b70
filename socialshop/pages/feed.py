from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.posts import APP_ICONS, post_card
from socialshop.models import AppSurface
from socialshop.state.feed import WINDOW_PAGES, FeedState

FUNDRAISER_REFRESH_MS = 15_000


def _app_tab(app: str) -> rx.Component:
    href = f"/feed/{app}" if app else "/"
    label = tr(f"app.{app}") if app else tr("nav.all_apps")
    current = FeedState.app == app
    return rx.link(
        rx.badge(
            *([rx.icon(APP_ICONS[app], size=14)] if app else []),
            label,
            size="2",
            variant=rx.cond(current, "solid", "surface"),
            radius="full",
        ),
        href=href,
        underline="none",
        aria_current=rx.cond(current, "page", "false"),
    )


def app_tabs() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            _app_tab(""),
            *[_app_tab(app.value) for app in AppSurface],
            spacing="2",
            wrap="wrap",
        ),
        aria_label=tr("nav.all_apps"),
    )


def feed_page() -> rx.Component:
    return page_frame(
        rx.heading(FeedState.app_label, size="6", as_="h1"),
        app_tabs(),
        rx.hstack(
            rx.cond(
                FeedState.app == "messenger",
                rx.link(
                    rx.button(rx.icon("send", size=16), tr("transfer.open"), variant="soft", color_scheme="violet"),
                    href="/messenger/money",
                ),
            ),
            rx.cond(
                FeedState.app == "whatsapp",
                rx.link(
                    rx.button(rx.icon("message-circle", size=16), tr("chat.title"), variant="soft", color_scheme="grass"),
                    href="/whatsapp/chats",
                ),
            ),
            # Paying a shop's QR code works from every app; the payment belongs to this one.
            rx.link(
                rx.button(rx.icon("scan-line", size=16), tr("qr.scan_button"), variant="soft"),
                href="/pay/scan?app=" + FeedState.app,
            ),
            wrap="wrap",
        ),
        error_callout(FeedState.error),
        # A pooled timer, not a websocket push: fundraiser totals refresh every 15 s.
        rx.moment(interval=FUNDRAISER_REFRESH_MS, on_change=FeedState.refresh_fundraisers, display="none"),
        rx.cond(
            FeedState.has_posts,
            rx.flex(
                *[_page_slot(slot) for slot in range(WINDOW_PAGES)],
                aria_owns=FeedState.reading_order,
                direction="column",
                gap="var(--space-4)",
                width="100%",
            ),
            rx.cond(FeedState.session_checked, rx.text(tr("feed.empty"), color_scheme="gray")),
        ),
        rx.cond(
            FeedState.has_more,
            rx.button(tr("feed.load_more"), on_click=FeedState.load_more, variant="soft", width="100%"),
        ),
        # Leaving the feed empties its window: other pages' loads then carry none of it.
        rx.fragment(on_unmount=FeedState.leave),
    )


def _page_slot(slot: int) -> rx.Component:
    """One slot of the ring of pages; CSS order places it (the oldest page first)."""
    posts = getattr(FeedState, f"page{slot}")
    return rx.flex(
        # The first two pictures of a page are on the first screen: lazy loading would wait for layout.
        rx.foreach(posts, lambda post, index: post_card(post, eager=index < 2)),
        direction="column",
        gap="var(--space-4)",
        width="100%",
        order=FeedState.slot_order[slot],
        id=f"feed-slot-{slot}",
        # An empty slot takes no gap in the column.
        display=rx.cond(posts.length() > 0, "flex", "none"),
    )


def post_page() -> rx.Component:
    """/post/<id>: one post, readable logged out; buying, liking and commenting ask to log in."""
    return page_frame(
        rx.heading(tr("post.title"), size="6", as_="h1"),
        rx.cond(
            FeedState.permalink_missing,
            rx.callout(
                tr("post.not_found"),
                icon="circle-alert",
                color_scheme="gray",
                role="status",
                width="100%",
            ),
            rx.foreach(FeedState.permalink, lambda post: post_card(post, eager=True)),
        ),
        rx.link(tr("post.to_feed"), href="/"),
        rx.fragment(on_unmount=FeedState.leave),
    )
