"""The Pay hub's overview, the app switches and limits, and the not-found page, as a new user meets them.

Every scenario that changes a setting does it on a fresh account (sign_up), so the
shared database stays as the other scenarios expect it.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, sign_up
from tests.e2e.test_foundation import shot
from tests.e2e.test_payment_faults import new_shopper_with_pin, pay_with_new_card
from tests.e2e.test_payments import buy_now_from_instagram, open_first_instagram_product

PAY_TABS = ("Overview", "Methods", "Security", "Apps", "History", "Contact", "Support", "Insights")


def new_user(page, name: str) -> None:
    sign_up(page, name=name, email=f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com",
            password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()


def open_pay_from_the_navigation(page) -> None:
    nav = page.get_by_role("navigation", name="Main navigation").filter(visible=True)
    nav.get_by_role("link", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/pay/?$"))
    expect(page.get_by_role("heading", name="Pay", level=1)).to_be_visible()


def expect_overview_of_a_new_user(page) -> None:
    tabs = page.get_by_role("navigation", name="Pay")
    for name in PAY_TABS:
        expect(tabs.get_by_role("link", name=name)).to_have_count(1)
    expect(tabs.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("attention-item")).to_have_count(1)
    expect(page.get_by_test_id("attention-item")).to_contain_text("no Pay PIN yet")
    expect(page.get_by_test_id("month-spending")).to_have_text("€0.00")
    expect(page.get_by_text("No card saved yet.")).to_be_visible()
    apps = page.get_by_test_id("overview-app")
    expect(apps).to_have_count(4)
    for app in ("Facebook", "Instagram", "Messenger", "WhatsApp"):
        expect(apps.filter(has_text=app)).to_contain_text("On")
    expect(page.get_by_text("No payments yet.")).to_be_visible()


def test_a_new_user_opens_pay_from_the_navigation_on_a_phone(phone_page):
    new_user(phone_page, "Olga Overview")
    open_pay_from_the_navigation(phone_page)
    expect_overview_of_a_new_user(phone_page)
    # The eight tabs stay on one row that scrolls sideways, inside the screen's width.
    tabs = phone_page.get_by_role("navigation", name="Pay")
    box = tabs.bounding_box()
    assert box is not None and box["width"] <= 390 and box["height"] < 60, box
    shot(phone_page, "pay-overview-phone")
    phone_page.get_by_role("link", name="Open").click()
    expect(phone_page).to_have_url(re.compile(r"/pay/security$"))


def test_the_overview_on_a_desktop_shows_the_default_card_and_last_payments(page):
    page.set_viewport_size(DESKTOP)
    new_shopper_with_pin(page, "Dora Desktop")
    buy_now_from_instagram(page)
    pay_with_new_card(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    open_pay_from_the_navigation(page)
    expect(page.get_by_test_id("default-method")).to_contain_text("Visa •••• 4242")
    expect(page.get_by_text("Nothing needs your attention.")).to_be_visible()
    expect(page.get_by_test_id("recent-payment")).to_have_count(1)
    expect(page.get_by_test_id("recent-payment")).to_contain_text("Instagram")
    expect(page.get_by_test_id("month-spending")).not_to_have_text("€0.00")
    shot(page, "pay-overview-desktop")
    page.get_by_role("link", name="See all payments").click()
    expect(page).to_have_url(re.compile(r"/pay/history$"))


def expect_refused_naming_instagram(page) -> None:
    expect(page.get_by_role("alert")).to_contain_text("Pay is switched off in this app (Instagram)")
    link = page.get_by_role("link", name="Change this in Pay → Apps")
    expect(link).to_have_attribute("href", "/pay/apps")


def test_instagram_switched_off_refuses_from_the_post_and_the_cart_then_on_again(phone_page):
    page = phone_page
    new_user(page, "Ines Instagram")
    # In the cart before the switch goes off: the cart's checkout is refused too.
    sheet = open_first_instagram_product(page)
    sheet.get_by_role("button", name="Add to cart").click()
    expect(sheet.get_by_text("Added to cart")).to_be_visible()
    sheet.get_by_role("button", name="Close").click()
    expect(sheet).to_be_hidden()

    page.goto("/pay/apps")
    page.get_by_role("switch", name="Instagram").click()
    expect(page.get_by_text("Pay is now off in Instagram")).to_be_visible()
    expect(page.get_by_role("switch", name="Instagram")).not_to_be_checked()
    expect(page.get_by_role("switch", name="Use on all apps")).not_to_be_checked()
    shot(page, "pay-apps-instagram-off-phone")

    sheet = open_first_instagram_product(page)
    sheet.get_by_role("button", name="Buy now").click()
    expect(page).to_have_url(re.compile(r"/checkout/?\?.*app=instagram"))
    expect_refused_naming_instagram(page)
    shot(page, "checkout-refused-instagram-off-phone")

    page.goto("/cart")
    page.get_by_role("button", name=re.compile(r"^Checkout · Instagram")).click()
    expect(page).to_have_url(re.compile(r"/checkout\?app=instagram"))
    expect_refused_naming_instagram(page)
    page.get_by_role("link", name="Change this in Pay → Apps").click()
    expect(page).to_have_url(re.compile(r"/pay/apps$"))

    page.get_by_role("switch", name="Use on all apps").click()
    expect(page.get_by_text("Pay is now on in every app.")).to_be_visible()
    expect(page.get_by_role("switch", name="Instagram")).to_be_checked()
    page.goto("/cart")
    page.get_by_role("button", name=re.compile(r"^Checkout · Instagram")).click()
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Pay\b"))).to_be_enabled()


def test_a_monthly_limit_is_validated_and_refuses_a_payment_above_it(page):
    new_shopper_with_pin(page, "Lia Limit")
    page.goto("/pay/apps")
    limit = page.get_by_label("Monthly limit (€) in Instagram")
    instagram_form = page.locator("form").filter(has=limit)
    for typed, message in (("-5", "A limit cannot be negative."), ("200000", "That limit is too high"),
                           ("lots", "Enter the amount as a number")):
        limit.fill(typed)
        instagram_form.get_by_role("button", name="Save").click()
        expect(instagram_form.get_by_role("alert")).to_contain_text(message)
    limit.fill("1")
    instagram_form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Instagram: monthly limit set to €1.00.")).to_be_visible()
    expect(instagram_form).to_contain_text("€0.00 / €1.00")
    shot(page, "pay-apps-limit-desktop")

    buy_now_from_instagram(page)
    pay_with_new_card(page, "4242 4242 4242 4242")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("over your monthly limit of €1.00 in Instagram")
    expect(page.get_by_role("link", name="Change this in Pay → Apps")).to_have_attribute("href", "/pay/apps")
    shot(page, "checkout-refused-over-limit-desktop")

    # Without the limit, the same checkout pays.
    page.goto("/pay/apps")
    limit = page.get_by_label("Monthly limit (€) in Instagram")
    expect(limit).to_have_value("1.00")
    limit.fill("")
    page.locator("form").filter(has=limit).get_by_role("button", name="Save").click()
    expect(page.get_by_text("Instagram: no monthly limit.")).to_be_visible()
    buy_now_from_instagram(page)
    pay_with_new_card(page, "4242 4242 4242 4242")
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()


def test_an_unknown_address_shows_the_styled_not_found_page(new_context):
    # Its own page, not the phone_page fixture: the browser rightly reports the document's
    # 404 status as a console error, which is the one error this scenario expects.
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"{msg.text} {msg.location.get('url', '')}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto("/no/such/page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("404: Page not found")).to_have_count(0)
    shot(page, "not-found-phone")
    page.get_by_role("link", name="Back to the feed").click()
    expect(page).to_have_url(re.compile(r"/(login.*)?$"))
    unexpected = [e for e in errors if not ("status of 404" in e and e.rstrip().endswith("/no/such/page"))]
    assert unexpected == [], unexpected
