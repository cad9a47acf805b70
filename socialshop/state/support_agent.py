"""State of /support/agent: the queue of handed-over conversations, one open at a time.

Only the `support` role gets data: everyone else sees a refusal (the services refuse
them too). The open conversation stays live with the same poll as the user's page.
"""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import SupportMessage
from socialshop.services import support
from socialshop.services.errors import ServiceError
from socialshop.services.inputs import parse_id
from socialshop.state.pay_support import status_after
from socialshop.state.session import SessionState

POLL_INTERVAL_MS = 2000


class SupportAgentState(SessionState):
    allowed: bool = False
    queue: list[support.ConversationView] = []
    page: int = 0
    has_next: bool = False
    open_id: int = 0
    open_user: str = ""
    open_status: str = ""
    open_about: str = ""
    messages: list[support.MessageView] = []
    error: str = ""
    _last_id: int = 0
    _queue_seen: str = ""

    def _agent(self, session):
        user = self._current_user(session)
        return user if support.is_agent(user) else None

    def _load_queue(self, session, agent) -> None:
        try:
            self.queue, self.has_next = support.queue(session, agent=agent, page=self.page, language=self.lang)
        except ServiceError as error:
            self.error = self._error_text(error)

    @rx.event
    def load(self):
        self.error = ""
        self.open_id, self.messages, self.queue, self.page = 0, [], [], 0
        with session_scope() as session:
            user = self._page_user(session)
            if user is None:
                return self._login_redirect()
            self.allowed = support.is_agent(user)
            if self.allowed:
                self._load_queue(session, user)
        return None

    def _refresh(self) -> None:
        with session_scope() as session:
            agent = self._agent(session)
            if agent is not None:
                self._load_queue(session, agent)

    @rx.event
    def refresh(self):
        self._refresh()

    @rx.event
    def next_page(self):
        if self.has_next:
            self.page += 1
            self._refresh()

    @rx.event
    def previous_page(self):
        if self.page > 0:
            self.page -= 1
            self._refresh()

    def _open(self, session, agent, conversation_id) -> None:
        view, messages = support.agent_view(session, agent=agent, conversation_id=conversation_id, language=self.lang)
        self.open_id, self.open_user, self.open_status, self.open_about = view.id, view.user_name, view.status, view.about_label
        self.messages = messages
        self._last_id = messages[-1].id if messages else 0

    @rx.event
    def open(self, conversation_id: str | int):
        self.error = ""
        if parse_id(conversation_id) is None:
            return
        with session_scope() as session:
            agent = self._agent(session)
            if agent is None:
                self.error = self._t("error.support_agents_only")
                return
            try:
                self._open(session, agent, conversation_id)
            except ServiceError as error:
                self.error = self._error_text(error)

    @rx.event
    def back(self):
        self.open_id, self.messages, self._last_id = 0, [], 0
        self._refresh()

    def _append(self, rows: list[SupportMessage]) -> None:
        if not rows:
            return
        self.open_status = status_after(self.open_status, rows)
        views = support.message_views(rows, viewer_is_agent=True, user_name=self.open_user, language=self.lang)
        self.messages = (self.messages + views)[-support.MESSAGE_PAGE:]
        self._last_id = rows[-1].id  # type: ignore[assignment]

    @rx.event
    def poll(self, _moment: str = ""):
        """Every POLL_INTERVAL_MS: the open conversation's new messages, or the queue if it changed."""
        if not self.allowed:
            return
        with session_scope() as session:
            if not self.open_id:
                seen = support.queue_pulse(session, token=self.auth_token)
                if seen is not None and seen != self._queue_seen:
                    self._queue_seen = seen
                    agent = self._agent(session)
                    if agent is not None:
                        self._load_queue(session, agent)
                return
            self._append(
                support.poll_messages(session, token=self.auth_token, conversation_id=self.open_id, after_id=self._last_id)
            )

    @rx.event
    def reply(self, form_data: dict):
        self.error = ""
        raw = form_data.get("message") if isinstance(form_data, dict) else None
        try:
            with session_scope() as session:
                agent = self._agent(session)
                if agent is None:
                    raise support.PermissionDenied("support_agents_only")
                support.agent_reply(session, agent=agent, conversation_id=self.open_id, text=raw if isinstance(raw, str) else "")
                session.commit()
                self._append(
                    support.poll_messages(session, token=self.auth_token, conversation_id=self.open_id, after_id=self._last_id)
                )
        except ServiceError as error:
            self.error = self._error_text(error)
            return None
        return rx.set_value("agent-message", "")

    @rx.event
    def close(self):
        self.error = ""
        try:
            with session_scope() as session:
                agent = self._agent(session)
                if agent is None:
                    raise support.PermissionDenied("support_agents_only")
                support.close_conversation(session, user=agent, conversation_id=self.open_id)
                session.commit()
                self._append(
                    support.poll_messages(session, token=self.auth_token, conversation_id=self.open_id, after_id=self._last_id)
                )
        except ServiceError as error:
            self.error = self._error_text(error)
