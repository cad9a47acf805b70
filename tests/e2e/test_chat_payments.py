"""A WhatsApp chat between a customer and a shop: the shop sends an order, the customer
pays it in the chat with the PIN, and the order turns paid on both screens without a reload."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_foundation import shot
from tests.e2e.test_qr_payments import assert_no_buyer_identity, record_frames

PIN = "3917"


def test_order_message_paid_in_the_chat_on_both_screens(phone_page, new_context):
    buyer = phone_page
    log_in(buyer, "marco@example.com", next_path="/shop/libreria-del-porto")
    buyer.get_by_role("link", name="Chat on WhatsApp").click()
    expect(buyer).to_have_url(re.compile(r"/whatsapp/chats\?shop=libreria-del-porto"))
    expect(buyer.get_by_role("heading", name="Libreria del Porto")).to_be_visible()
    buyer.get_by_label("Message").fill("Hello, do you have the historical atlas?")
    buyer.get_by_role("button", name="Send").click()
    expect(buyer.get_by_test_id("chat-message").filter(has_text="historical atlas")).to_have_count(1)

    shop = new_context().new_page()
    frames = record_frames(shop)
    log_in(shop, "libreria@example.com", next_path="/merchant/chats")
    shop.get_by_role("button", name=re.compile(r"^Customer [2-9A-Z]{4,}$")).first.click()
    expect(shop.get_by_test_id("chat-message").filter(has_text="historical atlas")).to_have_count(1)
    customer = shop.get_by_role("heading", level=2).inner_text()
    assert re.fullmatch(r"Customer [2-9A-Z]{4,}", customer)
    shop.get_by_label("Items").fill("Atlante storico")
    shop.get_by_label("Total (€)").fill("18.90")
    shop.get_by_role("button", name="Send order").click()
    shop_order = shop.get_by_test_id("order-message").filter(has_text="Atlante storico")
    expect(shop_order.get_by_test_id("order-status")).to_contain_text("Waiting for payment")

    # The order reaches the customer's open chat by itself.
    buyer_order = buyer.get_by_test_id("order-message").filter(has_text="Atlante storico")
    expect(buyer_order).to_contain_text("€18.90")
    shot(buyer, "chat-order-phone")
    buyer_order.get_by_role("button", name="Review and pay").click()
    dialog = buyer.get_by_role("dialog")
    expect(dialog.get_by_test_id("code-amount")).to_have_text("€18.90")
    dialog.get_by_label("Pay PIN").fill(PIN)
    shot(buyer, "chat-pay-dialog-phone")
    dialog.get_by_role("button", name="Pay €18.90").click()
    expect(dialog.get_by_role("status")).to_contain_text("Paid")
    dialog.get_by_role("button", name="Close").click()

    # Paid on both screens, neither reloaded; the shop never sees who the customer is.
    expect(buyer_order.get_by_test_id("order-status")).to_contain_text(re.compile(r"Paid\s*CH-\d+"))
    expect(buyer_order.get_by_role("button", name="Review and pay")).to_have_count(0)
    expect(shop_order.get_by_test_id("order-status")).to_contain_text(re.compile(r"Paid\s*CH-\d+"))
    body = shop.locator("body").inner_text()
    assert "marco" not in body.lower()
    assert_no_buyer_identity(frames)
    shot(buyer, "chat-paid-phone")
    assert serious_violations(buyer) == []
    assert serious_violations(shop) == []
    shot(shop, "merchant-chat-paid-desktop")
