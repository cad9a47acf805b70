"""Payment inputs shared by checkout and the Pay hub: the add-card form and the PIN field.

Both take the state vars to show their messages, so any state can host them; the
card number and CVC are sent once with the form and never kept in a state var.
"""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr

# Payment states clear this field by id after each attempt.
PIN_FIELD_ID = "field-pin"


def _field_error(message: rx.Var, field_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, id=f"{field_id}-error", color_scheme="red", size="2", role="alert"),
    )


def _card_input(label_key: str, name: str, error: rx.Var, **props) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=field_id, font_size="0.9em", font_weight="500"),
        rx.input(
            id=field_id,
            name=name,
            size="3",
            width="100%",
            aria_invalid=rx.cond(error != "", "true", "false"),
            aria_describedby=f"{field_id}-error",
            **props,
        ),
        _field_error(error, field_id),
        spacing="1",
        width="100%",
    )


def card_form(errors: rx.Var) -> rx.Component:
    """Fields card_number, card_expiry (MM/YY), card_cvc, card_name; `errors` maps field -> message."""
    return rx.vstack(
        _card_input(
            "card.number", "card_number", errors["number"],
            input_mode="numeric", auto_complete="cc-number", placeholder="4242 4242 4242 4242", max_length=23,
        ),
        rx.hstack(
            _card_input(
                "card.expiry", "card_expiry", errors["expiry"],
                auto_complete="cc-exp", placeholder="MM/YY", max_length=7,
            ),
            _card_input(
                "card.cvc", "card_cvc", errors["cvc"],
                input_mode="numeric", auto_complete="cc-csc", placeholder="123", max_length=4,
            ),
            width="100%",
            align="start",
        ),
        _card_input("card.holder", "card_name", errors["holder_name"], auto_complete="cc-name"),
        rx.text(tr("card.never_stored"), size="1", color_scheme="gray"),
        spacing="3",
        width="100%",
    )


def pin_field(error: rx.Var, has_pin: rx.Var | bool = True, label_key: str = "pin.label") -> rx.Component:
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=PIN_FIELD_ID, font_size="0.9em", font_weight="500"),
        rx.input(
            id=PIN_FIELD_ID,
            name="pin",
            type="password",
            input_mode="numeric",
            auto_complete="off",
            max_length=6,
            size="3",
            width="10em",
            aria_describedby=f"{PIN_FIELD_ID}-error",
        ),
        _field_error(error, PIN_FIELD_ID),
        rx.cond(has_pin, rx.fragment(), rx.link(tr("pinsettings.link"), href="/pay/security")),
        spacing="1",
    )


def confirming_notice(late: rx.Var) -> rx.Component:
    """A payment whose outcome is being looked up: never a decline, never "nothing charged"."""
    return rx.card(
        rx.vstack(
            rx.spinner(size="3"),
            rx.heading(tr("checkout.confirming_title"), size="6", as_="h2"),
            rx.text(tr("checkout.confirming_body")),
            rx.cond(late, rx.text(tr("checkout.confirming_later"), color_scheme="gray")),
            rx.link(tr("checkout.see_payments"), href="/pay/history"),
            align="center",
            spacing="3",
            width="100%",
            role="status",
            aria_live="polite",
        ),
        width="100%",
    )
