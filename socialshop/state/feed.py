"""The feed of one app surface (or all four), and one post's public permalink.

What an event sends: Reflex sends the whole value of every var a handler changed (its delta
is per var, never a diff inside a list). So the feed never reassigns a list of posts after
the fact:
- posts live in three page slots (`page0`..`page2`, a ring): "Show more" fills one slot, so
  only the new page travels; the window holds at most three pages and the oldest is dropped;
- what changes on a shown post (likes, the viewer's like, comment count, fundraiser totals)
  goes into small overlay dicts keyed by id, which the cards read before the page's value;
  they hold only changed rows and are pruned with the page they belong to;
- the ring's visual order is a three-number var read by CSS `order`, so a dropped page's
  slot takes the new page without resending the others.
Separate vars in one state and separate substates cost the same bytes (both are diffed per
var); one state keeps the handlers synchronous and the slots in one place.
Leaving the feed (the page root's on_unmount) empties all of this, so the next full load of
another page (whose hydrate sends every state that differs from its defaults) carries none
of it.
"""

from __future__ import annotations

import reflex as rx

from socialshop.db import session_scope
from socialshop.models import AppSurface
from socialshop.services import feed, inputs
from socialshop.services.errors import ServiceError
from socialshop.state.session import SessionState

PAGE_SIZE = 20
# Pages kept on the screen: a fourth page replaces the oldest.
WINDOW_PAGES = 3
# The comment form's text field, one per post (only the open post's form is on the page).
COMMENT_FIELD_PREFIX = "comment-text-"
# The permalink route's argument: /post/[post_id].
POST_ARG = "post_id"


def _normal_path(path: str) -> str:
    return path.rstrip("/") or "/"


def _shows_feed_state(path: str) -> bool:
    """The pages whose on_load fills FeedState: the feeds and the post permalinks."""
    path = _normal_path(path)
    return path == "/" or path.startswith(("/feed/", "/post/"))


def _reading_order(order: list[int]) -> str:
    return " ".join(f"feed-slot-{slot}" for slot in sorted(range(len(order)), key=order.__getitem__))


