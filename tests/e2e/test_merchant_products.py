"""A new merchant opens a shop from the profile, adds a product with a photo, posts it on
Instagram with a tag placed by clicking on the picture, and the post shows in the Instagram
feed with its tag; a shopper opening the merchant pages is refused."""

from __future__ import annotations

import re
import uuid

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, sign_up
from tests.e2e.test_accessibility import serious_violations


def small_png(path, colour=(40, 120, 200)):
    Image.new("RGB", (320, 240), colour).save(path, format="PNG")
    return path


def test_new_merchant_creates_a_product_and_posts_it_on_instagram_with_a_tag(page, tmp_path):
    run = uuid.uuid4().hex[:6]
    sign_up(page, name="Nadia Forno", email=f"nadia-{run}@example.com", password="forno-nadia-2026")

    # Opening a shop from the profile: the address is suggested from the name.
    page.goto("/profile")
    page.get_by_role("button", name="Start selling").click()
    page.get_by_label("Shop name").fill(f"Forno Nadia {run}")
    page.get_by_label("City").click()
    expect(page.get_by_label("Address of your shop")).to_have_value(f"forno-nadia-{run}")
    page.get_by_label("City").fill("Cagliari")
    page.get_by_label("Description", exact=True).fill("Pane e dolci")
    page.locator("#shop-logo input[type=file]").set_input_files(small_png(tmp_path / "logo.png", (200, 80, 40)))
    expect(page.get_by_test_id("shop-logo-preview")).to_be_visible()
    page.get_by_role("button", name="Open shop").click()
    expect(page).to_have_url(re.compile(r"/merchant$"))
    expect(page.get_by_role("heading", name=f"Forno Nadia {run}")).to_be_visible()
    expect(page.get_by_role("link", name="Your shop").first).to_be_visible()

    # A product with a photo; a bad price is refused first, with a message.
    page.get_by_role("link", name="Products").first.click()
    expect(page).to_have_url(re.compile(r"/merchant/products$"))
    page.get_by_role("button", name="New product").click()
    page.locator("#product-image input[type=file]").set_input_files(small_png(tmp_path / "photo.png"))
    expect(page.get_by_test_id("product-image-preview")).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Focaccia al rosmarino")
    page.get_by_label("Price (€)").fill("0")
    page.get_by_label("Stock").fill("5")
    page.get_by_label("Category").select_option("food")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_role("alert")).to_contain_text("The price must be more than zero.")
    page.get_by_label("Price (€)").fill("12,50")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_text("Product created.")).to_be_visible()
    products = page.get_by_test_id("merchant-product")
    expect(products).to_have_count(1)
    expect(products.first).to_contain_text("Focaccia al rosmarino")
    expect(products.first).to_contain_text("€12.50")
    expect(products.first.locator("img")).to_have_attribute("src", re.compile(r"-thumb\.jpg$"))

    # Post to Instagram with the product's photo and a tag placed by a click.
    page.get_by_role("link", name="Post to an app").click()
    expect(page).to_have_url(re.compile(r"/merchant/posts$"))
    # The picker shows the server's choice: check() would look once, before the answer came.
    page.get_by_role("radio", name="Instagram").click()
    expect(page.get_by_role("radio", name="Instagram")).to_be_checked()
    page.get_by_label("Text", exact=True).fill(f"Appena sfornata {run}")
    page.get_by_role("button", name="Use the photo of Focaccia al rosmarino").click()
    canvas = page.get_by_test_id("tag-canvas")
    expect(canvas).to_be_visible()
    page.get_by_role("group", name="Product to tag").get_by_role("button", name="Focaccia al rosmarino").click()
    box = canvas.bounding_box()
    assert box is not None
    canvas.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.6})
    expect(page.get_by_test_id("tag-marker")).to_have_count(1)
    # The tag is centred where the click was.
    marker = page.get_by_test_id("tag-marker").bounding_box()
    assert marker is not None
    assert abs(marker["x"] + marker["width"] / 2 - (box["x"] + box["width"] * 0.25)) < 3
    assert abs(marker["y"] + marker["height"] / 2 - (box["y"] + box["height"] * 0.6)) < 3
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Posted.")
    page.get_by_role("link", name="Open the feed").click()

    expect(page).to_have_url(re.compile(r"/feed/instagram$"))
    post = page.get_by_role("article").filter(has_text=f"Appena sfornata {run}")
    expect(post).to_have_count(1)
    expect(post.get_by_test_id("product-tag")).to_have_count(1)
    expect(post.get_by_test_id("product-tag")).to_contain_text("Focaccia al rosmarino")

    # The storefront shows the product and the post.
    page.goto(f"/shop/forno-nadia-{run}")
    expect(page.get_by_role("heading", name=f"Forno Nadia {run}")).to_be_visible()
    expect(page.get_by_text("Cagliari")).to_be_visible()
    expect(page.get_by_test_id("product-card")).to_have_count(1)
    expect(page.get_by_role("article")).to_have_count(1)


def test_a_shopper_opening_the_merchant_pages_is_refused(page):
    run = uuid.uuid4().hex[:6]
    sign_up(page, name="Sara Spesa", email=f"sara-{run}@example.com", password="sara-spesa-2026")
    for path in ("/merchant/products", "/merchant/posts", "/merchant"):
        page.goto(path)
        expect(page.get_by_role("alert")).to_contain_text("This page is for shop owners.")
        expect(page.get_by_role("button", name="New product")).to_have_count(0)
    expect(page.get_by_role("link", name="Your shop")).to_have_count(0)


@pytest.mark.parametrize("path", ["/merchant", "/merchant/products", "/merchant/posts", "/shop/bottega-verde"])
def test_merchant_pages_are_accessible(page, path):
    log_in(page, "bottega@example.com", next_path=path)
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
