"""/pay/methods as a new person uses it on a phone: PIN first, then cards, default, removal.

Every scenario signs up a fresh account: it changes that account's methods and PIN and
nobody else's.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from sqlmodel import Session, select

from socialshop.db import make_engine
from socialshop.models import PaymentMethod, User
from tests.e2e.conftest import sign_up
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_foundation import shot
from tests.e2e.test_payments import buy_now_from_instagram

PIN = "4827"
EXPIRY = "12/34"


def new_person_with_a_pin(page) -> str:
    """Sign up, then set the PIN from the link /pay/methods shows; the new account's email."""
    email = f"marta-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, name="Marta Metodi", email=email, password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()
    page.goto("/pay/methods")
    expect(page.get_by_text("No saved payment methods yet")).to_be_visible()
    # Adding asks for the PIN: the page says so and links to where it is set.
    page.get_by_role("link", name="Set your PIN").click()
    expect(page).to_have_url(re.compile(r"/pay/security"))
    page.get_by_label("New PIN (4 to 6 digits)").fill(PIN)
    page.get_by_label("Repeat the new PIN").fill(PIN)
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()
    page.goto("/pay/methods")
    expect(page.get_by_role("heading", name="Saved methods")).to_be_visible()
    expect(page.get_by_role("link", name="Set your PIN")).to_have_count(0)
    return email


def fill_card(page, number: str, *, expiry: str = EXPIRY, cvc: str = "123", pin: str = PIN) -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill(expiry)
    page.get_by_label("CVC").fill(cvc)
    page.get_by_label("Pay PIN to confirm").fill(pin)


def add_card(page, number: str, *, count_after: int) -> None:
    page.get_by_role("button", name="Add a card").click()
    fill_card(page, number)
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("status").filter(has_text="Card saved.")).to_be_visible()
    expect(methods(page)).to_have_count(count_after)


def methods(page):
    # Within the page's main region: a notification toast ("A new payment method was added…")
    # is a list item too, and it pops up whenever the bell's poll finds the news.
    return page.get_by_role("main").get_by_role("listitem")


def method(page, text: str):
    return methods(page).filter(has_text=text)


def test_add_two_cards_and_make_the_second_the_default_on_a_phone(phone_page):
    page = phone_page
    new_person_with_a_pin(page)
    shot(page, "pay-methods-empty-phone")

    add_card(page, "4242 4242 4242 4242", count_after=1)
    first = method(page, "•••• 4242")
    expect(first).to_contain_text("Visa")
    expect(first).to_contain_text("Expires 12/34")
    expect(first).to_contain_text("Default")
    # What was typed is gone from the page once saved.
    expect(page.get_by_label("Card number")).to_have_count(0)

    add_card(page, "5555 5555 5555 4444", count_after=2)
    second = method(page, "•••• 4444")
    expect(second).to_contain_text("Mastercard")
    expect(second).not_to_contain_text("Default")
    second.get_by_role("button", name="Make default").click()
    expect(page.get_by_role("status")).to_have_text("Mastercard •••• 4444 is now your default.")
    expect(method(page, "•••• 4444")).to_contain_text("Default")
    expect(method(page, "•••• 4242")).not_to_contain_text("Default")
    expect(methods(page).first).to_contain_text("•••• 4444")
    shot(page, "pay-methods-two-cards-phone")

    # Checkout offers both and preselects the default.
    buy_now_from_instagram(page)
    expect(page.get_by_role("radio", name=re.compile(r"Mastercard •••• 4444"))).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile(r"Visa •••• 4242"))).not_to_be_checked()


def test_remove_a_card_after_confirming_with_the_pin(phone_page):
    page = phone_page
    new_person_with_a_pin(page)
    add_card(page, "4242 4242 4242 4242", count_after=1)
    add_card(page, "5555 5555 5555 4444", count_after=2)

    # Cancelling the confirmation changes nothing.
    method(page, "•••• 4242").get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Remove this payment method?")
    expect(dialog).to_contain_text("Visa •••• 4242")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(methods(page)).to_have_count(2)

    method(page, "•••• 4242").get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_label("Pay PIN to confirm").fill("1111")
    dialog.get_by_role("button", name="Remove").click()
    expect(dialog.get_by_role("alert")).to_have_text("Wrong PIN. Tries left: 4.")
    # The open dialog hides the page from the accessibility tree: count the items themselves.
    expect(page.locator("main li")).to_have_count(2)
    shot(page, "pay-methods-remove-dialog-phone")
    dialog.get_by_label("Pay PIN to confirm").fill(PIN)
    dialog.get_by_role("button", name="Remove").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("Payment method removed.")
    # The default was removed: the remaining card took its place.
    expect(methods(page)).to_have_count(1)
    expect(methods(page).first).to_contain_text("•••• 4444")
    expect(methods(page).first).to_contain_text("Default")

    # Reloaded from the database, not just this tab's list.
    page.reload()
    expect(methods(page)).to_have_count(1)
    expect(method(page, "•••• 4242")).to_have_count(0)


