"""Comments on feed posts: open a post's comments, write one, see it counted."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import log_in

COMMENTS_BUTTON = re.compile(r"^\d+ comments?$")


def _comments_label(count: int) -> str:
    return f"{count} comment" if count == 1 else f"{count} comments"


def _open_posts_comments(page, index: int):
    """Log in as marco and open the comments of the feed's post at `index`; returns (post,
    toggle button, count). The post is pinned by its id (the toggle's aria-controls): a post
    published meanwhile by a scenario on another worker does not shift it. The two scenarios
    use different posts, so neither sees the other's comments."""
    log_in(page, "marco@example.com")
    first = page.get_by_role("article").nth(index).get_by_role("button", name=COMMENTS_BUTTON)
    expect(first).to_have_attribute("aria-controls", re.compile(r"^comments-\d+$"))
    section = first.get_attribute("aria-controls")
    post = page.get_by_role("article").filter(has=page.locator(f"[aria-controls='{section}']"))
    toggle = post.get_by_role("button", name=COMMENTS_BUTTON)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    count = int(toggle.inner_text().split()[0])
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(post.get_by_label("Write a comment…")).to_be_visible()
    return post, toggle, count


def test_write_a_comment_on_a_post(page):
    post, _toggle, before = _open_posts_comments(page, 0)
    text = f"Love this one! {uuid.uuid4().hex[:6]}"
    field = post.get_by_label("Write a comment…")
    field.fill(text)
    post.get_by_role("button", name="Post", exact=True).click()

    comment = post.get_by_role("listitem").filter(has_text=text)
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text("Marco Bianchi")
    expect(field).to_have_value("")
    expect(post.get_by_role("button", name=_comments_label(before + 1), exact=True)).to_be_visible()
    expect(post.get_by_role("alert")).to_have_count(0)

    # The same button closes them again.
    post.get_by_role("button", name=_comments_label(before + 1), exact=True).click()
    expect(post.get_by_label("Write a comment…")).to_have_count(0)
    expect(post.get_by_role("listitem").filter(has_text=text)).to_have_count(0)


def test_empty_comment_is_refused_with_the_reason(page):
    post, toggle, before = _open_posts_comments(page, 1)
    # The toggle's count is the list's length (far below the 200 a page shows).
    expect(post.get_by_role("listitem")).to_have_count(before)
    field = post.get_by_label("Write a comment…")
    expect(field).to_have_attribute("maxlength", "500")

    post.get_by_role("button", name="Post", exact=True).click()
    expect(post.get_by_role("alert")).to_contain_text("Write a comment of 1 to 500 characters.")

    field.fill("   ")
    post.get_by_role("button", name="Post", exact=True).click()
    expect(post.get_by_role("alert")).to_contain_text("Write a comment of 1 to 500 characters.")
    expect(post.get_by_role("listitem")).to_have_count(before)
    expect(toggle).to_have_accessible_name(_comments_label(before))
