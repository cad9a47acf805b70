"""/pay/methods: saved cards and PayPal; add, make default, remove (with the Pay PIN)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links
from socialshop.components.payment_form import card_form
from socialshop.pages.shop_cart import success_callout
from socialshop.state.pay_methods import CARD_FORM_ID, PAYPAL_FORM_ID, REMOVE_FORM_ID, PayMethodsState


def _pin_input(field_id: str, error: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.el.label(tr("methods.pin"), html_for=field_id, font_size="0.9em", font_weight="500"),
        rx.input(
            id=field_id,
            name="pin",
            type="password",
            input_mode="numeric",
            auto_complete="off",
            max_length=6,
            size="3",
            width="10em",
            aria_describedby=f"{field_id}-error",
        ),
        rx.cond(error != "", rx.text(error, id=f"{field_id}-error", color_scheme="red", size="2", role="alert")),
        spacing="1",
    )


def _default_checkbox(field_id: str) -> rx.Component:
    return rx.hstack(
        rx.el.input(type="checkbox", id=field_id, name="make_default", style={"width": "1.1em", "height": "1.1em"}),
        rx.el.label(tr("methods.as_default"), html_for=field_id),
        align="center",
        spacing="2",
    )


def _method_row(row) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.cond(
                row.kind == "paypal",
                rx.icon("wallet", size=22, aria_hidden="true"),
                rx.icon("credit-card", size=22, aria_hidden="true"),
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(row.brand, weight="bold"),
                    rx.text(row.detail),
                    rx.cond(row.is_default, rx.badge(tr("methods.default"), color_scheme="green", variant="soft")),
                    rx.cond(row.expired, rx.badge(tr("methods.expired"), color_scheme="red", variant="soft", high_contrast=True)),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    row.expiry != "",
                    rx.text(
                        rx.cond(row.expired, tr("methods.expired"), tr("methods.expires")), " ", row.expiry,
                        size="2", color_scheme=rx.cond(row.expired, "red", "gray"),
                    ),
                ),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            align="start",
            spacing="3",
            width="100%",
        ),
        rx.hstack(
            rx.cond(
                row.is_default | row.expired,
                rx.fragment(),
                rx.button(
                    tr("methods.make_default"), on_click=PayMethodsState.make_default(row.id),
                    variant="soft", size="2", disabled=PayMethodsState.busy,
                ),
            ),
            rx.button(
                rx.icon("trash-2", size=14), tr("methods.remove"),
                on_click=PayMethodsState.ask_remove(row.id),
                variant="soft", color_scheme="red", size="2", disabled=PayMethodsState.busy,
            ),
            justify="end",
            spacing="2",
            width="100%",
            padding_top="0.5em",
        ),
        padding_y="0.75em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        list_style="none",
        style={"&:last-child": {"border_bottom": "none"}},
    )


def _method_list() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("methods.saved"), size="4", as_="h2"),
            rx.cond(
                PayMethodsState.method_count > 0,
                rx.el.ul(rx.foreach(PayMethodsState.methods, _method_row), padding="0", margin="0", width="100%"),
                rx.text(tr("methods.empty"), color_scheme="gray"),
            ),
            rx.cond(
                PayMethodsState.has_expired,
                rx.text(tr("methods.expired_hint"), size="2", color_scheme="red"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _add_buttons() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("plus", size=16), tr("methods.add_card"),
            on_click=PayMethodsState.show_form("card"),
            variant=rx.cond(PayMethodsState.open_form == "card", "solid", "outline"),
            aria_expanded=rx.cond(PayMethodsState.open_form == "card", "true", "false"),
            size="3", flex="1",
        ),
        rx.button(
            rx.icon("wallet", size=16), tr("methods.add_paypal"),
            on_click=PayMethodsState.show_form("paypal"),
            variant=rx.cond(PayMethodsState.open_form == "paypal", "solid", "outline"),
            aria_expanded=rx.cond(PayMethodsState.open_form == "paypal", "true", "false"),
            size="3", flex="1",
        ),
        spacing="3",
        width="100%",
    )


def _card_add_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(tr("methods.add_card"), size="4", as_="h2"),
                error_callout(PayMethodsState.form_error),
                card_form(PayMethodsState.card_errors),
                _default_checkbox("methods-card-default"),
                _pin_input("methods-card-pin", PayMethodsState.pin_error),
                rx.button(
                    tr("methods.save_card"), type="submit", size="3", width="100%", loading=PayMethodsState.busy,
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=PayMethodsState.add_card,
            reset_on_submit=False,
            id=CARD_FORM_ID,
            auto_complete="off",
        ),
        width="100%",
    )


def _paypal_add_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(tr("methods.add_paypal"), size="4", as_="h2"),
                error_callout(PayMethodsState.form_error),
                # Text, not type=email: the browser's own check would block the form before our message.
                labeled_input("methods.paypal_email", "paypal_email", input_mode="email", auto_complete="email"),
                rx.text(tr("methods.paypal_hint"), size="1", color_scheme="gray"),
                _default_checkbox("methods-paypal-default"),
                _pin_input("methods-paypal-pin", PayMethodsState.pin_error),
                rx.button(
                    tr("methods.save_paypal"), type="submit", size="3", width="100%", loading=PayMethodsState.busy,
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=PayMethodsState.add_paypal,
            reset_on_submit=False,
            id=PAYPAL_FORM_ID,
        ),
        width="100%",
    )


def _remove_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("methods.confirm_title")),
            rx.text(PayMethodsState.confirm_label, weight="bold"),
            rx.alert_dialog.description(tr("methods.confirm_body"), size="2"),
            rx.form(
                rx.vstack(
                    _pin_input("methods-remove-pin", PayMethodsState.remove_error),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button(tr("methods.cancel"), variant="soft", color_scheme="gray", type="button"),
                        ),
                        # high_contrast: white on Radix's red 9 fails WCAG contrast.
                        rx.button(
                            tr("methods.confirm_remove"), type="submit", color_scheme="red", high_contrast=True,
                            loading=PayMethodsState.busy,
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="1em",
                    width="100%",
                ),
                on_submit=PayMethodsState.remove,
                reset_on_submit=False,
                id=REMOVE_FORM_ID,
            ),
            max_width="420px",
        ),
        open=PayMethodsState.confirm_id != "",
        on_open_change=PayMethodsState.dialog_open_change,
    )


def pay_methods_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/methods"),
        rx.text(tr("methods.explain"), color_scheme="gray"),
        rx.cond(
            PayMethodsState.has_pin,
            rx.fragment(),
            rx.callout(
                rx.text(tr("methods.no_pin"), " ", rx.link(tr("pinsettings.link"), href="/pay/security")),
                icon="key-round", color_scheme="amber", width="100%",
            ),
        ),
        success_callout(PayMethodsState.notice),
        error_callout(PayMethodsState.error),
        _method_list(),
        _add_buttons(),
        rx.match(
            PayMethodsState.open_form,
            ("card", _card_add_form()),
            ("paypal", _paypal_add_form()),
            rx.fragment(),
        ),
        _remove_dialog(),
        title_key="methods.title",
    )
