"""Two sections of the Pay security page: "When to ask for the PIN" and "Passkeys".

The page (pages/pay_security.py) must run PayAuthorizationState.load on load.
"""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input, notice_callout
from socialshop.components.i18n import tr
from socialshop.state.pay_authorization import (
    PASSKEY_FORM_ID,
    POLICY_FORM_ID,
    PasskeyRow,
    PayAuthorizationState,
)

PIN_INPUT = {"type_": "password", "input_mode": "numeric", "max_length": 6, "auto_complete": "off"}
S = PayAuthorizationState


def _policy_option(value: str, label_key: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(rx.radio_group.item(value=value), rx.text(tr(label_key)), align="center"),
    )


def _policy_section() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(tr("pinpolicy.title"), size="4", as_="h2"),
                rx.text(tr("pinpolicy.intro"), size="2", color_scheme="gray"),
                rx.text(
                    rx.cond(
                        S.policy == "above",
                        rx.fragment(tr("pinpolicy.current_above"), " ", rx.text.strong(S.threshold_label), "."),
                        tr("pinpolicy.current_always"),
                    ),
                    size="2",
                    data_testid="pin-policy-now",
                ),
                rx.radio_group.root(
                    rx.vstack(
                        _policy_option("always", "pinpolicy.always"),
                        _policy_option("above", "pinpolicy.above"),
                        spacing="2",
                    ),
                    value=S.policy_choice,
                    on_change=S.choose_policy,
                    aria_label=tr("pinpolicy.title"),
                ),
                rx.cond(
                    S.policy_choice == "above",
                    rx.vstack(
                        labeled_input(
                            "pinpolicy.threshold", "threshold", input_mode="decimal", placeholder="20",
                            default_value=S.threshold_input, max_length=12,
                        ),
                        rx.text(tr("pinpolicy.threshold_hint"), size="1", color_scheme="gray"),
                        labeled_input("pinpolicy.pin", "policy_pin", **PIN_INPUT),
                        spacing="2",
                        width="100%",
                    ),
                ),
                error_callout(S.policy_error),
                notice_callout(S.policy_notice),
                rx.button(tr("pinpolicy.save"), type="submit", size="3", width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_policy,
            reset_on_submit=False,
            id=POLICY_FORM_ID,
        ),
        width="100%",
    )


def _passkey_row(row: PasskeyRow) -> rx.Component:
    return rx.hstack(
        rx.icon("fingerprint", size=20, color=rx.color("accent", 10)),
        rx.vstack(
            rx.text(row.name, weight="medium"),
            rx.text(row.detail, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.button(
            tr("passkeys.remove"),
            variant="soft",
            color_scheme="red",
            size="1",
            type="button",
            on_click=S.remove_passkey(row.id),
            aria_label=row.remove_label,
        ),
        align="center",
        width="100%",
        data_testid="passkey-row",
    )


def _passkeys_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(tr("passkeys.title"), size="4", as_="h2"),
            rx.text(tr("passkeys.intro"), size="2", color_scheme="gray"),
            rx.cond(
                S.passkeys.length() > 0,
                rx.vstack(rx.foreach(S.passkeys, _passkey_row), spacing="3", width="100%", role="list"),
                rx.text(tr("passkeys.none"), size="2"),
            ),
            error_callout(S.passkey_error),
            notice_callout(S.passkey_notice),
            rx.cond(
                S.pin_is_set,
                rx.form(
                    rx.vstack(
                        labeled_input("passkeys.name", "passkey_name", max_length=60, required=True,
                                      placeholder=tr("passkeys.name_placeholder")),
                        labeled_input("passkeys.pin", "passkey_pin", **PIN_INPUT),
                        rx.button(
                            rx.cond(
                                S.registering,
                                rx.hstack(rx.spinner(size="2"), tr("passkeys.waiting"), align="center"),
                                rx.hstack(rx.icon("plus", size=16), tr("passkeys.add"), align="center"),
                            ),
                            type="submit",
                            size="3",
                            width="100%",
                            disabled=S.registering,
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=S.start_registration,
                    reset_on_submit=False,
                    id=PASSKEY_FORM_ID,
                ),
                rx.link(tr("pinsettings.link"), href="#pin"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def authorization_sections() -> rx.Component:
    return rx.vstack(_policy_section(), _passkeys_section(), spacing="4", width="100%")
