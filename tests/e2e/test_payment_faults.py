"""Payments when the gateway misbehaves, and checkout sheets that must not be mixed up.

The sandbox gateway's fault cards (README.md): 4000 0000 0000 4004 charges and then
loses its answer, 4000 0000 0000 5001 times out before charging. Fault scenarios use a
new account each, so a fault card never stays saved on a demo account.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import log_in, seeded_instagram_post, sign_up
from tests.e2e.test_foundation import shot
from tests.e2e.test_payments import (
    PIN,
    buy_now_from_instagram,
    expect_history_starts_with,
    fill_new_card,
    newest_entry,
    open_first_instagram_product,
    paid_entry,
    pay_button,
)

NEW_PIN = "4826"
CONFIRMING = "Confirming your payment…"
PAID = "Already paid — thank you!"


def new_shopper_with_pin(page, name: str) -> None:
    sign_up(page, name=name, email=f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com",
            password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()
    page.goto("/pay/security")
    expect(page.get_by_test_id("session-row")).to_have_count(1)  # the page has loaded
    page.get_by_label("New PIN (4 to 6 digits)").fill(NEW_PIN)
    page.get_by_label("Repeat the new PIN").fill(NEW_PIN)
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()


def pay_with_new_card(page, number: str) -> None:
    expect(page.get_by_role("radio", name="A new card")).to_be_checked()
    page.get_by_label("Address").fill("Via Garibaldi 3")
    page.get_by_label("Postal code").fill("09124")
    page.get_by_label("City").fill("Cagliari")
    fill_new_card(page, number=number, expiry="11/38", cvc="321")
    page.get_by_label("Pay PIN").fill(NEW_PIN)
    pay_button(page).click()


def test_a_lost_gateway_answer_is_confirmed_then_shown_paid_without_a_reload(page):
    new_shopper_with_pin(page, "Lina Lost")
    buy_now_from_instagram(page)
    pay_with_new_card(page, "4000 0000 0000 4004")

    # The charge went through but its answer was lost: never "refused", never "nothing charged".
    expect(page.get_by_role("heading", name=CONFIRMING)).to_be_visible()
    expect(page.get_by_text("Please don't pay again: this page updates by itself.")).to_be_visible()
    expect(page.get_by_text("Nothing was charged.")).to_have_count(0)
    expect(pay_button(page)).to_have_count(0)
    shot(page, "checkout-confirming-desktop")

    # No reload: the page follows the reconciliation by itself.
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    expect(page.get_by_test_id("order-number")).to_have_count(1)
    # One payment in the history, nothing before it.
    expect_history_starts_with(page, paid_entry(page), "")


def test_a_gateway_that_timed_out_before_charging_is_confirmed_as_not_charged(page):
    new_shopper_with_pin(page, "Tino Timeout")
    buy_now_from_instagram(page)
    pay_with_new_card(page, "4000 0000 0000 5001")

    expect(page.get_by_role("heading", name=CONFIRMING)).to_be_visible()
    # Only once the gateway confirmed it: refused, and now truly nothing was charged.
    expect(page.get_by_role("heading", name="Payment refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("confirmed that your card was not charged")
    expect_history_starts_with(page, "")


def test_confirming_on_a_phone(phone_page):
    page = phone_page
    new_shopper_with_pin(page, "Pia Phone")
    buy_now_from_instagram(page)
    pay_with_new_card(page, "4000 0000 0000 4004")
    expect(page.get_by_role("heading", name=CONFIRMING)).to_be_visible()
    shot(page, "checkout-confirming-phone")
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()


def test_a_second_products_checkout_in_the_same_tab_is_a_new_payment(page):
    log_in(page, "marco@example.com")
    buy_now_from_instagram(page)
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()

    # Another product of the same post, in the same tab: its own sheet, not the last result.
    page.goto("/feed/instagram")
    tags = seeded_instagram_post(page).get_by_test_id("product-tag")
    expect(tags.nth(1)).to_be_visible()
    tags.nth(1).click()
    page.get_by_test_id("product-sheet").get_by_role("button", name="Buy now").click()
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    expect(page.get_by_role("heading", name=PAID)).to_have_count(0)
    expect(pay_button(page)).to_be_enabled()


def test_a_quantity_that_cannot_be_bought_gets_a_reason_and_no_pay_button(page):
    log_in(page, "marco@example.com")
    buy_now_from_instagram(page)
    for quantity, reason in (("500", "between 1 and 99"), ("0", "between 1 and 99"), ("lots", "between 1 and 99")):
        page.goto(re.sub(r"qty=\d+", f"qty={quantity}", page.url))
        expect(page.get_by_role("alert")).to_contain_text(reason)
        expect(pay_button(page)).to_have_count(0)
        expect(page.get_by_label("Pay PIN")).to_have_count(0)


def test_cart_items_are_paid_in_the_app_they_were_found_in(page):
    new_shopper_with_pin(page, "Carla Carrello")
    before = newest_entry(page)
    sheet = open_first_instagram_product(page)
    sheet.get_by_role("button", name="Add to cart").click()
    expect(sheet.get_by_text("Added to cart")).to_be_visible()
    page.goto("/feed/facebook")
    page.get_by_role("article").filter(has=page.get_by_test_id("product-tag")).first.get_by_test_id(
        "product-tag"
    ).first.click()
    facebook_sheet = page.get_by_test_id("product-sheet")
    facebook_sheet.get_by_role("button", name="Add to cart").click()
    expect(facebook_sheet.get_by_text("Added to cart")).to_be_visible()

    page.goto("/cart")
    expect(page.get_by_text("one checkout per app")).to_be_visible()
    checkouts = page.get_by_role("button", name=re.compile(r"^Checkout · "))
    expect(checkouts).to_have_count(2)
    shot(page, "cart-two-apps-desktop")
    page.get_by_role("button", name=re.compile(r"^Checkout · Instagram")).click()
    expect(page).to_have_url(re.compile(r"/checkout\?app=instagram"))
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    pay_with_new_card(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name=PAID)).to_be_visible()
    paid = paid_entry(page)

    expect_history_starts_with(page, paid, before)
    page.goto("/pay/history")
    expect(page.get_by_test_id("history-entry").first).to_contain_text("Instagram")
    # The Facebook line waits for its own checkout.
    page.goto("/cart")
    expect(page.get_by_role("button", name=re.compile(r"^Checkout · "))).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile(r"^Checkout · Facebook"))).to_be_visible()
