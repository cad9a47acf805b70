"""/pay/contact: email, phone and shipping addresses with a default."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links
from socialshop.pages.shop_cart import success_callout
from socialshop.state.pay_contact import NEW, PayContactState


def _field(label_key: str, name: str, error: rx.Var, **props) -> rx.Component:
    """An input with its label and its own error message under it."""
    input_id = f"contact-{name}"
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=input_id, font_size="0.9em", font_weight="500"),
        rx.input(
            id=input_id, name=name, width="100%", size="3",
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=input_id + "-error",
            **props,
        ),
        rx.cond(error != "", rx.text(error, id=input_id + "-error", size="2", color_scheme="red")),
        spacing="1",
        width="100%",
    )


def _one_field_form(label_key: str, name: str, value: rx.Var, error: rx.Var, on_submit, **props) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(_field(label_key, name, error, default_value=value, key=value, **props), flex="1"),
            rx.button(tr("contact.save"), type="submit", size="3", variant="soft"),
            align="end",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def _details() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("contact.details"), size="4", as_="h2"),
            _one_field_form("contact.email", "email", PayContactState.email, PayContactState.email_error,
                            PayContactState.save_email, type="email", auto_complete="email", max_length=254),
            _one_field_form("contact.phone", "phone", PayContactState.phone, PayContactState.phone_error,
                            PayContactState.save_phone, type="tel", auto_complete="tel", max_length=32),
            rx.text(tr("contact.phone_hint"), size="1", color_scheme="gray"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _address_form() -> rx.Component:
    errors = PayContactState.address_errors
    fields = PayContactState.edit_fields
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(
                    rx.cond(PayContactState.editing == NEW, tr("contact.add_address"), tr("contact.edit_address")),
                    size="4", as_="h2",
                ),
                _field("ship.name", "name", errors["name"], default_value=fields["name"],
                       auto_complete="shipping name", max_length=120),
                _field("ship.line1", "line1", errors["line1"], default_value=fields["line1"],
                       auto_complete="shipping address-line1", max_length=200),
                rx.hstack(
                    _field("ship.postal_code", "postal_code", errors["postal_code"],
                           default_value=fields["postal_code"], auto_complete="shipping postal-code", max_length=20),
                    _field("ship.city", "city", errors["city"], default_value=fields["city"],
                           auto_complete="shipping address-level2", max_length=100),
                    width="100%",
                ),
                _field("ship.country", "country", errors["country"], default_value=fields["country"],
                       auto_complete="shipping country", max_length=2),
                rx.hstack(
                    rx.button(tr("contact.save"), type="submit", size="3"),
                    rx.button(tr("contact.cancel"), type="button", size="3", variant="soft", color_scheme="gray",
                              on_click=PayContactState.cancel_edit),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=PayContactState.save_address,
            reset_on_submit=False,
            # A fresh form (with its default values) for each address opened.
            key=PayContactState.editing,
            width="100%",
        ),
        width="100%",
        data_testid="address-form",
    )


def _address_row(address) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("map-pin", size=18),
            rx.vstack(
                rx.hstack(
                    rx.text(address.name, weight="medium"),
                    rx.cond(address.is_default,
                            rx.badge(tr("contact.default"), color_scheme="green", variant="soft",
                                     data_testid="default-badge")),
                    align="center",
                    wrap="wrap",
                ),
                rx.text(address.line1, size="2"),
                rx.text(address.postal_code, " ", address.city, " (", address.country, ")", size="2"),
                spacing="0",
                flex="1",
                min_width="0",
            ),
            align="start",
            width="100%",
        ),
        rx.hstack(
            rx.cond(
                ~address.is_default,
                rx.button(tr("contact.make_default"), size="1", variant="soft",
                          on_click=PayContactState.make_default(address.id)),
            ),
            rx.button(tr("contact.edit"), size="1", variant="soft", color_scheme="gray",
                      on_click=PayContactState.start_edit(address.id)),
            rx.button(tr("contact.remove"), size="1", variant="soft", color_scheme="red",
                      on_click=PayContactState.remove_address(address.id)),
            spacing="2",
            wrap="wrap",
            padding_top="0.5em",
            padding_left="26px",
        ),
        width="100%",
        padding_y="0.6em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        role="listitem",
        data_testid="address",
    )


def _addresses() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(tr("contact.addresses"), size="4", as_="h2"),
                rx.spacer(),
                rx.button(rx.icon("plus", size=16), tr("contact.add_address"), size="2",
                          on_click=PayContactState.start_add),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.cond(
                PayContactState.addresses.length() > 0,
                rx.vstack(rx.foreach(PayContactState.addresses, _address_row), spacing="0", width="100%",
                          role="list"),
                rx.text(tr("contact.no_addresses"), color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def pay_contact_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/contact"),
        error_callout(PayContactState.contact_error),
        success_callout(PayContactState.contact_notice),
        rx.cond(
            PayContactState.contact_loaded,
            rx.vstack(
                _details(),
                rx.cond(PayContactState.editing != "", _address_form()),
                _addresses(),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="2em"),
        ),
        title_key="contact.title",
    )
