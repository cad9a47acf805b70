"""WhatsApp chats with shops: /whatsapp/chats (the buyer) and /merchant/chats (the shop)."""

from __future__ import annotations

import reflex as rx

from socialshop.components.forms import error_callout, labeled_input
from socialshop.components.i18n import tr
from socialshop.components.layout import page_frame
from socialshop.components.merchant_nav import merchant_only
from socialshop.pages.payment_codes import code_pay_form, code_status_badge
from socialshop.services import payment_codes, shop_chats
from socialshop.state.shop_chats import (
    POLL_INTERVAL_MS,
    BuyerChatsState,
    ChatRow,
    MerchantChatsState,
    MessageRow,
)

B = BuyerChatsState
M = MerchantChatsState
WHATSAPP_GREEN = "grass"


def _chat_list(state) -> rx.Component:
    def row(chat: ChatRow) -> rx.Component:
        return rx.button(
            rx.hstack(
                rx.avatar(fallback=chat.name.to(str)[:1], size="3", radius="full", color_scheme=WHATSAPP_GREEN),
                rx.vstack(
                    rx.text(chat.name, weight="medium"),
                    rx.text(chat.last_label, size="1", color_scheme="gray"),
                    spacing="0",
                    align="start",
                ),
                align="center",
                width="100%",
            ),
            variant="ghost",
            on_click=state.open_chat(chat.id),
            width="100%",
            justify="start",
            style={"height": "auto", "padding": "0.6em"},
            aria_label=chat.name,
        )

    return rx.card(
        rx.cond(
            state.chats.length() > 0,
            rx.vstack(rx.foreach(state.chats, row), spacing="1", width="100%"),
            rx.cond(state.chats_loaded, rx.text(tr("chat.none")), rx.spinner()),
        ),
        width="100%",
    )


def _order_card(message: MessageRow, pay_button: rx.Component | None) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("receipt", size=16), rx.text(tr("chat.order"), weight="bold"), align="center"),
        rx.cond(message.body != "", rx.text(message.body)),
        rx.text(tr("chat.total"), " ", rx.text.strong(message.amount_label)),
        rx.text(tr("qr.reference"), " ", rx.code(message.reference), size="1", color_scheme="gray"),
        rx.hstack(
            code_status_badge(message.code_status),
            rx.cond(message.order_number != "", rx.text(message.order_number, size="1", color_scheme="gray")),
            align="center",
            data_testid="order-status",
        ),
        *([pay_button] if pay_button is not None else []),
        spacing="1",
        align="start",
        width="100%",
        data_testid="order-message",
    )


def _bubble(message: MessageRow, pay_button: rx.Component | None) -> rx.Component:
    return rx.flex(
        rx.box(
            rx.cond(message.code_id != 0, _order_card(message, pay_button), rx.text(message.body, white_space="pre-wrap")),
            rx.text(message.time_label, size="1", color_scheme="gray", text_align="right"),
            background=rx.cond(message.mine, rx.color(WHATSAPP_GREEN, 4), rx.color("gray", 1)),
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="12px",
            padding="0.5em 0.8em",
            max_width="85%",
            min_width="40%",
        ),
        justify=rx.cond(message.mine, "end", "start"),
        width="100%",
        data_testid="chat-message",
    )


def _message_form(state) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(id="field-message", name="message", max_length=shop_chats.MAX_BODY, placeholder=tr("chat.type"),
                     width="100%", size="3", auto_complete="off", aria_label=tr("chat.message")),
            rx.button(rx.icon("send", size=16), tr("chat.send"), type="submit", size="3", color_scheme=WHATSAPP_GREEN,
                      high_contrast=True),
            width="100%",
        ),
        on_submit=state.send,
        reset_on_submit=False,
        width="100%",
    )


def _conversation(state, pay_button_for) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.button(rx.icon("arrow-left", size=16), tr("chat.all"), variant="ghost", on_click=state.all_chats),
            rx.heading(state.chat_name, size="5", as_="h2"),
            align="center",
            width="100%",
        ),
        rx.card(
            rx.cond(
                state.messages.length() > 0,
                rx.vstack(rx.foreach(state.messages, lambda m: _bubble(m, pay_button_for(m))), spacing="2",
                          width="100%", role="log", aria_live="polite"),
                rx.text(tr("chat.empty"), color_scheme="gray"),
            ),
            width="100%",
            background=rx.color(WHATSAPP_GREEN, 2),
        ),
        error_callout(state.chat_error),
        _message_form(state),
        spacing="3",
        width="100%",
    )