class FeedState(SessionState):
    app: str = ""
    # The ring of page slots (see the module's docstring) and each slot's CSS order.
    page0: list[feed.PostView] = []
    page1: list[feed.PostView] = []
    page2: list[feed.PostView] = []
    slot_order: list[int] = [0, 1, 2]

    @rx.var
    def reading_order(self) -> str:
        """The slots' element ids in reading order: CSS order moves boxes, not the accessibility
        tree, so the column's aria-owns puts screen readers in the same order as the eyes."""
        return _reading_order(self.slot_order)

    has_posts: bool = False
    has_more: bool = False
    loading: bool = False
    error: str = ""
    # Overlays over the pages' values, keyed by str(post id) (fundraisers: str(fundraiser id)).
    like_counts: dict[str, int] = {}
    liked: dict[str, bool] = {}
    comment_counts: dict[str, int] = {}
    fundraisers: dict[str, feed.FundraiserView] = {}
    # The one post whose comments are open (0: none), its comments and the form's error.
    open_comments_post_id: int = 0
    comments: list[feed.CommentView] = []
    comment_error: str = ""
    # Sent back by the comment form; a post changes it, so a double submit posts once.
    comment_form_key: int = 0
    # The permalink page's post (a list of 0 or 1, so it renders with the feed's card) and
    # whether the id named no visible post.
    permalink: list[feed.PostView] = []
    permalink_missing: bool = False

    # Server only: ids of each slot's posts and fundraisers (for pruning the overlays),
    # the fundraiser totals the browser shows, the pages fetched since load and the cursor.
    _slot_post_ids: list[list[int]] = [[], [], []]
    _slot_fundraiser_ids: list[list[int]] = [[], [], []]
    _shown_fundraisers: dict[int, feed.FundraiserView] = {}
    _pages: int = 0
    _last_id: int = 0
    # Post ids on screen (window and permalink): comments and likes are answered for these.
    _shown_post_ids: set[int] = set()
    # The page whose on_load filled the window (see leave()).
    _window_path: str = ""

    @rx.var
    def app_label(self) -> str:
        return self._t(f"app.{self.app}") if self.app else self._t("nav.all_apps")

    # ---- loading and the window ---------------------------------------------------------

    @rx.event
    def load(self, app: str = ""):
        """on_load of / and /feed/<app>; checks the login like every private page."""
        with session_scope() as session:
            viewer = self._page_user(session)
            if viewer is None:
                return self._login_redirect()
            self._clear()
            self._window_path = _normal_path(self.router.url.path or "")
            self.app = app if AppSurface.parse(app) else ""
            self._fetch(session, viewer, before_id=None)
        return None

    @rx.event
    def load_more(self):
        if not self.has_more or not self._last_id:
            return
        with session_scope() as session:
            self._fetch(session, self._current_user(session), before_id=self._last_id)

    @rx.event
    def leave(self):
        """on_unmount of the feed and permalink pages: other pages carry none of their data.

        The unmount is sent before the next page's on_load, with the router data of the page
        being left (Reflex updates its location mirror after unmounts) or, at worst, of the
        next one. So: clear when the event names the page the window was loaded for, or a
        page that does not show the feed; skip when a newer feed or post page already
        reloaded the window (this leave then names the older page).
        """
        path = _normal_path(self.router.url.path or "")
        if path == self._window_path or not _shows_feed_state(path):
            self._clear()

    def _clear(self) -> None:
        """Back to the defaults (assigning only what differs, so nothing unchanged is sent)."""
        for name in ("page0", "page1", "page2", "permalink", "comments"):
            if getattr(self, name):
                setattr(self, name, [])
        for name in ("like_counts", "liked", "comment_counts", "fundraisers"):
            if getattr(self, name):
                setattr(self, name, {})
        if self.slot_order != [0, 1, 2]:
            self.slot_order = [0, 1, 2]
        for name in ("has_posts", "has_more", "permalink_missing"):
            if getattr(self, name):
                setattr(self, name, False)
        if self.open_comments_post_id:
            self.open_comments_post_id = 0
        if self.error:
            self.error = ""
        if self.comment_error:
            self.comment_error = ""
        self._slot_post_ids = [[], [], []]
        self._slot_fundraiser_ids = [[], [], []]
        self._shown_fundraisers = {}
        self._shown_post_ids = set()
        self._pages = 0
        self._last_id = 0
        self._window_path = ""

    def _fetch(self, session, viewer, *, before_id: int | None) -> None:
        try:
            batch = feed.list_feed(
                session,
                viewer=viewer,
                app=self.app or None,
                language=self.lang,
                limit=PAGE_SIZE + 1,
                before_id=before_id,
            )
        except ServiceError as error:
            self.error = self._error_text(error)
            return
        more = len(batch) > PAGE_SIZE
        if more != self.has_more:
            self.has_more = more
        batch = batch[:PAGE_SIZE]
        if not batch:
            return
        self._put_page(batch)

    def _put_page(self, batch: list[feed.PostView]) -> None:
        """Fill the next slot of the ring, dropping the page it held and that page's overlays."""
        slot = self._pages % WINDOW_PAGES
        dropped = set(self._slot_post_ids[slot])
        dropped_funds = set(self._slot_fundraiser_ids[slot])
        if dropped:
            self._prune(dropped, dropped_funds)
        setattr(self, f"page{slot}", batch)
        self._slot_post_ids[slot] = [post.id for post in batch]
        self._slot_fundraiser_ids[slot] = [post.fundraiser.id for post in batch if post.fundraiser is not None]
        self._shown_post_ids = {pid for ids in self._slot_post_ids for pid in ids}
        for post in batch:
            if post.fundraiser is not None:
                self._shown_fundraisers[post.fundraiser.id] = post.fundraiser
        self._pages += 1
        self._last_id = batch[-1].id
        if self._pages > WINDOW_PAGES:
            # The oldest slot on screen is the one after the one just filled.
            order = [(s - self._pages) % WINDOW_PAGES for s in range(WINDOW_PAGES)]
            if order != self.slot_order:
                self.slot_order = order
        if not self.has_posts:
            self.has_posts = True

    def _prune(self, post_ids: set[int], fundraiser_ids: set[int]) -> None:
        keys = {str(pid) for pid in post_ids}
        for name in ("like_counts", "liked", "comment_counts"):
            overlay = getattr(self, name)
            if keys & overlay.keys():
                setattr(self, name, {k: v for k, v in overlay.items() if k not in keys})
        still_shown = {fid for slot in self._slot_fundraiser_ids for fid in slot} - fundraiser_ids
        gone = fundraiser_ids - still_shown
        fund_keys = {str(fid) for fid in gone}
        if fund_keys & self.fundraisers.keys():
            self.fundraisers = {k: v for k, v in self.fundraisers.items() if k not in fund_keys}
        for fid in gone:
            self._shown_fundraisers.pop(fid, None)
        if self.open_comments_post_id in post_ids:
            self._close_comments()

    # ---- overlays -------------------------------------------------------------------------

    @rx.event
    def refresh_fundraisers(self, _tick: str = ""):
        """Polled while the feed is open: only fundraisers whose totals moved are sent."""
        if not self._shown_fundraisers:
            return
        with session_scope() as session:
            current = feed.fundraiser_views(
                session, fundraiser_ids=list(self._shown_fundraisers), language=self.lang
            )
        changed = {fid: view for fid, view in current.items() if self._shown_fundraisers.get(fid) != view}
        if not changed:
            return
        self._shown_fundraisers.update(changed)
        self.fundraisers = {**self.fundraisers, **{str(fid): view for fid, view in changed.items()}}

    @rx.event
    def toggle_like(self, post_id: int):
        pid = inputs.parse_id(post_id)
        if pid is None:
            return None
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is None:
                    return self._login_redirect()
                liked, count = feed.toggle_like(session, user=user, post_id=pid)
        except ServiceError as error:
            self.error = self._error_text(error)
            return None
        if pid in self._shown_post_ids:
            key = str(pid)
            self.like_counts = {**self.like_counts, key: count}
            self.liked = {**self.liked, key: liked}
        return None

    def _close_comments(self) -> None:
        if self.open_comments_post_id:
            self.open_comments_post_id = 0
        if self.comments:
            self.comments = []
        if self.comment_error:
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
        if self.comment_error:
            self.comment_error = ""
        self.comment_form_key += 1
        self.comments = [*self.comments, comment]
        if pid in self._shown_post_ids:
            key = str(pid)
            self.comment_counts = {**self.comment_counts, key: self._comment_count(pid) + 1}
        # The field is uncontrolled (no event per keystroke): empty it where it is, keeping the focus.
        field_id = f"{COMMENT_FIELD_PREFIX}{pid}"
        return rx.call_script(f"(el => {{ if (el) el.value = ''; }})(document.getElementById('{field_id}'))")

    def _comment_count(self, pid: int) -> int:
        """The count the browser shows for a post: its overlay, else its page's value."""
        key = str(pid)
        if key in self.comment_counts:
            return self.comment_counts[key]
        for post in (*self.page0, *self.page1, *self.page2, *self.permalink):
            if post.id == pid:
                return post.comment_count
        return 0

    # ---- the permalink ----------------------------------------------------------------------

    @rx.event
    def open_post(self):
        """on_load of /post/<id>: readable logged out (no redirect); a bad id says not found."""
        raw = self.router._page.params.get(POST_ARG)
        if not isinstance(raw, str) or not raw:
            path = self.router.url.path or ""
            raw = path.rstrip("/").rsplit("/", 1)[-1] if path.startswith("/post/") else ""
        with session_scope() as session:
            viewer = self._page_user(session)
            self._clear()
            self._window_path = _normal_path(self.router.url.path or "")
            try:
                view = feed.get_post_view(session, viewer=viewer, post_id=raw, language=self.lang)
            except ServiceError:
                self.permalink_missing = True
                return
        self.permalink = [view]
        self._shown_post_ids = {view.id}
        if view.fundraiser is not None:
            self._shown_fundraisers = {view.fundraiser.id: view.fundraiser}
