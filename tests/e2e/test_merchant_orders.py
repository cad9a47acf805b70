"""/merchant/orders, the order desk, as a shop owner and their customer use it.

Each scenario opens a fresh shop with one product and a fresh customer (written through the
services into the harness's database: the desk is what is tested, not the shop sign-up),
then the customer buys through the real checkout and the merchant works the order in a
browser of their own.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from socialshop.db import make_engine
from socialshop.models import Product, Role
from socialshop.services import accounts, shops
from tests.e2e.conftest import DESKTOP, PHONE, log_in
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_foundation import shot
from tests.e2e.test_payments import fill_new_card, pay_button

PASSWORD = "a-good-pass-42"
BUYER_PIN = "6152"


@pytest.fixture
def world(request, pytestconfig) -> dict:
    """A fresh merchant with a €24.00 vase in stock, and a fresh customer with no card yet."""
    if pytestconfig.getoption("base_url", None):
        pytest.skip("writes a shop straight into the harness's database")
    tag = uuid.uuid4().hex[:8]
    engine = make_engine(request.getfixturevalue("test_database"))
    try:
        with Session(engine, expire_on_commit=False) as session:
            owner = accounts.sign_up(session, email=f"ceramiche-{tag}@example.com", password=PASSWORD,
                                     display_name="Rosa Ceramiche", role=Role.MERCHANT)
            shop = shops.create_shop(session, owner=owner, name=f"Ceramiche {tag}")
            product = Product(shop_id=shop.id, title=f"Blue vase {tag}", price_cents=2400, stock=5)
            session.add(product)
            buyer = accounts.sign_up(session, email=f"beatrice-{tag}@example.com", password=PASSWORD,
                                     display_name="Beatrice Compratrice", phone_number="+39 333 1234567")
            session.commit()
            return {"merchant": owner.email, "buyer": buyer.email, "buyer_name": buyer.display_name,
                    "buyer_phone": "333 1234567", "product": product.id, "title": product.title}
    finally:
        engine.dispose()


def buy_two(page, world) -> tuple[str, str]:
    """The customer sets a PIN and buys two vases with a new card; (order number, order path)."""
    log_in(page, world["buyer"], PASSWORD, next_path="/pay/security")
    page.get_by_label("New PIN (4 to 6 digits)").fill(BUYER_PIN)
    page.get_by_label("Repeat the new PIN").fill(BUYER_PIN)
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()
    page.goto(f"/checkout?product={world['product']}&qty=2&app=instagram")
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    page.get_by_label("Address").fill("Via dei Mille 12")
    page.get_by_label("Postal code").fill("80121")
    page.get_by_label("City").fill("Napoli")
    fill_new_card(page, number="4242 4242 4242 4242", expiry="11/38", cvc="321")
    page.get_by_label("Pay PIN").fill(BUYER_PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    number = page.get_by_test_id("order-number").first.inner_text()
    page.get_by_role("link", name="See my orders").click()
    page.get_by_role("link", name=f"Order {number}").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    return number, page.url


def record_frames(page) -> list[str]:
    """Every websocket frame the page receives (the merchant's whole view of the app)."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    return frames


def test_ship_then_refund_half_and_the_customer_sees_both(page, new_context, world):
    number, order_url = buy_two(page, world)

    merchant = new_context(viewport=DESKTOP).new_page()
    frames = record_frames(merchant)
    log_in(merchant, world["merchant"], PASSWORD, next_path="/merchant/orders")
    expect(merchant.get_by_role("heading", name="Orders")).to_be_visible()
    cards = merchant.get_by_test_id("desk-order")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card).to_have_attribute("data-order", number)
    expect(card.get_by_test_id("desk-customer")).to_have_text(re.compile(r"^Customer [2-9A-HJKMNP-Z]{4}$"))
    expect(card).to_contain_text(f"2 × {world['title']}")
    # Starter package: 5% of €48.00, no flat fee above €8.
    for text in ("Gross", "€48.00", "Commission", "€2.40", "Flat fee", "€0.00", "Net"):
        expect(card).to_contain_text(text)
    expect(card.get_by_test_id("desk-net")).to_have_text("€45.60")
    expect(card).to_contain_text("Via dei Mille 12, 80121 Napoli, IT")
    shot(merchant, "merchant-orders-desktop")
    assert serious_violations(merchant) == []

    # Shipping: a bad tracking number is explained, a good one ships it.
    card.get_by_role("button", name="Mark shipped").click()
    dialog = merchant.get_by_role("dialog")
    dialog.get_by_label("Carrier").select_option("brt")
    dialog.get_by_label("Tracking number").fill("ab")
    dialog.get_by_role("button", name="Mark shipped").click()
    expect(dialog.get_by_role("alert")).to_have_text(re.compile("A tracking number is 6 to 40 letters"))
    shot(merchant, "merchant-orders-ship-dialog-desktop")
    dialog.get_by_label("Tracking number").fill("brt 0012 3456 78")
    dialog.get_by_role("button", name="Mark shipped").click()
    expect(merchant.get_by_text(f"Order {number} is shipped with tracking number BRT0012345678.")).to_be_visible()
    expect(card.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(card.get_by_role("button", name="Mark shipped")).to_have_count(0)
    expect(card.get_by_role("button", name="Cancel order")).to_have_count(0)

    page.goto(order_url)
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_test_id("tracking-number")).to_have_text("BRT0012345678")
    expect(page.get_by_text("BRT", exact=True)).to_be_visible()

    # Refunding: more than was paid is refused with what is left, then half goes back.
    card.get_by_role("button", name="Refund").click()
    dialog = merchant.get_by_role("dialog")
    expect(dialog).to_contain_text("You can refund up to €48.00.")
    dialog.get_by_label("Amount in euros").fill("48.01")
    dialog.get_by_role("button", name="Refund").click()
    expect(dialog.get_by_role("alert")).to_have_text("That is more than is left to refund: at most €48.00.")
    dialog.get_by_label("Amount in euros").fill("zero")
    dialog.get_by_role("button", name="Refund").click()
    expect(dialog.get_by_role("alert")).to_have_text("Enter the amount as a number, like 12.50.")
    dialog.get_by_label("Amount in euros").fill("24")
    dialog.get_by_label("Reason (optional, the customer sees it)").fill("One vase arrived chipped")
    dialog.get_by_role("button", name="Refund").click()
    expect(merchant.get_by_text(f"€24.00 refunded for order {number}.")).to_be_visible()
    expect(card.get_by_test_id("order-status")).to_have_text("Partially refunded")
    expect(card.get_by_test_id("desk-refunded")).to_have_text("Refunded to the customer: €24.00 · you keep €22.80")
    shot(merchant, "merchant-orders-refunded-desktop")

    page.goto(order_url)
    expect(page.get_by_test_id("order-status")).to_have_text("Partially refunded")
    refunds = page.get_by_test_id("order-refund")
    expect(refunds).to_have_count(1)
    expect(refunds.first).to_contain_text("+€24.00")
    expect(refunds.first).to_contain_text("One vase arrived chipped")
    expect(page.get_by_test_id("tracking-number")).to_have_text("BRT0012345678")
    shot(page, "order-shipped-refunded-desktop")
    page.get_by_role("button", name="Notifications").click()
    entries = page.get_by_role("dialog").get_by_test_id("notification-entry")
    expect(entries.filter(has_text=f"€24.00 refunded for order {number}: it is on its way back to your card.")).to_have_count(1)
    expect(entries.filter(has_text="Tracking number: BRT0012345678")).to_have_count(1)
    page.keyboard.press("Escape")
    page.goto("/pay/history")
    expect(page.get_by_test_id("history-entry").first).to_contain_text("+€24.00")

    # The merchant never received the customer's name, email or phone.
    merchant.reload()
    expect(merchant.get_by_test_id("desk-order")).to_have_count(1)
    seen = "\n".join(frames) + merchant.content()
    for private in (world["buyer_name"], "Beatrice", "Compratrice", world["buyer"], world["buyer_phone"]):
        assert private not in seen, private


