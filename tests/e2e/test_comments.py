"""Comments on feed posts: open a post's comments, write one, see it counted."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.world import PASSWORD, world

COMMENTS_BUTTON = re.compile(r"^\d+ comments?$")


def _comments_label(count: int) -> str:
    return f"{count} comment" if count == 1 else f"{count} comments"


def _open_own_posts_comments(page, request):
    """A new shopper opens the comments of a new post of its own (found by its text: other
    scenarios publish and comment at any time, so neither "the first post" nor a seeded post's
    count stays put); it has no comments yet. Returns (post, toggle button, the shopper's name)."""
    w = world(request)
    text = w.post(w.merchant(), app="instagram")
    person, _card = w.shopper(name="Carla Commenti")
    log_in(page, person.email, PASSWORD, next_path="/feed/instagram")
    post = page.get_by_role("article").filter(has_text=text)
    toggle = post.get_by_role("button", name=COMMENTS_BUTTON)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_accessible_name("0 comments")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(post.get_by_label("Write a comment…")).to_be_visible()
    return post, toggle, person.name


def test_write_a_comment_on_a_post(page, request):
    post, _toggle, name = _open_own_posts_comments(page, request)
    text = f"Love this one! {uuid.uuid4().hex[:6]}"
    field = post.get_by_label("Write a comment…")
    field.fill(text)
    post.get_by_role("button", name="Post", exact=True).click()

    comment = post.get_by_role("listitem").filter(has_text=text)
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text(name)
    expect(field).to_have_value("")
    expect(post.get_by_role("button", name=_comments_label(1), exact=True)).to_be_visible()
    expect(post.get_by_role("alert")).to_have_count(0)

    # The same button closes them again.
    post.get_by_role("button", name=_comments_label(1), exact=True).click()
    expect(post.get_by_label("Write a comment…")).to_have_count(0)
    expect(post.get_by_role("listitem").filter(has_text=text)).to_have_count(0)


def test_empty_comment_is_refused_with_the_reason(page, request):
    post, toggle, _name = _open_own_posts_comments(page, request)
    # A new post: nothing listed, and a refused comment adds nothing.
    expect(post.get_by_role("listitem")).to_have_count(0)
    field = post.get_by_label("Write a comment…")
    expect(field).to_have_attribute("maxlength", "500")

    post.get_by_role("button", name="Post", exact=True).click()
    expect(post.get_by_role("alert")).to_contain_text("Write a comment of 1 to 500 characters.")

    field.fill("   ")
    post.get_by_role("button", name="Post", exact=True).click()
    expect(post.get_by_role("alert")).to_contain_text("Write a comment of 1 to 500 characters.")
    expect(post.get_by_role("listitem")).to_have_count(0)
    expect(toggle).to_have_accessible_name(_comments_label(0))
