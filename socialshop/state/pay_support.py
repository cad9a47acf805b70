"""State of /pay/support: the user's current conversation, kept live in every open tab.

Each open tab polls (an `rx.moment` ticker on the page) for "messages after my last id"
in its conversation: one indexed statement that also checks the tab's login. Only the
latest page of messages stays in the state.
"""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import ConversationStatus, MessageSender, SupportConversation, SupportMessage, User
from socialshop.services import support
from socialshop.services.errors import ServiceError
from socialshop.state.session import SessionState

POLL_INTERVAL_MS = 2000
QUICK_QUESTIONS = ("refund", "pin", "declined", "apps")
# What each system message means for the conversation's status.
_STATUS_AFTER = {
    "support.system.handover": ConversationStatus.WAITING.value,
    "support.system.closed": ConversationStatus.CLOSED.value,
}


def status_after(status: str, messages: list[SupportMessage]) -> str:
    """The conversation's status once `messages` (in order) have happened."""
    for message in messages:
        if message.sender == MessageSender.SYSTEM.value:
            status = _STATUS_AFTER.get(message.body, status)
        elif message.sender == MessageSender.AGENT.value and status != ConversationStatus.CLOSED.value:
            status = ConversationStatus.AGENT.value
    return status


class SupportState(SessionState):
    conversation_id: int = 0
    status: str = ""
    # The history entry the page was opened about ("payment-12"), once checked as the user's own.
    about: str = ""
    about_label: str = ""
    messages: list[support.MessageView] = []
    error: str = ""
    _about_key: tuple[str, int] | None = None
    _last_id: int = 0

    @rx.var
    def is_open(self) -> bool:
        return self.conversation_id > 0 and self.status != ConversationStatus.CLOSED.value

    @rx.var
    def can_hand_over(self) -> bool:
        return self.conversation_id > 0 and self.status == ConversationStatus.ASSISTANT.value

    def _show(self, session, user: User, conversation_id: int | None) -> None:
        """Show one of the user's conversations (None: an empty chat on the page's subject)."""
        if conversation_id is None:
            self.conversation_id, self.status, self.messages, self._last_id = 0, "", [], 0
            self.about_label = ""
            if self._about_key is not None:
                self.about_label = support.about_label(
                    session,
                    SupportConversation(user_id=user.id, about_kind=self._about_key[0], about_id=self._about_key[1]),  # type: ignore[arg-type]
                    self.lang,
                )
            return
        view = support.conversation_view(session, user=user, conversation_id=conversation_id, language=self.lang)
        self.conversation_id, self.status, self.about_label = view.id, view.status, view.about_label
        self.messages = support.user_messages(session, user=user, conversation_id=view.id, language=self.lang)
        self._last_id = self.messages[-1].id if self.messages else 0

    @rx.event
    def load(self):
        self.error = ""
        self.about, self._about_key = "", None
        raw_about = self.router.url.query_parameters.get("about")
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            if raw_about:
                try:
                    self._about_key = support.check_about(session, user=user, entry_id=raw_about)
                    self.about = f"{self._about_key[0]}-{self._about_key[1]}"
                except ServiceError as error:
                    # A forged or foreign entry: say so, and open nothing about it.
                    self.error = self._error_text(error)
            current = support.current_conversation(session, user=user, about=self._about_key)
            self._show(session, user, current.id if current is not None else None)
        return None

    def _append(self, session, user: User | None, rows: list[SupportMessage]) -> None:
        if not rows:
            return
        self.status = status_after(self.status, rows)
        views = support.message_views(
            rows, viewer_is_agent=False, user_name=user.display_name if user else "", language=self.lang
        )
        self.messages = (self.messages + views)[-support.MESSAGE_PAGE:]
        self._last_id = rows[-1].id  # type: ignore[assignment]

    @rx.event
    def poll(self, _moment: str = ""):
        """Every POLL_INTERVAL_MS while the page is open in a tab."""
        with session_scope() as session:
            if self.is_open:
                rows = support.poll_messages(
                    session, token=self.auth_token, conversation_id=self.conversation_id, after_id=self._last_id
                )
                self._append(session, None, rows)
                return
            # No open conversation here: another tab may have started one.
            newest = support.poll_current(session, token=self.auth_token, about=self._about_key)
            if newest is not None and newest != self.conversation_id:
                user = self._current_user(session)
                if user is not None:
                    self._show(session, user, newest)

    def _after_write(self, session, user: User, conversation_id: int) -> None:
        if conversation_id != self.conversation_id:
            self._show(session, user, conversation_id)
            return
        rows = support.poll_messages(
            session, token=self.auth_token, conversation_id=conversation_id, after_id=self._last_id
        )
        self._append(session, user, rows)

    def _send(self, text: object):
        self.error = ""
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                conversation = support.send_message(
                    session,
                    user=user,
                    text=text,
                    conversation_id=self.conversation_id or None,
                    about=self.about or None,
                    language=self.lang,
                )
                session.commit()
                self._after_write(session, user, conversation.id)  # type: ignore[arg-type]
        except ServiceError as error:
            self.error = self._error_text(error)
            return None
        return rx.set_value("support-message", "")

    @rx.event
    def send(self, form_data: dict):
        raw = form_data.get("message") if isinstance(form_data, dict) else None
        return self._send(raw if isinstance(raw, str) else "")

    @rx.event
    def ask(self, question: str):
        """A quick question chip: the question is sent as the user's own words."""
        if question not in QUICK_QUESTIONS:
            return None
        return self._send(self._t(f"support.quick.{question}"))

    def _change(self, action) -> None:
        self.error = ""
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return
                action(session, user=user, conversation_id=self.conversation_id)
                session.commit()
                self._after_write(session, user, self.conversation_id)
        except ServiceError as error:
            self.error = self._error_text(error)

    @rx.event
    def hand_over(self):
        self._change(support.request_handover)

    @rx.event
    def close(self):
        self._change(support.close_conversation)

    @rx.event
    def start_new(self):
        """After a closed conversation: an empty chat; the next message starts a new one."""
        self.error = ""
        self.conversation_id, self.status, self.messages, self._last_id = 0, "", [], 0
