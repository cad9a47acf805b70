"""Accounts, feed and navigation, as a person uses them."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, log_in, seeded_instagram_post, sign_up, submit_sign_up
from tests.e2e.pages import log_in_new_shopper
from tests.e2e.world import PASSWORD, world

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def test_sign_up_lands_on_the_feed(page):
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, name="Nuova Utente", email=email, password="a-good-pass-42")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("article").first).to_be_visible()
    shot(page, "feed-after-signup-desktop")


def test_sign_up_with_a_taken_email_answers_like_a_new_one(page):
    submit_sign_up(page, name="Someone", email="Marco@Example.com", password="a-good-pass-42")
    expect(page).to_have_url(re.compile(r"/login\?signed_up=1"))
    expect(page.get_by_text("Sign-up received.")).to_be_visible()
    # Nothing changed: the account's own password still logs in, the sign-up's does not.
    page.get_by_label("Email").fill("marco@example.com")
    page.get_by_label("Password").fill("a-good-pass-42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")


def test_weak_password_is_explained(page):
    submit_sign_up(page, name="Someone", email=f"weak-{uuid.uuid4().hex[:6]}@example.com", password="12345678")
    expect(page.get_by_role("alert")).to_contain_text("at least 8 characters")


def test_log_in_with_a_demo_account_shows_the_feed(page):
    log_in(page, "marco@example.com")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("article").first).to_be_visible()
    expect(page.get_by_role("heading", name="All apps")).to_be_visible()


def test_wrong_password_shows_the_message_without_saying_if_the_email_exists(page):
    page.goto("/login")
    page.get_by_label("Email").fill("marco@example.com")
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    page.get_by_label("Email").fill("nobody-here@example.com")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page).to_have_url(re.compile(r"/login"))


def test_feed_of_one_app_shows_only_that_app(page):
    log_in(page, "marco@example.com")
    page.goto("/feed/whatsapp")
    expect(page.get_by_role("heading", name="WhatsApp")).to_be_visible()
    articles = page.get_by_role("article")
    expect(articles.first).to_be_visible()
    expect(articles.filter(has_not_text="WhatsApp")).to_have_count(0)
    for other in ("Facebook", "Instagram", "Messenger"):
        expect(articles.filter(has=page.get_by_text(other, exact=True))).to_have_count(0)


def test_product_tags_are_drawn_on_post_images(page):
    log_in(page, "marco@example.com")
    page.goto("/feed/instagram")
    first_post = seeded_instagram_post(page)
    expect(first_post.get_by_test_id("product-tag").first).to_be_visible()
    expect(first_post.get_by_test_id("product-tag").first).to_contain_text("€")
    # Tags on the image may shorten a long name; the list under the image shows it whole.
    products = first_post.get_by_role("region", name="Products in this post")
    expect(products.get_by_role("button", name=re.compile(r"Caffè in grani Miscela Aurora 1 kg"))).to_be_visible()


def test_logged_out_visitor_is_sent_to_login_and_brought_back(page):
    page.goto("/profile")
    expect(page).to_have_url(re.compile(r"/login\?next=/profile"))
    expect(page.get_by_text("Log in to continue.")).to_be_visible()
    page.get_by_label("Email").fill("marco@example.com")
    page.get_by_label("Password").fill("socialshop-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/profile/?$"))
    expect(page.get_by_text("marco@example.com")).to_be_visible()
    hub = page.get_by_role("navigation", name="Your orders, saved items and Pay")
    for label in ("Orders", "Saved", "Pay security", "Messenger money"):
        expect(hub.get_by_role("link", name=label)).to_be_visible()


def test_log_out_ends_the_session(page):
    log_in(page, "marco@example.com")
    page.get_by_role("button", name="Log out").first.click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_phone_shows_bottom_navigation_and_desktop_the_side_one(phone_page, page):
    log_in(phone_page, "marco@example.com")
    nav = phone_page.get_by_role("navigation", name="Main navigation")
    expect(nav.filter(visible=True)).to_have_count(1)
    bottom = nav.filter(visible=True)
    box = bottom.bounding_box()
    assert box is not None and box["y"] + box["height"] >= 844 - 2, box
    for label in ("Feed", "Shop", "Pay", "Profile"):
        expect(bottom.get_by_role("link", name=label)).to_be_visible()
    shot(phone_page, "feed-phone")

    page.set_viewport_size(DESKTOP)
    log_in(page, "marco@example.com")
    side = page.get_by_role("navigation", name="Main navigation").filter(visible=True)
    expect(side).to_have_count(1)
    box = side.bounding_box()
    first_post = page.get_by_role("article").first.bounding_box()
    assert box is not None and first_post is not None
    assert box["x"] + box["width"] <= first_post["x"], (box, first_post)
    expect(page.get_by_role("link", name="Profile").filter(visible=True)).to_have_count(1)
    shot(page, "feed-desktop")


def test_italian_account_sees_italian_and_euro_formatting(page, request):
    # An Italian account of its own: the merchants' journey switches giulia to English while it runs.
    log_in_new_shopper(page, request, name="Giorgia Sanna", language="it")
    expect(page.get_by_role("heading", name="Tutte le app")).to_be_visible()
    page.goto("/feed/instagram")
    tag = seeded_instagram_post(page).get_by_test_id("product-tag").first
    expect(tag).to_contain_text(re.compile(r"€\s\d+,\d\d"))
    shot(page, "feed-italian-desktop")


@pytest.mark.parametrize(
    "path",
    ["/feed/instagram", "/cart", "/saved", "/orders", "/orders/1", "/pay/history", "/pay/apps", "/pay/security",
     "/messenger/money", "/checkout", "/pay", "/pay/contact"],
)
def test_every_private_page_sends_a_logged_out_visitor_to_login(page, path):
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login/?\?next=" + re.escape(path)))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_like_and_unlike_a_post(page, request):
    # A person and a post of its own: a seeded post's count moves when other scenarios like it,
    # and "the first post" moves when they publish.
    w = world(request)
    text = w.post(w.merchant(), app="facebook")
    liker, _card = w.shopper(name="Luca Cuori")
    log_in(page, liker.email, PASSWORD)
    page.goto("/feed/facebook")
    like = page.get_by_role("article").filter(has_text=text).get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like).to_have_text("0")
    like.click()
    expect(like).to_have_text("1")
    expect(like).to_have_attribute("aria-pressed", "true")
    like.click()
    expect(like).to_have_text("0")
    expect(like).to_have_attribute("aria-pressed", "false")
