from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.posts import APP_ICONS, post_card
from socialshop.models import AppSurface
from socialshop.state.feed import FeedState

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
            FeedState.posts.length() > 0,
            rx.vstack(rx.foreach(FeedState.posts, post_card), spacing="4", width="100%"),
            rx.cond(FeedState.session_checked, rx.text(tr("feed.empty"), color_scheme="gray")),
        ),
        rx.cond(
            FeedState.has_more,
            rx.button(tr("feed.load_more"), on_click=FeedState.load_more, variant="soft", width="100%"),
        ),
    )
