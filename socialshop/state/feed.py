"""The feed of one app surface (or all four)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import AppSurface
from socialshop.services import feed
from socialshop.services.errors import ServiceError
from socialshop.state.session import SessionState

PAGE_SIZE = 20


class FeedState(SessionState):
    app: str = ""
    posts: list[feed.PostView] = []
    has_more: bool = False
    loading: bool = False
    error: str = ""

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
        if not isinstance(post_id, int) or isinstance(post_id, bool):
            return
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                liked, count = feed.toggle_like(session, user=user, post_id=post_id)
        except ServiceError as error:
            self.error = self._error_text(error)
            return None
        self.posts = [
            _with_like(post, liked, count) if post.id == post_id else post for post in self.posts
        ]
        return None


def _with_like(post: feed.PostView, liked: bool, count: int) -> feed.PostView:
    return dataclasses.replace(post, liked_by_viewer=liked, like_count=count)
