from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import language_select, page_frame
from socialshop.components.picture_upload import picture_upload
from socialshop.services.shops import MAX_CITY_LENGTH, MAX_DESCRIPTION_LENGTH
from socialshop.state.profile import LOGO_UPLOAD_ID, ProfileState

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


def _open_field(label_key: str, name: str, control: rx.Component, hint_key: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=f"open-{name}", font_size="0.9em", font_weight="500"),
        control,
        *([rx.text(tr(hint_key), size="1", color_scheme="gray", id=f"open-{name}-hint")] if hint_key else []),
        spacing="1",
        width="100%",
    )


def open_shop_card() -> rx.Component:
    """For a shopper: open a shop (they become a merchant)."""
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("store"), rx.heading(tr("openshop.title"), size="4", as_="h2"), align="center"),
            rx.text(tr("openshop.intro"), size="2", color_scheme="gray"),
            rx.cond(
                ProfileState.opening_shop,
                _open_shop_form(),
                rx.button(rx.icon("store", size=16), tr("openshop.start"), variant="soft",
                          on_click=ProfileState.start_opening_shop),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _open_shop_form() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                _open_field(
                    "openshop.name",
                    "name",
                    rx.input(id="open-name", name="name", required=True, max_length=80, size="3",
                             width="100%", on_blur=ProfileState.suggest_slug),
                ),
                _open_field(
                    "openshop.slug",
                    "slug",
                    rx.input(id="open-slug", name="slug", value=ProfileState.open_slug,
                             on_change=ProfileState.type_slug.debounce(300), max_length=60, size="3",
                             width="100%", aria_describedby="open-slug-hint", auto_capitalize="none",
                             spell_check=False),
                    "openshop.slug_hint",
                ),
                _open_field(
                    "openshop.city",
                    "city",
                    rx.input(id="open-city", name="city", max_length=MAX_CITY_LENGTH, size="3", width="100%"),
                ),
                _open_field(
                    "openshop.description",
                    "description",
                    rx.text_area(id="open-description", name="description", rows="3",
                                 max_length=MAX_DESCRIPTION_LENGTH, width="100%"),
                ),
                spacing="3",
                width="100%",
            ),
            id="open-shop-form",
            on_submit=ProfileState.open_shop,
            reset_on_submit=False,
            width="100%",
        ),
        picture_upload(LOGO_UPLOAD_ID, "openshop.logo", ProfileState.open_logo, ProfileState.upload_logo,
                       ProfileState.remove_logo, ProfileState.reject_logo, size="64px"),
        error_callout(ProfileState.open_error),
        rx.button(tr("openshop.submit"), type="submit", form="open-shop-form", size="3"),
        spacing="3",
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
                    rx.spacer(),
                    rx.link(tr("openshop.manage"), href="/merchant"),
                    align="center",
                    wrap="wrap",
                    width="100%",
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
        rx.cond((ProfileState.shop_slug == "") & (ProfileState.user_role == "shopper"), open_shop_card()),
        rx.card(
            rx.hstack(rx.text(tr("language.label")), rx.spacer(), language_select(), align="center"),
            width="100%",
        ),
        rx.button(tr("nav.logout"), on_click=ProfileState.log_out, color_scheme="red", variant="soft", high_contrast=True),
        title_key="profile.title",
    )
