"""What the feed's events send to the browser: measured on the real Reflex state tree.

Each test drives FeedState's handlers as Reflex would (the handler's function on the
state instance of a whole tree), then takes the delta Reflex would send and its JSON size.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from reflex.state import State
from reflex_base.utils import format
from sqlmodel import select

from socialshop.models import Fundraiser, Post, ProductTag, utcnow
from socialshop.services import accounts
from socialshop.state.feed import PAGE_SIZE, WINDOW_PAGES, FeedState
from tests.unit.factories import make_product, make_shop, make_user

LIKE_BUDGET = 2048


@pytest.fixture
def tree(session):
    """A signed-in tab's state tree over a feed of 5 pages of tagged posts (some fundraisers)."""
    viewer = make_user(session, with_pin=False)
    shop = make_shop(session)
    product = make_product(session, shop=shop)
    now = utcnow()
    posts = []
    for n in range(PAGE_SIZE * 5):
        post = Post(
            author_shop_id=shop.id,
            app="instagram",
            text=f"Post number {n} with a caption long enough to look like a real one, and then some.",
            created_at=now - dt.timedelta(minutes=n),
        )
        session.add(post)
        session.flush()
        session.add(ProductTag(post_id=post.id, product_id=product.id, x_pct=40, y_pct=60))
        if n % 10 == 0:
            session.add(Fundraiser(post_id=post.id, organizer_id=viewer.id, title=f"Cause {n}", goal_cents=100_000))
        posts.append(post)
    token = accounts._open_session(session, viewer)
    session.commit()
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = root.get_substate(FeedState.get_full_name().split("."))
    state.auth_token = token
    root._clean()
    return root, state, [p.id for p in posts], session


def delta_of(root) -> tuple[dict, int]:
    """The delta Reflex would send now, its size in bytes; then clean, as after sending it."""
    delta = root.get_delta()
    text = format.json_dumps(delta)
    root._clean()
    return json.loads(text), len(text.encode())


def feed_vars(delta: dict) -> dict:
    return delta.get(FeedState.get_full_name(), {})


def shown_ids(state) -> list[int]:
    """Post ids in screen order: the slots sorted by their CSS order."""
    slots = sorted(range(WINDOW_PAGES), key=lambda s: state.slot_order[s])
    return [post.id for s in slots for post in getattr(state, f"page{s}")]


def test_a_like_sends_under_2_kb_whatever_was_scrolled(tree):
    root, state, ids, _ = tree
    FeedState.load.fn(state, "")
    for _ in range(WINDOW_PAGES - 1):
        FeedState.load_more.fn(state)
    _, loaded_size = delta_of(root)
    assert len(shown_ids(state)) == PAGE_SIZE * WINDOW_PAGES
    assert loaded_size > 20_000  # the pages themselves did travel

    FeedState.toggle_like.fn(state, ids[45])
    delta, size = delta_of(root)
    assert size <= LIKE_BUDGET, (size, delta)
    sent = feed_vars(delta)
    assert not any(name.startswith("page") for name in sent), sent
    assert sent["like_counts_rx_state_"] == {str(ids[45]): 1}
    assert sent["liked_rx_state_"] == {str(ids[45]): True}

    FeedState.toggle_like.fn(state, ids[45])  # unlike: the overlay now says 0, not liked
    delta, size = delta_of(root)
    assert size <= LIKE_BUDGET
    assert feed_vars(delta)["liked_rx_state_"] == {str(ids[45]): False}


