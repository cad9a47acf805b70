"""Chat pieces shared by the user's support page and the agents' view."""

from __future__ import annotations

import reflex as rx

from socialshop.components.i18n import tr
from socialshop.services.support import MessageView

STATUS_COLORS = {"assistant": "blue", "waiting": "amber", "agent": "green", "closed": "gray"}


def status_badge(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        *[(value, rx.badge(tr(f"support.status.{value}"), color_scheme=color, variant="soft")) for value, color in STATUS_COLORS.items()],
        rx.fragment(),
    )


def message_bubble(view: MessageView) -> rx.Component:
    return rx.cond(
        view.sender == "system",
        rx.text(view.text, size="1", color_scheme="gray", align="center", width="100%", data_testid="chat-system"),
        rx.box(
            rx.vstack(
                rx.text(view.author, size="1", weight="bold", color_scheme="gray"),
                rx.text(view.text, size="2", white_space="pre-wrap", overflow_wrap="anywhere"),
                rx.text(view.created_at_label, size="1", color_scheme="gray"),
                spacing="1",
            ),
            background=rx.cond(view.mine, rx.color("accent", 4), rx.color("gray", 3)),
            padding="0.6em 0.8em",
            border_radius="12px",
            max_width="85%",
            align_self=rx.cond(view.mine, "flex-end", "flex-start"),
            data_testid="chat-message",
            data_sender=view.sender,
        ),
    )


def message_list(messages: rx.Var, empty_key: str, label: rx.Var) -> rx.Component:
    return rx.el.section(
        rx.cond(
            messages.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(messages, message_bubble), spacing="3", width="100%"),
            rx.text(tr(empty_key), size="2", color_scheme="gray"),
        ),
        role="log",
        aria_live="polite",
        aria_label=label,
        width="100%",
    )


def chat_form(*, on_submit, input_id: str, label_key: str, button_key: str, placeholder_key: str, disabled=False) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.label(tr(label_key), html_for=input_id, class_name="sr-only",
                        style={"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden", "clip": "rect(0 0 0 0)"}),
            rx.input(
                id=input_id,
                name="message",
                placeholder=tr(placeholder_key),
                max_length=1000,
                auto_complete="off",
                width="100%",
                size="3",
                disabled=disabled,
            ),
            rx.button(rx.icon("send", size=16), tr(button_key), type="submit", size="3", disabled=disabled),
            width="100%",
            align="center",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )
