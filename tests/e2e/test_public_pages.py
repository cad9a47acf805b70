"""Public pages: a logged-out visitor reads a shop and a product from a shared link; buying
asks to log in and comes back to the product, where the purchase then goes through."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_foundation import shot
from tests.e2e.test_payments import pay_button
from tests.e2e.test_qr_payments import record_frames
from tests.e2e.world import PASSWORD, PIN, world

CAFFE = "/shop/caffe-aurora"
CANTUCCI = "Cantucci alle mandorle 300 g"


@pytest.fixture
def needs_database(pytestconfig):
    if pytestconfig.getoption("base_url", None):
        pytest.skip("makes its shopper straight in the harness's database")


def _logged_out_frame(page) -> None:
    """The navigation of a logged-out visitor: Shops, Log in, Sign up; nothing private."""
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link")).to_have_count(3)
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign up")).to_be_visible()
    expect(page.get_by_role("link", name="Pay", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Profile", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def _nothing_private_was_sent(frames: list[str]) -> None:
    """A logged-out visitor's websocket frames hold the shop and its products, and nobody's
    e-mail, name, phone or password hash (the shop's owner, Luca Moretti, included)."""
    text = "\n".join(frames).lower()
    assert "cantucci" in text, "the recorder saw no page data"
    people = ("giulia rossi", "marco bianchi", "anna ferraro", "davide conti", "luca moretti", "+39 ")
    leaked = [s for s in ("@example.com", "argon2", *people) if s in text]
    assert not leaked, f"a logged-out visitor received {leaked}"


def test_a_shared_shop_link_opens_logged_out_and_buying_comes_back_after_login(
    needs_database, new_context, request
):
    buyer, _card = world(request).shopper()
    context = new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    frames = record_frames(page)

    page.goto(CAFFE)
    expect(page.get_by_role("heading", name="Caffè Aurora", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/shop/caffe-aurora$"))
    expect(page).to_have_title("Caffè Aurora · SocialShop")
    cards = page.get_by_test_id("product-card")
    expect(cards).to_have_count(11)
    _logged_out_frame(page)
    expect(page.get_by_role("heading", name="Posts", exact=True)).to_be_visible()
    shot(page, "public-storefront-desktop")

    # Search and sort work logged out too.
    page.get_by_role("searchbox", name="Search this shop").fill("tazzine")
    page.get_by_role("searchbox", name="Search this shop").press("Enter")
    expect(cards).to_have_count(1)
    page.get_by_role("searchbox", name="Search this shop").fill("")
    page.get_by_role("searchbox", name="Search this shop").press("Enter")
    expect(cards).to_have_count(11)
    page.get_by_role("combobox", name="Sort by").click()
    page.get_by_role("option", name="Price: low to high").click()
    expect(cards.first).to_contain_text("€6.50")

    # A product card is a link to the product's own page.
    page.get_by_role("link", name=re.compile("^" + re.escape(CANTUCCI))).click()
    expect(page).to_have_url(re.compile(r"/shop/caffe-aurora/product/\d+$"))
    product_url = page.url
    expect(page.get_by_role("heading", name=CANTUCCI, level=1)).to_be_visible()
    expect(page).to_have_title(f"{CANTUCCI} · Caffè Aurora · SocialShop")
    details = page.get_by_test_id("product-page")
    expect(details.get_by_test_id("sheet-price")).to_have_text("€7.90")
    expect(details).to_contain_text(re.compile(r"\d+ left"))
    expect(details).to_contain_text("Biscotti secchi alle mandorle")
    expect(details.get_by_role("link", name="Caffè Aurora")).to_be_visible()
    expect(page.get_by_text("Log in or sign up to buy, save or chat with the shop.")).to_be_visible()
    _logged_out_frame(page)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == product_url
    shot(page, "public-product-desktop")
    _nothing_private_was_sent(frames)

    # Buying asks to log in, then comes back to the product.
    page.get_by_role("button", name="Buy now").click()
    expect(page).to_have_url(re.compile(r"/login\?next=/shop/caffe-aurora/product/\d+$"))
    expect(page.get_by_text("Log in to continue.")).to_be_visible()
    page.get_by_label("Email").fill(buyer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(product_url)
    expect(page.get_by_role("heading", name=CANTUCCI, level=1)).to_be_visible()
    # Signed in: the usual navigation, no log-in hint.
    expect(page.get_by_role("link", name="Pay", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_text("Log in or sign up to buy, save or chat with the shop.")).to_have_count(0)

    # ... and the purchase works as usual.
    page.get_by_role("button", name="Buy now").click()
    expect(page).to_have_url(re.compile(r"/checkout\?product=\d+&qty=1&app=facebook"))
    page.get_by_label("Address").fill("Via Garibaldi 3")
    page.get_by_label("Postal code").fill("09124")
    page.get_by_label("City").fill("Cagliari")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()


def test_save_logged_out_then_sign_up_on_a_phone_comes_back_to_the_product(new_context):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto("/shops")
    expect(page.get_by_test_id("shop-link").filter(has_text="Caffè Aurora")).to_have_count(1)
    expect(page.get_by_role("link", name="Saved")).to_have_count(0)
    page.get_by_test_id("shop-link").filter(has_text="Caffè Aurora").click()
    expect(page.get_by_role("heading", name="Caffè Aurora", level=1)).to_be_visible()
    _logged_out_frame(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    shot(page, "public-storefront-phone")

    page.get_by_role("link", name=re.compile("^" + re.escape(CANTUCCI))).click()
    expect(page.get_by_role("heading", name=CANTUCCI, level=1)).to_be_visible()
    product_path = re.sub(r"^https?://[^/]+", "", page.url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    shot(page, "public-product-phone")

    # "Save" logged out asks to log in; the sign-up link keeps the way back.
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/signup\?next="))
    email = f"pia-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("Your name").fill("Pia Pubblica")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Sign-up received.")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(product_path) + "$"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Saved")).to_have_attribute("aria-pressed", "true")


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/shop/no-such-shop", "Shop not found"),
        ("/shop/no-such-shop/product/1", "Product not found"),
        ("/shop/caffe-aurora/product/999999", "Product not found"),
        ("/shop/caffe-aurora/product/garbage", "Product not found"),
    ],
)
def test_a_wrong_link_says_not_found(page, path, heading):
    page.goto(path)
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Browse all shops")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_a_product_of_another_shop_under_this_shops_link_is_not_found(page):
    page.goto("/shop/bottega-verde")
    page.get_by_test_id("product-card").first.click()
    expect(page).to_have_url(re.compile(r"/shop/bottega-verde/product/\d+$"))
    product_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"/shop/caffe-aurora/product/{product_id}")
    expect(page.get_by_role("heading", name="Product not found", level=1)).to_be_visible()


@pytest.mark.parametrize("path", ["/shops", CAFFE, "product"])
def test_public_pages_are_accessible_logged_out(page, path):
    if path == "product":
        page.goto(CAFFE)
        page.get_by_test_id("product-card").first.click()
        expect(page).to_have_url(re.compile(r"/product/\d+$"))
    else:
        page.goto(path)
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    _logged_out_frame(page)
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
