"""/support/agent: the support team's queue and the conversation being answered."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.support_chat import chat_form, message_list, status_badge
from socialshop.services.support import ConversationView
from socialshop.state.support_agent import POLL_INTERVAL_MS, SupportAgentState


def _queue_row(view: ConversationView) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(rx.text(view.user_name, weight="bold"), status_badge(view.status), align="center"),
                rx.cond(view.about_label != "", rx.text(view.about_label, size="1", color_scheme="gray")),
                rx.text(view.updated_at_label, size="1", color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.button(tr("agent.open"), on_click=SupportAgentState.open(view.id), size="2"),
            align="center",
            width="100%",
        ),
        width="100%",
        data_testid="queue-row",
    )


def _queue() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.spacer(),
            rx.button(rx.icon("refresh-cw", size=14), tr("agent.refresh"), on_click=SupportAgentState.refresh, variant="soft", size="1"),
            width="100%",
        ),
        rx.cond(
            SupportAgentState.queue.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(SupportAgentState.queue, _queue_row), spacing="2", width="100%"),
            rx.text(tr("agent.empty"), color_scheme="gray"),
        ),
        rx.hstack(
            rx.button(tr("agent.previous"), on_click=SupportAgentState.previous_page, variant="ghost", size="2",
                      disabled=SupportAgentState.page == 0),
            rx.spacer(),
            rx.button(tr("agent.next"), on_click=SupportAgentState.next_page, variant="ghost", size="2",
                      disabled=~SupportAgentState.has_next),
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _conversation() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.button(rx.icon("arrow-left", size=14), tr("agent.back"), on_click=SupportAgentState.back, variant="ghost", size="1"),
                rx.spacer(),
                status_badge(SupportAgentState.open_status),
                align="center",
                width="100%",
            ),
            rx.hstack(rx.text(tr("agent.user"), ":", size="2", color_scheme="gray"), rx.text(SupportAgentState.open_user, size="2", weight="bold")),
            rx.cond(SupportAgentState.open_about != "", rx.text(SupportAgentState.open_about, size="2", color_scheme="gray")),
            message_list(SupportAgentState.messages, "support.empty", SupportAgentState.open_user),
            rx.cond(
                SupportAgentState.open_status != "closed",
                rx.vstack(
                    chat_form(
                        on_submit=SupportAgentState.reply,
                        input_id="agent-message",
                        label_key="agent.reply_label",
                        button_key="agent.reply",
                        placeholder_key="agent.reply_label",
                    ),
                    rx.button(tr("support.close"), on_click=SupportAgentState.close, variant="soft", color_scheme="gray", size="2"),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def support_agent_page() -> rx.Component:
    return page_frame(
        error_callout(SupportAgentState.error),
        rx.cond(
            SupportAgentState.allowed,
            rx.fragment(
                rx.link(rx.icon("message-circle-warning", size=14), " ", tr("sdispute.link"), href="/support/disputes", size="2"),
                rx.cond(SupportAgentState.open_id > 0, _conversation(), _queue()),
                rx.moment(interval=POLL_INTERVAL_MS, format="HH:mm:ss", on_change=SupportAgentState.poll, display="none"),
            ),
            rx.cond(
                SupportAgentState.session_checked,
                rx.callout(tr("agent.refused"), icon="shield-x", color_scheme="red", role="alert", width="100%"),
            ),
        ),
        title_key="agent.title",
    )