# ---------------------------------------------------------------- the buyer


def _buyer_pay_button(message: MessageRow) -> rx.Component:
    return rx.cond(
        ~message.mine & ((message.code_status == "open") | (message.code_status == "failed")),
        rx.button(tr("chat.review_and_pay"), size="2", color_scheme=WHATSAPP_GREEN, high_contrast=True,
                  on_click=B.review(message.id)),
    )


def _pay_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(tr("chat.review_and_pay")),
            rx.dialog.description(tr("chat.pay_intro"), size="2", color_scheme="gray"),
            error_callout(B.scan_error),
            rx.cond(
                B.status == "succeeded",
                rx.vstack(
                    rx.icon("circle-check", size=36, color=rx.color("green", 9)),
                    rx.heading(tr("qr.paid_title"), size="5", as_="p"),
                    rx.text(B.paid_label, " · ", B.shop_name),
                    align="center",
                    width="100%",
                    role="status",
                ),
                rx.cond(B.code_loaded, code_pay_form(B, B.pay)),
            ),
            rx.flex(
                rx.dialog.close(rx.button(tr("qr.close"), variant="soft", color_scheme="gray", disabled=B.busy
                                          & (B.status != "succeeded"))),
                justify="end",
                width="100%",
                padding_top="1em",
            ),
            max_width="460px",
        ),
        open=B.paying_message_id != 0,
        on_open_change=B.close_review,
    )


def buyer_chats_page() -> rx.Component:
    return page_frame(
        rx.hstack(
            rx.icon("message-circle", color=rx.color(WHATSAPP_GREEN, 9)),
            rx.heading(tr("chat.title"), size="6", as_="h1"),
            align="center",
        ),
        rx.cond(
            B.chat_id != 0,
            _conversation(B, _buyer_pay_button),
            rx.vstack(
                rx.text(tr("chat.buyer_intro"), color_scheme="gray"),
                error_callout(B.chat_error),
                _chat_list(B),
                rx.link(tr("chat.find_shop"), href="/shops"),
                width="100%",
            ),
        ),
        _pay_dialog(),
        rx.moment(interval=POLL_INTERVAL_MS, format="HH:mm:ss", on_change=B.poll, display="none"),
    )


# ---------------------------------------------------------------- the shop


def _order_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(tr("chat.send_order"), size="3", as_="h3"),
                rx.flex(
                    rx.box(labeled_input("chat.order_items", "order_items", max_length=payment_codes.MAX_DESCRIPTION,
                                         placeholder=tr("qr.items_placeholder")), flex="2", min_width="12em"),
                    rx.box(labeled_input("chat.order_total", "order_amount", input_mode="decimal", placeholder="12.50",
                                         max_length=12, required=True), flex="1", min_width="7em"),
                    spacing="3",
                    wrap="wrap",
                    width="100%",
                ),
                error_callout(M.order_error),
                rx.button(rx.icon("receipt", size=16), tr("chat.send_order_button"), type="submit",
                          color_scheme=WHATSAPP_GREEN, high_contrast=True, width="100%"),
                spacing="2",
                width="100%",
            ),
            on_submit=M.send_order,
            reset_on_submit=False,
            id="chat-order-form",
        ),
        width="100%",
    )


def merchant_chats_page() -> rx.Component:
    return page_frame(
        merchant_only(
            M,
            "/merchant/chats",
            rx.heading(tr("chat.merchant_title"), size="6", as_="h1"),
            rx.cond(
                M.chat_id != 0,
                rx.vstack(_conversation(M, lambda m: None), _order_form(), spacing="3", width="100%"),
                rx.vstack(
                    rx.text(tr("chat.merchant_intro"), color_scheme="gray"),
                    error_callout(M.chat_error),
                    _chat_list(M),
                    width="100%",
                ),
            ),
            rx.moment(interval=POLL_INTERVAL_MS, format="HH:mm:ss", on_change=M.poll, display="none"),
        ),
    )
