from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr
from socialshop.components.layout import language_select, page_frame
from socialshop.state.profile import ProfileState

HUB_LINKS = (
    ("nav.orders", "/orders", "package"),
    ("nav.saved", "/saved", "bookmark"),
    ("nav.cart", "/cart", "shopping-cart"),
    ("payhistory.title", "/pay/history", "history"),
    ("passkeys.settings_title", "/pay/security", "shield"),
    ("payapps.title", "/pay/apps", "toggle-right"),
    ("transfer.title", "/messenger/money", "send"),
)


def _hub_link(key: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(tr(key)), rx.spacer(), rx.icon("chevron-right", size=16),
                  align="center", width="100%"),
        href=href,
        underline="none",
        color=rx.color("gray", 12),
        padding="0.5em 0.25em",
        width="100%",
    )


def profile_page() -> rx.Component:
    return page_frame(
        rx.card(
            rx.hstack(
                rx.avatar(fallback=ProfileState.user_initial, size="5", radius="full"),
                rx.vstack(
                    rx.heading(ProfileState.user_display_name, size="5"),
                    rx.cond(ProfileState.handle != "", rx.text(ProfileState.handle, weight="medium")),
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
            rx.el.nav(
                rx.vstack(*[_hub_link(*item) for item in HUB_LINKS], spacing="1", width="100%"),
                aria_label=tr("profile.your_things"),
            ),
            width="100%",
        ),
        rx.card(
            rx.hstack(rx.text(tr("language.label")), rx.spacer(), language_select(), align="center"),
            width="100%",
        ),
        rx.button(tr("nav.logout"), on_click=ProfileState.log_out, color_scheme="red", variant="soft", high_contrast=True),
        title_key="profile.title",
    )
