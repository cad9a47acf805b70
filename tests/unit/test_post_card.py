"""The feed's post card re-renders only when its own post changes.

React re-renders every component that reads a state's context whenever any var of that
state changes. The card is a memo that takes its counts as props and reads no state but
the session's language, so a like (a change of FeedState's overlay dicts) re-renders the
one card whose props changed; the bench_events.py click → screen figures rest on this.
"""

from __future__ import annotations

from socialshop.components import posts
from socialshop.state.feed import FeedState
from socialshop.state.session import SessionState
from socialshop.state.shopping import ProductSheetState


def _states_read(memo) -> set[str]:
    """The states whose context the memo's compiled body subscribes to."""
    body = memo._definition.component
    hooks = "\n".join(body._get_all_hooks())
    names = {
        "feed": FeedState.get_full_name(),
        "product sheet": ProductSheetState.get_full_name(),
        "session": SessionState.get_full_name(),
    }
    return {label for label, name in names.items() if f'useStateContext("{name}")' in hooks}


def test_the_post_card_reads_only_the_language():
    assert _states_read(posts.post_card_view) == {"session"}


def test_the_open_comments_and_the_sheet_read_their_own_state():
    assert "feed" in _states_read(posts.open_comments)
    assert "product sheet" in _states_read(posts.post_sheet)


def test_the_feed_hands_the_card_its_overlaid_counts_as_props():
    card = posts.post_card(FeedState.page0[0], eager=True)
    rendered = str(card.render())
    for prop in ("likeCount", "liked", "commentCount", "commentsOpen", "fundraiser"):
        assert prop in rendered, prop
    assert "like_counts" in rendered  # the overlay is read here, in the foreach, not in the card