def test_show_more_sends_only_the_new_page_and_keeps_a_bounded_window(tree):
    root, state, ids, _ = tree
    FeedState.load.fn(state, "")
    delta_of(root)
    for page in range(1, 5):
        FeedState.load_more.fn(state)
        delta, _ = delta_of(root)
        sent = feed_vars(delta)
        pages_sent = {name for name in sent if name.startswith("page")}
        assert len(pages_sent) == 1, pages_sent
        new_ids = [post["id"] for post in sent[pages_sent.pop()]]
        assert new_ids == ids[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    # Five pages fetched: the window holds the last three, in order, the oldest first.
    assert shown_ids(state) == ids[2 * PAGE_SIZE:5 * PAGE_SIZE]
    assert state.slot_order == [1, 2, 0]  # slot 1 holds the newest page, slot 2 the oldest
    assert state.reading_order == "feed-slot-2 feed-slot-0 feed-slot-1"


def test_dropping_a_page_prunes_its_overlays(tree):
    root, state, ids, _ = tree
    FeedState.load.fn(state, "")
    FeedState.toggle_like.fn(state, ids[0])
    FeedState.toggle_like.fn(state, ids[PAGE_SIZE])  # not on screen yet: no overlay for it
    assert set(state.like_counts) == {str(ids[0])}
    for _ in range(WINDOW_PAGES):
        FeedState.load_more.fn(state)
    assert ids[0] not in shown_ids(state)
    assert state.like_counts == {} and state.liked == {}


def test_fundraiser_poll_sends_nothing_unless_a_total_moved(tree):
    root, state, ids, session = tree
    FeedState.load.fn(state, "")
    FeedState.load_more.fn(state)
    delta_of(root)
    FeedState.refresh_fundraisers.fn(state, "tick")
    delta, _ = delta_of(root)
    assert feed_vars(delta) == {}

    fundraiser = session.exec(select(Fundraiser).where(Fundraiser.post_id == ids[10])).one()
    fundraiser.raised_cents = 25_000
    session.commit()
    FeedState.refresh_fundraisers.fn(state, "tick")
    delta, size = delta_of(root)
    sent = feed_vars(delta)
    assert set(sent) == {"fundraisers_rx_state_"}
    assert list(sent["fundraisers_rx_state_"]) == [str(fundraiser.id)]
    assert sent["fundraisers_rx_state_"][str(fundraiser.id)]["percent"] == 25
    assert size < 1024


def test_a_comment_sends_that_posts_comments_and_count_only(tree):
    root, state, ids, _ = tree
    FeedState.load.fn(state, "")
    FeedState.load_more.fn(state)
    FeedState.toggle_comments.fn(state, ids[3])
    delta_of(root)
    FeedState.post_comment.fn(state, {"form_key": str(state.comment_form_key), "text": "Lovely"})
    delta, size = delta_of(root)
    sent = feed_vars(delta)
    assert set(sent) == {"comments_rx_state_", "comment_counts_rx_state_", "comment_form_key_rx_state_"}
    assert sent["comment_counts_rx_state_"] == {str(ids[3]): 1}
    assert size <= LIKE_BUDGET


def test_leaving_the_feed_empties_it_so_other_pages_carry_none_of_it(tree, monkeypatch):
    root, state, _, _ = tree
    FeedState.load.fn(state, "")
    FeedState.load_more.fn(state)
    delta_of(root)
    # A leave arriving after another feed page reloaded the window leaves it alone.
    monkeypatch.setattr(type(state), "router", property(lambda self: _Router("", path="/feed/facebook")), raising=False)
    FeedState.leave.fn(state)
    assert feed_vars(delta_of(root)[0]) == {}
    # The unmount names the page being left (the window's own page): the window goes.
    monkeypatch.setattr(type(state), "router", property(lambda self: _Router("", path="/")), raising=False)
    FeedState.leave.fn(state)
    delta, size = delta_of(root)
    assert size < 1024  # emptying sends empty values, not the pages
    assert feed_vars(delta)["page0_rx_state_"] == []
    defaults = FeedState(_reflex_internal_init=True).dict()[FeedState.get_full_name()]  # type: ignore[call-arg]
    current = root.dict()[FeedState.get_full_name()]
    assert {k: v for k, v in current.items() if v != defaults.get(k)} == {}
    # The unmount may also name the next page: one that shows no feed clears it too.
    monkeypatch.setattr(type(state), "router", property(lambda self: _Router("", path="/feed/whatsapp")), raising=False)
    FeedState.load.fn(state, "")
    assert state.page0
    monkeypatch.setattr(type(state), "router", property(lambda self: _Router("", path="/cart")), raising=False)
    FeedState.leave.fn(state)
    assert state.page0 == [] and state.has_posts is False


def test_the_permalink_is_readable_logged_out_and_a_bad_id_is_not_found(tree, monkeypatch):
    root, state, ids, _ = tree
    state.auth_token = ""
    for raw, missing in ((str(ids[7]), False), ("999999", True), ("abc", True), ("-1", True)):
        monkeypatch.setattr(type(state), "router", property(lambda self, raw=raw: _Router(raw)), raising=False)
        FeedState.open_post.fn(state)
        assert state.permalink_missing is missing
        assert [p.id for p in state.permalink] == ([] if missing else [ids[7]])
    # Logged out, the post carries nothing about a viewer.
    monkeypatch.setattr(type(state), "router", property(lambda self: _Router(str(ids[7]))), raising=False)
    FeedState.open_post.fn(state)
    assert state.permalink[0].liked_by_viewer is False and state.user_display_name == ""


class _Router:
    """The parts of Reflex's router a handler reads, for a /post/<raw> page."""

    def __init__(self, raw: str, path: str = ""):
        self._page = type("P", (), {"params": {"post_id": raw}})()
        self.url = type("U", (), {"path": path or f"/post/{raw}", "query": ""})()
        self.headers = type("H", (), {"user_agent": "test"})()


def test_a_posts_permalink_view_is_the_feeds_view_of_it(tree):
    """get_post_view (the permalink) and list_feed show a post the same way, likes included."""
    from socialshop.models import Shop, User
    from socialshop.services import feed
    from socialshop.services.errors import NotFound

    _, _, ids, session = tree
    viewer = session.exec(select(User)).first()
    feed.toggle_like(session, user=viewer, post_id=ids[10])
    session.commit()
    for who in (viewer, None):
        listed = {p.id: p for p in feed.list_feed(session, viewer=who, limit=PAGE_SIZE)}
        assert feed.get_post_view(session, viewer=who, post_id=ids[10]) == listed[ids[10]]
    assert feed.get_post_view(session, viewer=None, post_id=ids[10]).liked_by_viewer is False
    for garbage in ("abc", "0", "-1", 10**9, None, "1.5"):
        with pytest.raises(NotFound):
            feed.get_post_view(session, viewer=None, post_id=garbage)
    shop = session.exec(select(Shop)).first()
    shop.deleted_at = utcnow()
    session.commit()
    with pytest.raises(NotFound):
        feed.get_post_view(session, viewer=None, post_id=ids[10])
