"""The page frame: side navigation on desktop, bottom navigation on phones."""

from __future__ import annotations

import reflex as rx

from socialshop.components.counted_icon import counted_icon
from socialshop.components.i18n import tr
from socialshop.components.notifications import notification_bell
from socialshop.state.session import SessionState
from socialshop.state.shopping import ShopperState

NAV_ITEMS = (
    ("nav.feed", "/", "house"),
    ("nav.shop", "/shops", "store"),
    ("nav.pay", "/pay", "wallet"),
    ("nav.profile", "/profile", "user"),
)

# Shown to merchants only, after the others.
MERCHANT_NAV_ITEM = ("nav.your_shop", "/merchant", "briefcase")

# A logged-out visitor of a public page (shops, storefronts, products): no private links,
# and "Log in" / "Sign up" that come back to the page being read.
PUBLIC_NAV_ITEMS = (
    ("nav.shop", "/shops", "store"),
    ("nav.login", "/login?next=", "log-in"),
    ("nav.signup", "/signup?next=", "user-plus"),
)


def _public_href(href: str) -> rx.Var | str:
    return href + SessionState.return_path if href.endswith("?next=") else href

# Reflex breakpoints: index 2 is >= 48em (768px), where the side navigation takes over.
PHONE_ONLY = ["flex", "flex", "none"]
DESKTOP_ONLY = ["none", "none", "flex"]


def language_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=tr("language.label"), variant="ghost"),
        rx.select.content(
            rx.select.item("English", value="en"),
            rx.select.item("Italiano", value="it"),
        ),
        value=SessionState.lang,
        on_change=SessionState.set_language,
        size="1",
    )


def color_mode_toggle() -> rx.Component:
    return rx.icon_button(
        rx.color_mode_cond(light=rx.icon("moon"), dark=rx.icon("sun")),
        on_click=rx.toggle_color_mode,
        variant="ghost",
        aria_label=tr("theme.toggle"),
        title=tr("theme.toggle"),
    )


def cart_link() -> rx.Component:
    """The cart icon with the number of units in it; refreshed whenever a page mounts."""
    return rx.link(
        counted_icon(
            "shopping-cart",
            shown=ShopperState.cart_count > 0,
            label=ShopperState.cart_badge_label,
            test_id="cart-count",
        ),
        href="/cart",
        aria_label=tr("nav.cart"),
        title=tr("nav.cart"),
        color=rx.color("gray", 12),
        padding="0.3em 0.6em 0.3em 0.3em",
        on_mount=ShopperState.refresh_cart_count,
    )


def top_bar() -> rx.Component:
    return rx.el.header(rx.hstack(
        rx.link(
            rx.hstack(
                rx.icon("shopping-bag", size=22),
                # The name would push the bar's buttons off a phone screen: icon only there.
                rx.text(tr("app.name"), size="5", weight="bold", display=rx.breakpoints(initial="none", xs="block")),
            ),
            href="/",
            underline="none",
            color=rx.color("accent", 11),
            aria_label=tr("app.name"),
        ),
        rx.spacer(),
        language_select(),
        color_mode_toggle(),
        rx.cond(SessionState.is_logged_in, notification_bell()),
        rx.cond(SessionState.is_logged_in, cart_link()),
        rx.cond(
            SessionState.is_logged_in,
            rx.button(tr("nav.logout"), on_click=SessionState.log_out, variant="soft", size="1"),
        ),
            align="center",
            width="100%",
            padding_x="1em",
            padding_y="0.6em",
        ),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        # As tall before the session loads as after (the bell and cart of a logged-in
        # visitor are taller): else the whole page jumps down once it loads (CLS).
        min_height="50px",
        display="flex",
        align_items="center",
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


def _side_link(key: str, href: str | rx.Var, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=20), rx.text(tr(key), size="3"), align="center"),
        href=href,
        underline="none",
        color=rx.color("gray", 12),
        padding="0.6em 0.8em",
        border_radius="8px",
        _hover={"background": rx.color("accent", 3)},
        width="100%",
    )


def side_nav() -> rx.Component:
    return rx.el.nav(
        rx.cond(
            SessionState.is_logged_out,
            rx.vstack(
                *[_side_link(key, _public_href(href), icon) for key, href, icon in PUBLIC_NAV_ITEMS],
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                *[_side_link(*item) for item in NAV_ITEMS],
                rx.cond(SessionState.user_role == "merchant", _side_link(*MERCHANT_NAV_ITEM)),
                spacing="1",
                width="100%",
            ),
        ),
        aria_label=tr("nav.main"),
        display=DESKTOP_ONLY,
        width="220px",
        flex_shrink="0",
        padding="1em",
        position="sticky",
        top="56px",
        align_self="flex-start",
    )


def _bottom_link(key: str, href: str | rx.Var, icon: str) -> rx.Component:
    return rx.link(
        rx.vstack(rx.icon(icon, size=22), rx.text(tr(key), size="1"), align="center", spacing="0"),
        href=href,
        underline="none",
        color=rx.color("gray", 12),
        flex="1",
        padding_y="0.4em",
    )


def bottom_nav() -> rx.Component:
    return rx.el.nav(
        rx.cond(
            SessionState.is_logged_out,
            rx.hstack(
                *[_bottom_link(key, _public_href(href), icon) for key, href, icon in PUBLIC_NAV_ITEMS],
                width="100%",
                spacing="0",
            ),
            rx.hstack(
                *[_bottom_link(*item) for item in NAV_ITEMS],
                rx.cond(SessionState.user_role == "merchant", _bottom_link(*MERCHANT_NAV_ITEM)),
                width="100%",
                spacing="0",
            ),
        ),
        aria_label=tr("nav.main"),
        display=PHONE_ONLY,
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        background=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 5)}",
        z_index="10",
    )


def _inert_until_loaded() -> dict:
    """A full load or a websocket reconnect shows the state's last snapshot first and runs the
    page's on_load after it: a tap in between (a box ticked, a switch flipped) would be undone
    by that load. Reflex sets is_hydrated once the page's on_load handlers have run; until
    then the content takes no input (a typed value stays, the tap waits)."""
    loading = ~rx.State.is_hydrated
    return {"custom_attrs": {"inert": loading, "aria-busy": rx.cond(loading, "true", "false")}}


def page_frame(*children: rx.Component, title_key: str | None = None) -> rx.Component:
    """A page: top bar, navigation and a centred column of content (the navigation of a
    logged-out visitor on a public page offers Shops, Log in and Sign up)."""
    return rx.box(
        top_bar(),
        rx.hstack(
            side_nav(),
            rx.el.main(
                rx.vstack(
                    *([rx.heading(tr(title_key), size="6", as_="h1")] if title_key else []),
                    *children,
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                max_width="680px",
                padding="1em",
                padding_bottom=["88px", "88px", "2em"],
                **_inert_until_loaded(),
            ),
            align="start",
            justify="center",
            width="100%",
            spacing="0",
        ),
        bottom_nav(),
        min_height="100vh",
        background=rx.color("gray", 2),
    )


def auth_frame(*children: rx.Component) -> rx.Component:
    """Login and sign-up: a single card, no navigation."""
    return rx.center(
        rx.vstack(
            rx.hstack(rx.spacer(), language_select(), color_mode_toggle(), width="100%"),
            rx.card(rx.vstack(*children, spacing="4", width="100%"), width="100%", size="3",
                    **_inert_until_loaded()),
            width="100%",
            max_width="420px",
            spacing="3",
        ),
        min_height="100vh",
        padding="1em",
        background=rx.color("gray", 2),
    )
