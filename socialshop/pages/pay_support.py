"""/pay/support: chat with the assistant, then a person."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.pay_nav import pay_links
from socialshop.components.support_chat import chat_form, message_list, status_badge
from socialshop.state.pay_support import POLL_INTERVAL_MS, QUICK_QUESTIONS, SupportState


def _quick_questions() -> rx.Component:
    return rx.vstack(
        rx.text(tr("support.quick_title"), size="2", weight="medium"),
        rx.hstack(
            *[
                rx.button(tr(f"support.quick.{key}"), on_click=SupportState.ask(key), variant="surface", size="2", radius="full")
                for key in QUICK_QUESTIONS
            ],
            wrap="wrap",
            spacing="2",
        ),
        spacing="2",
        width="100%",
    )


def pay_support_page() -> rx.Component:
    return page_frame(
        pay_links("/pay/support"),
        rx.text(tr("support.intro"), size="2", color_scheme="gray"),
        error_callout(SupportState.error),
        rx.cond(
            SupportState.about_label != "",
            rx.callout(
                rx.text(rx.text.strong(tr("support.about_title"), ": "), SupportState.about_label),
                icon="receipt",
                color_scheme="gray",
                width="100%",
                data_testid="support-about",
            ),
        ),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(tr("support.chat_title"), size="4", as_="h2"),
                    status_badge(SupportState.status),
                    rx.spacer(),
                    rx.cond(
                        SupportState.is_open,
                        rx.button(tr("support.close"), on_click=SupportState.close, variant="ghost", size="1", color_scheme="gray"),
                    ),
                    align="center",
                    width="100%",
                ),
                message_list(SupportState.messages, "support.empty", tr("support.title")),
                rx.cond(
                    SupportState.can_hand_over,
                    rx.button(rx.icon("user-round", size=16), tr("support.handover"), on_click=SupportState.hand_over, variant="soft", size="2"),
                ),
                rx.cond(
                    SupportState.status == "closed",
                    rx.button(tr("support.new"), on_click=SupportState.start_new, variant="soft", size="2"),
                    chat_form(
                        on_submit=SupportState.send,
                        input_id="support-message",
                        label_key="support.input_label",
                        button_key="support.send",
                        placeholder_key="support.input_placeholder",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(SupportState.status != "closed", _quick_questions()),
        # New messages from other tabs, the assistant and agents, without reloading.
        rx.moment(interval=POLL_INTERVAL_MS, format="HH:mm:ss", on_change=SupportState.poll, display="none"),
        title_key="support.title",
    )
