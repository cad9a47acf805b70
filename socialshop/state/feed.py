"""The feed of one app surface (or all four)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import AppSurface
from socialshop.services import feed, inputs
from socialshop.services.errors import ServiceError
from socialshop.state.session import SessionState

PAGE_SIZE = 20
# The comment form's text field, one per post (only the open post's form is on the page).
COMMENT_FIELD_PREFIX = "comment-text-"


class FeedState(SessionState):
    app: str = ""
    posts: list[feed.PostView] = []
    has_more: bool = False
    loading: bool = False
    error: str = ""
    # The one post whose comments are open (0: none), its comments and the form's error.
    open_comments_post_id: int = 0
    comments: list[feed.CommentView] = []
    comment_error: str = ""
    # Sent back by the comment form; a post changes it, so a double submit posts once.
    comment_form_key: int = 0

    @rx.var
    def app_label(self) -> str:
        return self._t(f"app.{self.app}") if self.app else self._t("nav.all_apps")

    @rx.event
    def load(self, app: str = ""):
        """on_load of / and /feed/<app>; checks the login like every private page."""
        redirect = self.require_login()
        if redirect is not None:
            return redirect
        self.app = app if AppSurface.parse(app) else ""
        self.error = ""
        self._close_comments()
        self._fetch(before_id=None)
        return None

    @rx.event
    def load_more(self):
        if not self.posts or not self.has_more:
            return
        self._fetch(before_id=self.posts[-1].id)

    def _fetch(self, *, before_id: int | None) -> None:
        with session_scope() as session:
            viewer = self._current_user(session)
            batch = feed.list_feed(
                session,
                viewer=viewer,
                app=self.app or None,
                language=self.lang,
                limit=PAGE_SIZE + 1,
                before_id=before_id,
            )
        self.has_more = len(batch) > PAGE_SIZE
        batch = batch[:PAGE_SIZE]
        self.posts = batch if before_id is None else [*self.posts, *batch]

    @rx.event
    def refresh_fundraisers(self, _tick: str = ""):
        """Polled while the feed is open, so everyone sees donations arrive."""
        ids = [post.fundraiser.id for post in self.posts if post.fundraiser is not None]
        if not ids:
            return
        with session_scope() as session:
            current = feed.fundraiser_views(session, fundraiser_ids=ids, language=self.lang)
        if any(post.fundraiser is not None and current.get(post.fundraiser.id, post.fundraiser) != post.fundraiser
               for post in self.posts):
            self.posts = [
                dataclasses.replace(post, fundraiser=current.get(post.fundraiser.id, post.fundraiser))
                if post.fundraiser is not None
                else post
                for post in self.posts
            ]

    @rx.event
    def toggle_like(self, post_id: int):
        pid = inputs.parse_id(post_id)
        if pid is None:
            return
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                liked, count = feed.toggle_like(session, user=user, post_id=pid)
        except ServiceError as error:
            self.error = self._error_text(error)
            return None
        self.posts = [
            _with_like(post, liked, count) if post.id == pid else post for post in self.posts
        ]
        return None

    def _close_comments(self) -> None:
        self.open_comments_post_id = 0
        self.comments = []
        self.comment_error = ""

    @rx.event
    def toggle_comments(self, post_id: int):
        """Open a post's comments under it (closing any other post's), or close them."""
        pid = inputs.parse_id(post_id)
        if pid is None:
            return None
        if pid == self.open_comments_post_id:
            self._close_comments()
            return None
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                comments = feed.list_comments(session, post_id=pid, language=self.lang)
        except ServiceError as error:
            self._close_comments()
            self.error = self._error_text(error)
            return None
        self.open_comments_post_id = pid
        self.comments = comments
        self.comment_error = ""
        return None

    @rx.event
    def post_comment(self, form_data: dict):
        """The open post's comment form: add the comment, show it, count it, clear the field."""
        pid = self.open_comments_post_id
        if not pid or not isinstance(form_data, dict):
            return None
        if form_data.get("form_key") != str(self.comment_form_key):
            return None  # a second submit of a form already posted (double click)
        text = form_data.get("text", "")
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                comment = feed.add_comment(
                    session,
                    user=user,
                    post_id=pid,
                    text=text if isinstance(text, str) else "",
                    language=self.lang,
                )
        except ServiceError as error:
            self.comment_error = self._error_text(error)
            return None
        self.comment_error = ""
        self.comment_form_key += 1
        self.comments = [*self.comments, comment]
        self.posts = [
            dataclasses.replace(post, comment_count=post.comment_count + 1) if post.id == pid else post
            for post in self.posts
        ]
        # The field is uncontrolled (no event per keystroke): empty it where it is, keeping the focus.
        field_id = f"{COMMENT_FIELD_PREFIX}{pid}"
        return rx.call_script(f"(el => {{ if (el) el.value = ''; }})(document.getElementById('{field_id}'))")


def _with_like(post: feed.PostView, liked: bool, count: int) -> feed.PostView:
    return dataclasses.replace(post, liked_by_viewer=liked, like_count=count)
