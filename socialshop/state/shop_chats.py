"""WhatsApp chats with shops: the buyer's side (/whatsapp/chats, pays order messages in the
chat) and the shop's side (/merchant/chats, sends them). Both poll the open chat, so a
message or a payment shows on the other screen without reloading."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from socialshop.db import session_scope
from socialshop.models import AppSurface, User
from socialshop.services import shop_chats
from socialshop.services.errors import NotFound, ServiceError
from socialshop.services.money import format_datetime, format_money, parse_amount
from socialshop.state.checkout import form_text
from socialshop.state.merchant import MerchantState
from socialshop.state.payment_codes import PayCodeState

POLL_INTERVAL_MS = 1500
MESSAGE_FORM_ID = "chat-message-form"


@dataclasses.dataclass(frozen=True)
class ChatRow:
    id: int
    name: str
    last_label: str


@dataclasses.dataclass(frozen=True)
class MessageRow:
    id: int
    mine: bool
    body: str
    time_label: str
    code_id: int
    amount_label: str
    reference: str
    code_status: str
    order_number: str


def _message_rows(views: list[shop_chats.MessageView], lang: str) -> list[MessageRow]:
    return [
        MessageRow(
            id=v.id, mine=v.mine, body=v.body, time_label=format_datetime(v.created_at, lang), code_id=v.code_id,
            amount_label=format_money(v.amount_cents, v.currency, lang) if v.code_id else "",
            reference=v.reference, code_status=v.code_status, order_number=v.order_number,
        )
        for v in views
    ]


def _chat_rows(rows: list[shop_chats.ChatListRow], lang: str) -> list[ChatRow]:
    return [ChatRow(r.chat_id, r.name, format_datetime(r.last_message_at, lang)) for r in rows]


class BuyerChatsState(PayCodeState):
    """The buyer's chats; an order message opens the pay sheet (PayCodeState) in a dialog."""

    app: str = AppSurface.WHATSAPP.value
    chats: list[ChatRow] = []
    chat_id: int = 0
    chat_name: str = ""
    messages: list[MessageRow] = []
    chat_error: str = ""
    chats_loaded: bool = False
    paying_message_id: int = 0

    def _show_chat(self, session: Session, user: User, chat_id: object) -> None:
        ref = shop_chats.chat_ref(session, user=user, chat_id=chat_id)
        self.chat_id, self.chat_name = ref.chat_id, ref.other_name
        self.messages = _message_rows(shop_chats.messages(session, user=user, chat_id=ref.chat_id), self.lang)

    @rx.event
    def load(self):
        self._reset_view()
        self._forget_code()
        self.app = AppSurface.WHATSAPP.value
        self.chat_error = self.scan_error = ""
        self.chat_id, self.chat_name, self.messages, self.paying_message_id = 0, "", [], 0
        params = self.router.url.query_parameters
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            try:
                if params.get("shop"):
                    chat = shop_chats.open_chat(session, user=user, shop_slug=params.get("shop"))
                    session.commit()
                    self._show_chat(session, user, chat.id)
                elif params.get("chat"):
                    self._show_chat(session, user, params.get("chat"))
            except ServiceError as error:
                self.chat_error = self._error_text(error)
            self.chats = _chat_rows(shop_chats.buyer_chats(session, user=user), self.lang)
        self.chats_loaded = True
        self.status = "empty"
        return None

    @rx.event
    def open_chat(self, chat_id: int):
        self.chat_error = ""
        self.paying_message_id = 0
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                self._show_chat(session, user, chat_id)
            except ServiceError as error:
                self.chat_error = self._error_text(error)
        return None

    @rx.event
    def all_chats(self):
        self.chat_id, self.chat_name, self.messages, self.paying_message_id = 0, "", [], 0
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None:
                self.chats = _chat_rows(shop_chats.buyer_chats(session, user=user), self.lang)

    @rx.event
    def send(self, form_data: dict):
        self.chat_error = ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                shop_chats.send_message(session, user=user, chat_id=self.chat_id,
                                        body=form_text(form_data, "message", shop_chats.MAX_BODY + 1))
                session.commit()
                self._show_chat(session, user, self.chat_id)
            except ServiceError as error:
                self.chat_error = self._error_text(error)
                return None
        return rx.set_value("field-message", "")

    @rx.event
    def review(self, message_id: int):
        """"Review and pay": the order message's code, checked, in the pay sheet."""
        if all(m.id != message_id or not m.code_id for m in self.messages):
            return
        self.scan_error = ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return
            try:
                payload = shop_chats.order_payload(session, user=user, message_id=message_id)
            except ServiceError as error:
                self.chat_error = self._error_text(error)
                return
        self.paying_message_id = message_id
        self._read(payload)

    @rx.event
    def close_review(self, _open: bool = False):
        if self.status in ("processing", "confirming"):
            return
        self.paying_message_id = 0
        self._forget_code()
        self._reset_view()
        self.scan_error = ""
        self.status = "empty"

    @rx.event
    def poll(self, _moment: str = ""):
        if not self.chat_id:
            return
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return
            try:
                fresh = _message_rows(shop_chats.messages(session, user=user, chat_id=self.chat_id), self.lang)
            except ServiceError:
                return
        if fresh != self.messages:
            self.messages = fresh


