from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr
from socialshop.components.layout import language_select, page_frame
from socialshop.state.profile import ProfileState


def profile_page() -> rx.Component:
    return page_frame(
        rx.card(
            rx.hstack(
                rx.avatar(fallback=ProfileState.user_initial, size="5", radius="full"),
                rx.vstack(
                    rx.heading(ProfileState.user_display_name, size="5"),
                    rx.text(ProfileState.email, color_scheme="gray"),
                    rx.cond(ProfileState.phone != "", rx.text(ProfileState.phone, color_scheme="gray")),
                    rx.badge(
                        rx.cond(
                            ProfileState.user_role == "merchant",
                            tr("profile.role.merchant"),
                            tr("profile.role.shopper"),
                        )
                    ),
                    spacing="1",
                ),
                align="center",
                spacing="4",
            ),
            width="100%",
        ),
        rx.cond(
            ProfileState.shop_slug != "",
            rx.card(
                rx.hstack(
                    rx.icon("store"),
                    rx.text(tr("profile.your_shop")),
                    rx.link(ProfileState.shop_name, href="/shop/" + ProfileState.shop_slug),
                    align="center",
                ),
                width="100%",
            ),
        ),
        rx.card(
            rx.hstack(rx.text(tr("language.label")), rx.spacer(), language_select(), align="center"),
            width="100%",
        ),
        rx.button(tr("nav.logout"), on_click=ProfileState.log_out, color_scheme="red", variant="soft"),
        title_key="profile.title",
    )
