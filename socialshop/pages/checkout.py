from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.passkey_confirm import passkey_confirm
from socialshop.components.payment_form import card_form, confirming_notice, pin_field
from socialshop.components.posts import app_badge
from socialshop.state.checkout import NEW_ADDRESS, NEW_CARD, CheckoutState


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(
                    rx.cond(CheckoutState.mode == "donation", tr("checkout.donation_to"), tr("checkout.summary")),
                    size="4",
                    as_="h2",
                ),
                rx.spacer(),
                app_badge(CheckoutState.app),
                width="100%",
                align="center",
            ),
            rx.foreach(
                CheckoutState.lines,
                lambda line: rx.hstack(
                    rx.vstack(
                        rx.text(line.title, weight="medium"),
                        rx.text(line.detail, size="2", color_scheme="gray"),
                        spacing="0",
                    ),
                    rx.spacer(),
                    rx.text(line.amount_label, weight="medium"),
                    width="100%",
                ),
            ),
            rx.cond(
                CheckoutState.total_label != "",
                rx.hstack(
                    rx.text(tr("checkout.total"), weight="bold"),
                    rx.spacer(),
                    rx.text(CheckoutState.total_label, weight="bold", size="5", data_testid="checkout-total"),
                    width="100%",
                    border_top=f"1px solid {rx.color('gray', 5)}",
                    padding_top="0.5em",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _new_address_form() -> rx.Component:
    return rx.vstack(
        labeled_input("ship.name", "ship_name", default_value=CheckoutState.shipping["name"],
                      auto_complete="shipping name", required=True),
        labeled_input("ship.line1", "ship_line1", default_value=CheckoutState.shipping["line1"],
                      auto_complete="shipping address-line1", required=True),
        rx.hstack(
            labeled_input("ship.postal_code", "ship_postal_code",
                          default_value=CheckoutState.shipping["postal_code"],
                          auto_complete="shipping postal-code", required=True),
            labeled_input("ship.city", "ship_city", default_value=CheckoutState.shipping["city"],
                          auto_complete="shipping address-level2", required=True),
            width="100%",
        ),
        labeled_input("ship.country", "ship_country", default_value=CheckoutState.shipping["country"],
                      auto_complete="shipping country", max_length=2, required=True),
        rx.el.label(
            rx.hstack(rx.checkbox(name="save_address"), rx.text(tr("contact.save_address")),
                      align="center", spacing="2"),
        ),
        spacing="3",
        width="100%",
    )


def _shipping() -> rx.Component:
    """The saved addresses (default preselected) with "a new address" that shows the form."""
    return rx.cond(
        CheckoutState.needs_shipping,
        rx.card(
            rx.vstack(
                rx.heading(tr("checkout.shipping"), size="4", as_="h2"),
                rx.cond(
                    CheckoutState.addresses.length() > 0,
                    rx.radio_group.root(
                        rx.vstack(
                            rx.foreach(
                                CheckoutState.addresses,
                                lambda address: rx.el.label(
                                    rx.hstack(rx.radio_group.item(value=address.id), rx.icon("map-pin", size=16),
                                              rx.text(address.label), align="center"),
                                ),
                            ),
                            rx.el.label(
                                rx.hstack(rx.radio_group.item(value=NEW_ADDRESS), rx.icon("plus", size=16),
                                          rx.text(tr("contact.new_address")), align="center"),
                            ),
                            spacing="2",
                        ),
                        value=CheckoutState.selected_address,
                        on_change=CheckoutState.choose_address,
                        aria_label=tr("contact.ship_to"),
                    ),
                ),
                rx.cond(CheckoutState.selected_address == NEW_ADDRESS, _new_address_form()),
                rx.link(tr("contact.manage_addresses"), href="/pay/contact", size="2"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _method_choice() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("checkout.pay_with"), size="4", as_="h2"),
            rx.radio_group.root(
                rx.vstack(
                    rx.foreach(
                        CheckoutState.methods,
                        lambda method: rx.el.label(
                            rx.hstack(rx.radio_group.item(value=method.id), rx.icon("credit-card", size=16),
                                      rx.text(method.label), align="center"),
                        ),
                    ),
                    rx.el.label(
                        rx.hstack(rx.radio_group.item(value=NEW_CARD), rx.icon("plus", size=16),
                                  rx.text(tr("checkout.new_card")), align="center"),
                    ),
                    spacing="2",
                ),
                value=CheckoutState.selected_method,
                on_change=CheckoutState.choose_method,
                aria_label=tr("checkout.pay_with"),
            ),
            rx.cond(CheckoutState.selected_method == NEW_CARD, card_form(CheckoutState.card_errors)),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _donation_amount() -> rx.Component:
    return rx.cond(
        CheckoutState.mode == "donation",
        rx.card(
            rx.vstack(
                labeled_input("donate.amount", "amount", input_mode="decimal", placeholder="10", required=True),
                rx.text(tr("donate.range"), size="1", color_scheme="gray"),
                width="100%",
            ),
            width="100%",
        ),
    )


def _error_link() -> rx.Component:
    """Where to change the setting that refused this payment (the error names it)."""
    return rx.cond(
        CheckoutState.error_link != "",
        rx.link(rx.hstack(rx.icon("settings", size=16), tr("checkout.change_settings"), align="center"),
                href=CheckoutState.error_link, data_testid="error-link"),
    )


def _pay_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _summary(),
            _donation_amount(),
            _shipping(),
            _method_choice(),
            rx.card(
                rx.vstack(
                    pin_field(CheckoutState.pin_error, CheckoutState.has_pin),
                    passkey_confirm(CheckoutState),
                    rx.text(tr("pin.why"), size="1", color_scheme="gray"),
                    width="100%",
                ),
                width="100%",
            ),
            error_callout(CheckoutState.error),
            _error_link(),
            rx.button(
                rx.cond(
                    CheckoutState.status == "processing",
                    rx.hstack(rx.spinner(size="2"), tr("checkout.paying")),
                    rx.hstack(rx.icon("lock", size=16), tr("checkout.pay"), CheckoutState.total_label,
                              spacing="2", align="center"),
                ),
                type="submit",
                size="4",
                width="100%",
                disabled=CheckoutState.busy,
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=CheckoutState.pay,
        reset_on_submit=False,
        width="100%",
    )


def _success() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("circle-check", size=48, color=rx.color("green", 9)),
            rx.heading(tr("checkout.already_paid"), size="6", as_="h2"),
            rx.text(tr("checkout.paid_amount"), " ", rx.text.strong(CheckoutState.paid_label)),
            rx.cond(
                CheckoutState.order_numbers.length() > 0,
                rx.vstack(
                    rx.text(tr("checkout.order_numbers")),
                    rx.foreach(CheckoutState.order_numbers,
                               lambda number: rx.code(number, size="4", data_testid="order-number")),
                    align="center",
                ),
            ),
            rx.hstack(
                rx.cond(
                    CheckoutState.mode == "donation",
                    rx.link(rx.button(tr("checkout.back_to_feed"), variant="soft"), href="/"),
                    rx.link(rx.button(tr("checkout.see_orders")), href="/orders"),
                ),
                rx.link(rx.button(tr("checkout.see_payments"), variant="soft"), href="/pay/history"),
                spacing="3",
                wrap="wrap",
                justify="center",
            ),
            align="center",
            spacing="3",
            width="100%",
            role="status",
        ),
        width="100%",
        data_testid="payment-result",
        custom_attrs={"data-entry": CheckoutState.paid_entry},
    )


def _failed() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("circle-x", size=48, color=rx.color("red", 9)),
            rx.heading(tr("checkout.failed"), size="6", as_="h2"),
            error_callout(CheckoutState.error),
            rx.text(tr("checkout.nothing_charged")),
            rx.button(tr("checkout.try_again"), on_click=CheckoutState.try_again),
            align="center",
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def checkout_page() -> rx.Component:
    return page_frame(
        rx.heading(tr("checkout.title"), size="6", as_="h1"),
        rx.match(
            CheckoutState.status,
            ("succeeded", _success()),
            ("failed", _failed()),
            ("confirming", confirming_notice(CheckoutState.confirming_late)),
            ("empty", rx.vstack(error_callout(CheckoutState.error), _error_link(),
                                rx.link(tr("checkout.back_to_feed"), href="/"), width="100%")),
            ("loading", rx.center(rx.spinner(size="3"), width="100%", padding="2em")),
            _pay_form(),
        ),
    )
