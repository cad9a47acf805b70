"""The bell: unread count, a page of entries, and a toast in every open tab when one arrives.

Reflex has no push between tabs, so each open tab polls (components.notifications puts
an `rx.moment` ticker next to the bell). A tick is one indexed statement
(`notifications.pulse`), so it works the same with several workers and Redis; only when
something new arrived does it read the new entries for the toasts.
"""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.services import notifications
from socialshop.services.errors import ServiceError
from socialshop.services.inputs import parse_id
from socialshop.state.session import SessionState

POLL_INTERVAL_MS = 4000


class NotificationsState(SessionState):
    unread_count: int = 0
    entries: list[notifications.NotificationView] = []
    has_older: bool = False
    list_error: str = ""
    list_loaded: bool = False
    # The id the shown page starts before (0: the newest page).
    page_before: int = 0
    # Which account this tab's counters belong to, and the newest entry it has toasted:
    # server-side only, the browser cannot move them.
    _user_id: int = 0
    _last_seen_id: int = 0

    @rx.var
    def unread_label(self) -> str:
        return "99+" if self.unread_count > 99 else str(self.unread_count)

    @rx.event
    def tick(self, _moment: str = ""):
        """Every POLL_INTERVAL_MS in each open tab, and when the bell mounts."""
        with session_scope() as session:
            pulse = notifications.pulse(session, token=self.auth_token)
            if pulse is None:
                self.unread_count = 0
                self._user_id = 0
                return None
            self.unread_count = pulse.unread
            if pulse.user_id != self._user_id:
                # This tab's first tick for this account: what happened before is not news.
                self._user_id, self._last_seen_id = pulse.user_id, pulse.latest_id
                return None
            if pulse.latest_id <= self._last_seen_id:
                return None
            fresh = notifications.newer_than(
                session, user_id=pulse.user_id, after_id=self._last_seen_id, language=self.lang
            )
            self._last_seen_id = pulse.latest_id
        return [rx.toast.info(view.text, duration=6000) for view in fresh]

    def _load_page(self, before: int) -> None:
        self.list_error = ""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                self.entries, self.has_older, self.unread_count = [], False, 0
                return
            try:
                self.entries, self.has_older = notifications.list_notifications(
                    session, user=user, language=self.lang, before_id=before or None
                )
            except ServiceError as error:
                self.list_error = self._error_text(error)
                return
            self.page_before = before
            self.unread_count = notifications.unread_count(session, user=user)
            self.list_loaded = True

    @rx.event
    def open_changed(self, is_open: bool):
        if is_open is True:
            self._load_page(0)

    @rx.event
    def show_older(self):
        if self.entries:
            self._load_page(self.entries[-1].id)

    @rx.event
    def show_newest(self):
        self._load_page(0)

    @rx.event
    def open_entry(self, notification_id: str | int):
        """Mark one entry read and go where it points (the link comes from the server)."""
        if parse_id(notification_id) is None:
            return None
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            try:
                link = notifications.mark_read(session, user=user, notification_id=notification_id).link
            except ServiceError as error:
                self.list_error = self._error_text(error)
                return None
        self._load_page(self.page_before)
        return rx.redirect(link) if link else None

    @rx.event
    def mark_read(self, notification_id: str | int):
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return
            try:
                notifications.mark_read(session, user=user, notification_id=notification_id)
            except ServiceError as error:
                self.list_error = self._error_text(error)
                return
        self._load_page(self.page_before)

    @rx.event
    def mark_all_read(self):
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return
            notifications.mark_all_read(session, user=user)
        self._load_page(self.page_before)