def test_a_duplicate_and_a_malformed_number_are_refused(phone_page):
    page = phone_page
    new_person_with_a_pin(page)

    page.get_by_role("button", name="Add a card").click()
    fill_card(page, "4242 4242 4242 4241", cvc="12")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_text("This card number is not valid: check for a typo.")).to_be_visible()
    expect(page.get_by_text("The CVC is the 3 or 4 digits on the card.")).to_be_visible()
    expect(page.get_by_label("Card number")).to_have_attribute("aria-invalid", "true")
    # The CVC and PIN are typed again; nothing was saved.
    expect(page.get_by_label("CVC")).to_have_value("")
    expect(page.get_by_label("Pay PIN to confirm")).to_have_value("")
    expect(methods(page)).to_have_count(0)
    shot(page, "pay-methods-bad-number-phone")

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Pay PIN to confirm").fill(PIN)
    page.get_by_role("button", name="Save card").click()
    expect(methods(page)).to_have_count(1)

    page.get_by_role("button", name="Add a card").click()
    fill_card(page, "4242-4242-4242-4242", cvc="999")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("alert")).to_have_text("This payment method is already saved.")
    expect(methods(page)).to_have_count(1)
    shot(page, "pay-methods-duplicate-phone")


def test_link_paypal_then_see_it_masked(page):
    new_person_with_a_pin(page)
    add_card(page, "4242 4242 4242 4242", count_after=1)
    page.get_by_role("button", name="Link PayPal").click()
    page.get_by_label("PayPal email").fill("not an email")
    page.get_by_label("Pay PIN to confirm").fill(PIN)
    page.get_by_role("button", name="Link account").click()
    expect(page.get_by_role("alert")).to_have_text("Enter the email address of your PayPal account.")
    page.get_by_label("PayPal email").fill("Marta.Paga@example.com")
    page.get_by_label("Pay PIN to confirm").fill(PIN)
    page.get_by_role("button", name="Link account").click()
    expect(page.get_by_role("status")).to_have_text("PayPal account linked.")
    paypal = method(page, "PayPal")
    expect(paypal).to_contain_text("m•••@example.com")
    expect(page.get_by_text("Marta.Paga", exact=False)).to_have_count(0)
    expect(methods(page)).to_have_count(2)
    shot(page, "pay-methods-desktop")
    # The list, the open card form and the removal dialog pass axe-core.
    page.get_by_role("button", name="Add a card").click()
    expect(page.get_by_label("Card number")).to_be_visible()
    assert serious_violations(page) == []
    method(page, "PayPal").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("m•••@example.com")
    assert serious_violations(page) == []


def save_expired_default_card(database_url: str, email: str) -> None:
    """A card that was valid when saved and has expired since: the app cannot save one, so
    it is written to the database, made the default as it was before it expired."""
    today = dt.date.today()
    month_index = today.year * 12 + today.month - 1 - 2
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            user = session.exec(select(User).where(User.email == email)).one()
            session.exec(update(PaymentMethod).where(PaymentMethod.user_id == user.id).values(is_default=False))
            session.add(PaymentMethod(
                user_id=user.id, provider="sandbox", provider_token="sbx_tok_ok_" + "0" * 32, brand="visa",
                last4="0005", exp_month=month_index % 12 + 1, exp_year=month_index // 12, is_default=True,
            ))
            session.commit()
    finally:
        engine.dispose()


def test_an_expired_card_is_marked_and_not_offered_at_checkout(phone_page, request, pytestconfig):
    if pytestconfig.getoption("base_url", None):
        pytest.skip("writes an expired card straight into the harness's database")
    page = phone_page
    email = new_person_with_a_pin(page)
    add_card(page, "4242 4242 4242 4242", count_after=1)
    save_expired_default_card(request.getfixturevalue("test_database"), email)

    page.reload()
    expired = method(page, "•••• 0005")
    expect(expired).to_contain_text("Expired")
    expect(expired.get_by_role("button", name="Make default")).to_have_count(0)
    expect(page.get_by_text("An expired card cannot pay")).to_be_visible()
    shot(page, "pay-methods-expired-phone")

    # Checkout leaves it out and preselects the card that can pay.
    buy_now_from_instagram(page)
    expect(page.get_by_role("radio", name=re.compile(r"Visa •••• 4242"))).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile(r"0005"))).to_have_count(0)