class MerchantChatsState(MerchantState):
    """The shop's chats, each buyer shown only as "Customer 7F3K"."""

    chats: list[ChatRow] = []
    chat_id: int = 0
    chat_name: str = ""
    messages: list[MessageRow] = []
    chat_error: str = ""
    order_error: str = ""
    chats_loaded: bool = False

    def _show_chat(self, session: Session, user: User, chat_id: object) -> None:
        ref = shop_chats.chat_ref(session, user=user, chat_id=chat_id)
        if not ref.viewer_is_shop:
            raise NotFound("chat_not_found")
        self.chat_id, self.chat_name = ref.chat_id, ref.other_name
        self.messages = _message_rows(shop_chats.messages(session, user=user, chat_id=ref.chat_id), self.lang)

    def _load_list(self, session: Session, user: User) -> None:
        self.chats = _chat_rows(shop_chats.merchant_chats(session, user=user), self.lang)

    @rx.event
    def load(self):
        self.chat_error = self.order_error = ""
        self.chat_id, self.chat_name, self.messages = 0, "", []
        with session_scope() as session:
            found = self._merchant_page(session)
            if found is None:
                return None if self.auth_token else self._login_redirect()
            user, _ = found
            self._load_list(session, user)
            raw = self.router.url.query_parameters.get("chat")
            if raw:
                try:
                    self._show_chat(session, user, raw)
                except ServiceError as error:
                    self.chat_error = self._error_text(error)
        self.chats_loaded = True
        return None

    @rx.event
    def open_chat(self, chat_id: int):
        self.chat_error = self.order_error = ""
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return
            try:
                self._show_chat(session, found[0], chat_id)
            except ServiceError as error:
                self.chat_error = self._error_text(error)

    @rx.event
    def all_chats(self):
        self.chat_id, self.chat_name, self.messages = 0, "", []
        with session_scope() as session:
            found = self._merchant(session)
            if found is not None:
                self._load_list(session, found[0])

    @rx.event
    def send(self, form_data: dict):
        self.chat_error = ""
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return None
            user = found[0]
            try:
                shop_chats.send_message(session, user=user, chat_id=self.chat_id,
                                        body=form_text(form_data, "message", shop_chats.MAX_BODY + 1))
                session.commit()
                self._show_chat(session, user, self.chat_id)
            except ServiceError as error:
                self.chat_error = self._error_text(error)
                return None
        return rx.set_value("field-message", "")

    @rx.event
    def send_order(self, form_data: dict):
        self.order_error = ""
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return None
            user = found[0]
            try:
                amount = parse_amount(form_text(form_data, "order_amount", 20), "EUR", self.lang)
                shop_chats.send_order(session, user=user, chat_id=self.chat_id, amount_cents=amount,
                                      items=form_text(form_data, "order_items", 201))
                session.commit()
                self._show_chat(session, user, self.chat_id)
            except ServiceError as error:
                self.order_error = self._error_text(error)
                return None
        return rx.call_script("document.getElementById('chat-order-form')?.reset()")

    @rx.event
    def poll(self, _moment: str = ""):
        if not self.is_merchant:
            return
        with session_scope() as session:
            found = self._merchant(session)
            if found is None:
                return
            user = found[0]
            if self.chat_id:
                try:
                    fresh = _message_rows(shop_chats.messages(session, user=user, chat_id=self.chat_id), self.lang)
                except ServiceError:
                    return
                if fresh != self.messages:
                    self.messages = fresh
            else:
                self._load_list(session, user)