def test_cancel_on_a_phone_and_a_shopper_is_refused(page, new_context, world):
    number, order_url = buy_two(page, world)
    merchant = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(merchant, world["merchant"], PASSWORD, next_path="/merchant/orders?status=paid&app=instagram")
    card = merchant.get_by_test_id("desk-order")
    expect(card).to_have_count(1)
    expect(merchant.get_by_label("Status")).to_have_value("paid")
    shot(merchant, "merchant-orders-phone")
    assert serious_violations(merchant) == []
    width = merchant.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width

    card.get_by_role("button", name="Cancel order").click()
    dialog = merchant.get_by_role("dialog")
    expect(dialog).to_contain_text("The customer gets €48.00 back on their card")
    shot(merchant, "merchant-orders-cancel-dialog-phone")
    dialog.get_by_role("button", name="Cancel and refund").click()
    expect(merchant.get_by_text(f"Order {number} cancelled; €48.00 refunded to the customer.")).to_be_visible()
    # Filtered on "paid": the cancelled order leaves the list.
    expect(merchant.get_by_test_id("desk-order")).to_have_count(0)
    expect(merchant.get_by_text("No orders match these filters.")).to_be_visible()
    merchant.get_by_role("button", name="Clear filters").click()
    expect(merchant).to_have_url(re.compile(r"/merchant/orders$"))
    expect(merchant.get_by_test_id("desk-order").first.get_by_test_id("order-status")).to_have_text("Cancelled")

    page.goto(order_url)
    expect(page.get_by_test_id("order-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("order-refund")).to_have_count(1)

    # The customer is no merchant: the desk refuses them and shows nothing.
    page.goto("/merchant/orders")
    expect(page.get_by_text("This page is for shop owners.")).to_be_visible()
    expect(page.get_by_test_id("desk-order")).to_have_count(0)
    # A hand-edited link names its problem.
    merchant.goto("/merchant/orders?status=lost")
    expect(merchant.get_by_role("alert")).to_have_text("Choose a status from the list.")
