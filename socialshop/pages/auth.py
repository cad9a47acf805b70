from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input, notice_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import auth_frame
from socialshop.state.auth import AuthState


def login_page() -> rx.Component:
    return auth_frame(
        rx.heading(tr("login.title"), size="6", as_="h1"),
        rx.text(tr("login.subtitle"), color_scheme="gray"),
        notice_callout(AuthState.notice),
        error_callout(AuthState.error),
        rx.form(
            rx.vstack(
                labeled_input("field.email", "email", type_="email", auto_complete="username", required=True),
                labeled_input(
                    "field.password", "password", type_="password", auto_complete="current-password", required=True
                ),
                rx.button(tr("login.submit"), type="submit", size="3", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthState.log_in,
            width="100%",
        ),
        rx.hstack(
            rx.text(tr("login.no_account")),
            rx.link(tr("login.create_account"), href="/signup" + AuthState.next_query),
            spacing="2",
        ),
    )


def signup_page() -> rx.Component:
    return auth_frame(
        rx.heading(tr("signup.title"), size="6", as_="h1"),
        error_callout(AuthState.error),
        rx.form(
            rx.vstack(
                labeled_input("field.display_name", "display_name", auto_complete="name", required=True),
                labeled_input("field.email", "email", type_="email", auto_complete="email", required=True),
                labeled_input("field.phone", "phone", type_="tel", auto_complete="tel"),
                labeled_input(
                    "field.password", "password", type_="password", auto_complete="new-password", required=True
                ),
                rx.text(tr("signup.password_hint"), size="1", color_scheme="gray"),
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(checked=AuthState.wants_shop, on_change=AuthState.set_wants_shop),
                        rx.text(tr("signup.merchant")),
                        align="center",
                    ),
                ),
                rx.cond(AuthState.wants_shop, labeled_input("signup.shop_name", "shop_name")),
                rx.button(tr("signup.submit"), type="submit", size="3", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=AuthState.sign_up,
            width="100%",
        ),
        rx.hstack(
            rx.text(tr("signup.have_account")),
            rx.link(tr("nav.login"), href="/login" + AuthState.next_query),
            spacing="2",
        ),
    )
