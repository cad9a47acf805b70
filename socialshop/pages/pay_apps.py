"""/pay/apps: Pay switched on or off for each app (or all at once), and a monthly limit per app."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links
from socialshop.components.posts import APP_ICONS
from socialshop.models import AppSurface
from socialshop.pages.shop_cart import success_callout
from socialshop.state.pay_apps import PayAppsState


def _app_name(app) -> rx.Component:
    return rx.match(app, *[(a.value, tr(f"app.{a.value}")) for a in AppSurface], app)


def _limit_form(switch) -> rx.Component:
    input_id = "pay-limit-" + switch.app
    error = PayAppsState.limit_errors.get(switch.app, "")
    return rx.form(
        rx.vstack(
            rx.el.label(
                tr("payapps.limit_label"), " ", _app_name(switch.app),
                html_for=input_id, font_size="0.9em", font_weight="500",
            ),
            rx.hstack(
                rx.input(
                    id=input_id,
                    name="limit",
                    default_value=switch.limit_text,
                    input_mode="decimal",
                    placeholder=tr("payapps.no_limit"),
                    # A fresh input when the stored limit changes (default_value is read once).
                    key=switch.app + ":" + switch.limit_text,
                    size="2",
                    flex="1",
                    aria_invalid=rx.cond(error != "", "true", "false"),
                ),
                rx.el.input(type="hidden", name="app", value=switch.app),
                rx.button(tr("payapps.save_limit"), type="submit", size="2", variant="soft"),
                width="100%",
                align="center",
            ),
            rx.cond(error != "", rx.text(error, size="2", color_scheme="red", role="alert")),
            rx.text(
                rx.cond(
                    switch.limit_label != "",
                    rx.fragment(tr("payapps.spent_of"), " ", switch.spent_label, " / ", switch.limit_label),
                    rx.fragment(tr("payapps.spent"), " ", switch.spent_label),
                ),
                size="1",
                color_scheme="gray",
            ),
            spacing="1",
            width="100%",
        ),
        on_submit=PayAppsState.save_limit,
        reset_on_submit=False,
        width="100%",
    )


def _app_row(switch) -> rx.Component:
    switch_id = "pay-app-" + switch.app
    return rx.vstack(
        rx.hstack(
            rx.match(
                switch.app,
                *[(app, rx.icon(icon, size=20)) for app, icon in APP_ICONS.items()],
                rx.icon("app-window", size=20),
            ),
            rx.el.label(_app_name(switch.app), html_for=switch_id, font_weight="500", flex="1"),
            rx.text(
                rx.cond(switch.enabled, tr("payapps.on"), tr("payapps.off")),
                size="1",
                color_scheme="gray",
                aria_hidden="true",
            ),
            rx.switch(
                id=switch_id,
                checked=switch.enabled,
                on_change=PayAppsState.set_app_enabled(switch.app),
                size="3",
            ),
            align="center",
            spacing="3",
            width="100%",
        ),
        _limit_form(switch),
        spacing="2",
        width="100%",
        padding_y="0.75em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _all_apps_row() -> rx.Component:
    return rx.hstack(
        rx.icon("layers", size=20),
        rx.el.label(tr("payapps.all"), html_for="pay-app-all", font_weight="600", flex="1"),
        rx.switch(
            id="pay-app-all",
            checked=PayAppsState.all_enabled,
            on_change=PayAppsState.set_all_enabled,
            size="3",
        ),
        align="center",
        spacing="3",
        width="100%",
        padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def pay_apps_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/apps"),
        rx.text(tr("payapps.explain"), color_scheme="gray"),
        error_callout(PayAppsState.apps_error),
        success_callout(PayAppsState.apps_notice),
        rx.card(
            rx.vstack(
                _all_apps_row(),
                rx.foreach(PayAppsState.switches, _app_row),
                spacing="0",
                width="100%",
            ),
            width="100%",
        ),
        rx.text(tr("payapps.limit_explain"), size="1", color_scheme="gray"),
        title_key="payapps.title",
    )
