from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input, notice_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links
from socialshop.state.pay_pin import PIN_FORM_ID, PinSettingsState

PIN_INPUT = {"type_": "password", "input_mode": "numeric", "max_length": 6, "auto_complete": "off"}


def pin_settings_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/pin"),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("shield-check", color=rx.color("green", 9)),
                    rx.text(rx.cond(PinSettingsState.pin_is_set, tr("pinsettings.is_set"), tr("pinsettings.not_set"))),
                    align="center",
                ),
                rx.cond(
                    PinSettingsState.locked_until_label != "",
                    rx.callout(rx.text(tr("pinsettings.locked"), " ", PinSettingsState.locked_until_label),
                               icon="lock", color_scheme="amber", width="100%"),
                ),
                rx.text(tr("pin.why"), size="2", color_scheme="gray"),
                width="100%",
            ),
            width="100%",
        ),
        notice_callout(PinSettingsState.notice),
        error_callout(PinSettingsState.error),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(
                        rx.cond(PinSettingsState.pin_is_set, tr("pinsettings.change"), tr("pinsettings.choose")),
                        size="4", as_="h2",
                    ),
                    rx.cond(PinSettingsState.pin_is_set, labeled_input("pinsettings.current", "current_pin", **PIN_INPUT)),
                    labeled_input("pinsettings.new", "new_pin", **PIN_INPUT),
                    labeled_input("pinsettings.repeat", "repeat_pin", **PIN_INPUT),
                    rx.button(tr("pinsettings.save"), type="submit", width="100%", size="3"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=PinSettingsState.save,
                reset_on_submit=False,
                id=PIN_FORM_ID,
                key=PinSettingsState.form_generation,
            ),
            width="100%",
        ),
        title_key="pinsettings.title",
    )
