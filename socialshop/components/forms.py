"""Form pieces with real labels, so screen readers and role/label locators find them."""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr


def labeled_input(label_key: str, name: str, *, type_: str = "text", **props) -> rx.Component:
    input_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(tr(label_key), html_for=input_id, font_size="0.9em", font_weight="500"),
        rx.input(id=input_id, name=name, type=type_, width="100%", size="3", **props),
        spacing="1",
        width="100%",
    )


def error_callout(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


def notice_callout(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="info", color_scheme="blue", width="100%"),
    )
