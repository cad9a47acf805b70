"""Contact details and the address book at /pay/contact, and checkout preselecting the default."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_foundation import shot
from tests.e2e.test_pay_overview import new_user
from tests.e2e.test_payments import buy_now_from_instagram


def add_address(page, *, name: str, line1: str, postal_code: str, city: str, country: str = "IT") -> None:
    page.get_by_role("button", name="Add an address").click()
    form = page.get_by_test_id("address-form")
    form.get_by_label("Full name").fill(name)
    form.get_by_label("Address").fill(line1)
    form.get_by_label("Postal code").fill(postal_code)
    form.get_by_label("City").fill(city)
    form.get_by_label("Country (2 letters)").fill(country)
    form.get_by_role("button", name="Save").click()


def test_contact_details_are_validated_field_by_field(phone_page):
    page = phone_page
    new_user(page, "Pia Phone")
    page.goto("/pay/contact")
    phone = page.get_by_label("Phone")
    phone.fill("12")
    page.locator("form").filter(has=phone).get_by_role("button", name="Save").click()
    expect(page.get_by_text("This is not a valid phone number.")).to_be_visible()
    phone.fill("+39 333 123 4567")
    page.locator("form").filter(has=phone).get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(page.get_by_label("Phone")).to_have_value("+393331234567")

    email = page.get_by_label("Email")
    email.fill("giulia@EXAMPLE.com")
    page.locator("form").filter(has=email).get_by_role("button", name="Save").click()
    expect(page.get_by_text("Another account already uses this email.")).to_be_visible()
    # Passes the browser's own check (a@b), not ours (no domain like example.com).
    email.fill("ada@example")
    page.locator("form").filter(has=email).get_by_role("button", name="Save").click()
    expect(page.get_by_text("Enter a valid email address")).to_be_visible()


def test_two_addresses_one_default_and_checkout_preselects_it(phone_page):
    page = phone_page
    new_user(page, "Ada Addresses")
    page.goto("/pay/contact")
    expect(page.get_by_text("No address saved yet.")).to_be_visible()
    # On a phone the current tab, sixth of eight, is scrolled into view.
    expect(page.get_by_role("navigation", name="Pay").get_by_role("link", name="Contact")).to_be_in_viewport()

    # Each bad field gets its own message; nothing is saved.
    add_address(page, name="Ada Rossi", line1="Via Roma 1", postal_code="20/121", city="", country="XX")
    form = page.get_by_test_id("address-form")
    expect(form.get_by_text("Use only letters, digits, spaces and dashes in the postal code.")).to_be_visible()
    expect(form.get_by_text("Enter the city.")).to_be_visible()
    expect(form.get_by_text("This is not a country code")).to_be_visible()
    expect(page.get_by_test_id("address")).to_have_count(0)
    form.get_by_label("Postal code").fill("20121")
    form.get_by_label("City").fill("Milano")
    form.get_by_label("Country (2 letters)").fill("IT")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Address added.")).to_be_visible()

    add_address(page, name="Ada Rossi", line1="Corso Buenos Aires 7", postal_code="20124", city="Milano")
    rows = page.get_by_test_id("address")
    expect(rows).to_have_count(2)
    # The first address is the default until another is chosen.
    expect(rows.filter(has_text="Via Roma 1").get_by_test_id("default-badge")).to_be_visible()
    rows.filter(has_text="Corso Buenos Aires 7").get_by_role("button", name="Make default").click()
    expect(page.get_by_text("Default address changed.")).to_be_visible()
    expect(rows.first).to_contain_text("Corso Buenos Aires 7")
    expect(rows.filter(has_text="Corso Buenos Aires 7").get_by_test_id("default-badge")).to_be_visible()
    expect(page.get_by_test_id("default-badge")).to_have_count(1)
    shot(page, "pay-contact-phone")

    buy_now_from_instagram(page)
    ship_to = page.get_by_role("radiogroup", name="Ship to")
    expect(ship_to.get_by_role("radio")).to_have_count(3)  # two saved, and somewhere else
    expect(ship_to.get_by_role("radio", name=re.compile("Corso Buenos Aires 7"))).to_be_checked()
    expect(page.get_by_label("Postal code")).to_have_count(0)
    shot(page, "checkout-saved-addresses-phone")
    ship_to.get_by_role("radio", name="Ship somewhere else").click()
    expect(page.get_by_label("Postal code")).to_be_visible()
    expect(page.get_by_label("Save for my next orders")).not_to_be_checked()

    # Editing and removing keep one default.
    page.goto("/pay/contact")
    rows = page.get_by_test_id("address")
    rows.filter(has_text="Via Roma 1").get_by_role("button", name="Edit").click()
    form = page.get_by_test_id("address-form")
    expect(form.get_by_label("Address")).to_have_value("Via Roma 1")
    form.get_by_label("Address").fill("Via Roma 2")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Address updated.")).to_be_visible()
    rows.filter(has_text="Corso Buenos Aires 7").get_by_role("button", name="Remove").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Via Roma 2")
    expect(rows.first.get_by_test_id("default-badge")).to_be_visible()
