"""The bell in the top bar: unread count, a popover with a page of entries, the poll ticker."""

from __future__ import annotations

import reflex as rx

from socialshop.components.counted_icon import counted_icon
from socialshop.components.i18n import tr
from socialshop.services.notifications import NotificationView
from socialshop.state.notifications import POLL_INTERVAL_MS, NotificationsState


def _entry(view: NotificationView) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            flex_shrink="0",
            margin_top="0.45em",
            background=rx.cond(view.unread, rx.color("accent", 9), "transparent"),
        ),
        rx.vstack(
            rx.link(
                rx.text(view.text, size="2", weight=rx.cond(view.unread, "medium", "regular")),
                href="#",
                on_click=NotificationsState.open_entry(view.id).prevent_default,
                color=rx.color("gray", 12),
                underline="hover",
            ),
            rx.hstack(
                rx.text(view.created_at_label, size="1", color_scheme="gray"),
                rx.cond(
                    view.unread,
                    rx.button(
                        tr("notifications.mark_read"),
                        on_click=NotificationsState.mark_read(view.id),
                        variant="ghost",
                        size="1",
                    ),
                ),
                align="center",
                spacing="3",
            ),
            spacing="1",
            width="100%",
        ),
        spacing="2",
        width="100%",
        padding_y="0.4em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        data_testid="notification-entry",
    )


def notification_bell() -> rx.Component:
    return rx.fragment(
        rx.popover.root(
            rx.popover.trigger(
                rx.icon_button(
                    counted_icon(
                        "bell",
                        shown=NotificationsState.unread_count > 0,
                        label=NotificationsState.unread_label,
                        test_id="notification-count",
                    ),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label=tr("notifications.bell"),
                    title=tr("notifications.bell"),
                    margin_right="0.5em",
                ),
            ),
            rx.popover.content(
                rx.vstack(
                    rx.hstack(
                        rx.heading(tr("notifications.title"), size="3", as_="h2"),
                        rx.spacer(),
                        rx.cond(
                            NotificationsState.unread_count > 0,
                            rx.button(
                                tr("notifications.mark_all"),
                                on_click=NotificationsState.mark_all_read,
                                variant="soft",
                                size="1",
                            ),
                        ),
                        width="100%",
                        align="center",
                    ),
                    rx.cond(
                        NotificationsState.list_error != "",
                        rx.text(NotificationsState.list_error, color_scheme="red", size="2", role="alert"),
                    ),
                    rx.cond(
                        NotificationsState.entries.length() > 0,  # type: ignore[attr-defined]
                        rx.vstack(rx.foreach(NotificationsState.entries, _entry), spacing="0", width="100%"),
                        rx.cond(
                            NotificationsState.list_loaded,
                            rx.text(tr("notifications.empty"), size="2", color_scheme="gray"),
                            rx.spinner(size="2"),
                        ),
                    ),
                    rx.hstack(
                        rx.cond(
                            NotificationsState.page_before > 0,
                            rx.button(tr("notifications.newest"), on_click=NotificationsState.show_newest, variant="ghost", size="1"),
                        ),
                        rx.spacer(),
                        rx.cond(
                            NotificationsState.has_older,
                            rx.button(tr("notifications.older"), on_click=NotificationsState.show_older, variant="ghost", size="1"),
                        ),
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="min(360px, 92vw)",
                max_height="70vh",
                overflow_y="auto",
            ),
            on_open_change=NotificationsState.open_changed,
        ),
        # The poll: fires on mount and every interval, only while a signed-in page is open.
        rx.moment(interval=POLL_INTERVAL_MS, format="HH:mm:ss", on_change=NotificationsState.tick, display="none"),
    )
