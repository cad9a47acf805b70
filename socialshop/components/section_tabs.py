"""A row of section links (the Pay hub's, the merchant dashboard's): one sideways-scrolling
row on a phone, wrapping on a desktop, the current section marked for eyes and screen readers."""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr


def section_tabs(sections: tuple[tuple[str, str, str], ...], current: str, *, nav_id: str,
                 label_key: str) -> rx.Component:
    """`sections`: (label key, route, icon) in tab order. On a phone a later tab starts
    off-screen, so the current one is scrolled into view when the row mounts."""
    return rx.el.nav(
        rx.hstack(
            *[
                rx.link(
                    rx.badge(
                        rx.icon(icon, size=14),
                        tr(key),
                        size="2",
                        radius="full",
                        variant="solid" if href == current else "surface",
                        white_space="nowrap",
                    ),
                    href=href,
                    underline="none",
                    flex_shrink="0",
                    scroll_snap_align="start",
                    **({"aria_current": "page"} if href == current else {}),
                )
                for key, href, icon in sections
            ],
            spacing="2",
            wrap=rx.breakpoints(initial="nowrap", md="wrap"),
            overflow_x="auto",
            scroll_snap_type="x proximity",
            padding_bottom="4px",
            width="100%",
        ),
        aria_label=tr(label_key),
        id=nav_id,
        width="100%",
        on_mount=rx.call_script(
            f"document.querySelector('#{nav_id} [aria-current=page]')"
            "?.scrollIntoView({inline: 'center', block: 'nearest'})"
        ),
    )
