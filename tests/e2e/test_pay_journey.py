"""The Pay hub's whole journey, as one new person lives it on a phone, step after step.

Every step also has its own, more thorough scenario (overview, methods, apps, history,
security, support, passkeys); this one proves they work together, in the order a person
meets them. Passkeys need a host name, so the pages are opened on localhost.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from sqlmodel import Session, select

from socialshop.db import make_engine
from socialshop.models import PayProfile, User
from tests.e2e.conftest import DESKTOP, sign_up
from tests.e2e.test_foundation import shot
from tests.e2e.test_passkeys import add_virtual_authenticator, fill_address
from tests.e2e.test_pay_methods import PIN, add_card, method, methods
from tests.e2e.test_pay_overview import open_pay_from_the_navigation
from tests.e2e.test_pay_security import save_pin
from tests.e2e.test_pay_support import chat, send
from tests.e2e.test_payments import open_first_instagram_product, pay_button

FIRST_PIN = PIN  # the PIN the methods helpers type
SECOND_PIN = "5917"
MERCHANT = "Caffè Aurora"  # the newest Instagram post's shop


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, base_url):
    return {**browser_context_args, "base_url": base_url.replace("://127.0.0.1", "://localhost")}


def expect_instagram_refused(page) -> None:
    expect(page.get_by_role("alert")).to_contain_text("Pay is switched off in this app (Instagram)")
    expect(pay_button(page)).to_have_count(0)


def end_the_pin_lock(database_url: str, email: str) -> None:
    """Fifteen minutes pass: the lock ends by itself. Tests cannot wait that long."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            user_id = session.exec(select(User.id).where(User.email == email)).one()
            past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            session.exec(update(PayProfile).where(PayProfile.user_id == user_id).values(pin_locked_until=past))
            session.commit()
    finally:
        engine.dispose()


def test_a_new_person_uses_every_part_of_pay_on_a_phone(phone_page, request, pytestconfig):
    if pytestconfig.getoption("base_url", None):
        pytest.skip("ends a PIN lock in the harness's database instead of waiting 15 minutes")
    page = phone_page
    email = f"giada-{uuid.uuid4().hex[:8]}@example.com"
    sign_up(page, name="Giada Giro", email=email, password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()

    # Pay from the navigation; its overview asks for a PIN first.
    open_pay_from_the_navigation(page)
    expect(page.get_by_test_id("attention-item")).to_contain_text("no Pay PIN yet")
    page.get_by_test_id("attention-item").get_by_role("link", name="Open").click()
    expect(page).to_have_url(re.compile(r"/pay/security$"))
    expect(page.get_by_test_id("session-row")).to_have_count(1)
    save_pin(page, FIRST_PIN)
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()

    # Two cards; the second becomes the default.
    page.get_by_role("navigation", name="Pay").get_by_role("link", name="Methods").click()
    expect(page).to_have_url(re.compile(r"/pay/methods$"))
    add_card(page, "4242 4242 4242 4242", count_after=1)
    add_card(page, "5555 5555 5555 4444", count_after=2)
    method(page, "•••• 4444").get_by_role("button", name="Make default").click()
    expect(method(page, "•••• 4444")).to_contain_text("Default")
    expect(methods(page).first).to_contain_text("•••• 4444")

    # A product in the cart, then Pay off for Instagram: refused from the post and the cart.
    sheet = open_first_instagram_product(page)
    sheet.get_by_role("button", name="Add to cart").click()
    expect(sheet.get_by_text("Added to cart")).to_be_visible()
    sheet.get_by_role("button", name="Close").click()
    expect(sheet).to_be_hidden()
    page.goto("/pay/apps")
    page.get_by_role("switch", name="Instagram").click()
    expect(page.get_by_text("Pay is now off in Instagram")).to_be_visible()
    sheet = open_first_instagram_product(page)
    sheet.get_by_role("button", name="Buy now").click()
    expect(page).to_have_url(re.compile(r"/checkout/?\?.*app=instagram"))
    expect_instagram_refused(page)
    page.goto("/cart")
    page.get_by_role("button", name=re.compile(r"^Checkout · Instagram")).click()
    expect_instagram_refused(page)

    # Back on from the link the refusal gives, then the cart is paid with the new default.
    page.get_by_role("link", name="Change this in Pay → Apps").click()
    expect(page).to_have_url(re.compile(r"/pay/apps$"))
    page.get_by_role("switch", name="Instagram").click()
    expect(page.get_by_text("Pay is now on in Instagram")).to_be_visible()
    page.goto("/cart")
    page.get_by_role("button", name=re.compile(r"^Checkout · Instagram")).click()
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile(r"Mastercard •••• 4444"))).to_be_checked()
    fill_address(page)
    page.get_by_label("Pay PIN").fill(FIRST_PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()

    # Found by search, its receipt opened, the list exported.
    page.goto("/pay/history")
    page.get_by_label("Search").fill("aurora")
    page.get_by_role("button", name="Show").click()
    entries = page.get_by_test_id("history-entry")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text(MERCHANT)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 2 and rows[1][1] == "instagram" and rows[1][3] == MERCHANT, rows
    assert rows[1][8] == "Mastercard •••• 4444", rows
    entries.first.click()
    expect(page.get_by_role("heading", name="Receipt")).to_be_visible()
    expect(page.get_by_test_id("receipt-method")).to_have_text("Mastercard •••• 4444")
    expect(page.get_by_test_id("receipt-id")).to_have_text(rows[1][9])
    shot(page, "journey-receipt-phone")

    # A new PIN, then five wrong ones lock it.
    page.goto("/pay/security")
    expect(page.get_by_test_id("session-row")).to_have_count(1)
    save_pin(page, SECOND_PIN, current=FIRST_PIN)
    expect(page.get_by_text("Your PIN was changed.")).to_be_visible()
    for tries_left in (4, 3, 2, 1):
        save_pin(page, "7305", current=FIRST_PIN)
        expect(page.get_by_role("alert")).to_have_text(f"Wrong PIN. Tries left: {tries_left}.")
    save_pin(page, "7305", current=FIRST_PIN)
    expect(page.get_by_test_id("pin-locked-until")).to_have_text(re.compile(r"^Locked until \d{1,2}:\d{2}$"))

    # The support chat explains the lock; a second tab shows the answer without a reload.
    page.get_by_role("navigation", name="Pay").get_by_role("link", name="Support").click()
    expect(page.get_by_text("No messages yet. Ask a question below.")).to_be_visible()
    second = page.context.new_page()
    second.goto("/pay/support")
    expect(second.get_by_text("No messages yet. Ask a question below.")).to_be_visible()
    send(page, "Why is my PIN locked?")
    expect(chat(page).get_by_test_id("chat-message").last).to_contain_text("Your Pay PIN is locked")
    expect(chat(second).get_by_test_id("chat-message")).to_have_count(2)
    expect(chat(second).get_by_test_id("chat-message").last).to_contain_text("Your Pay PIN is locked")
    shot(page, "journey-support-phone")
    second.close()

    # When the lock has ended: a passkey, then a purchase confirmed with it, no PIN typed.
    end_the_pin_lock(request.getfixturevalue("test_database"), email)
    cdp, authenticator_id = add_virtual_authenticator(page)
    page.goto("/pay/security")
    expect(page.get_by_text("No passkeys yet.")).to_be_visible()
    page.get_by_label("Passkey name").fill("Giada's phone")
    page.get_by_label("Your PIN", exact=True).fill(SECOND_PIN)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey added: you can now confirm payments with it.")).to_be_visible()
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1

    sheet = open_first_instagram_product(page)
    sheet.get_by_role("button", name="Buy now").click()
    expect(page.get_by_role("heading", name="Order summary")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile(r"Mastercard •••• 4444"))).to_be_checked()
    fill_address(page)
    confirm = page.get_by_role("button", name="Confirm with passkey")
    confirm.click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    page.goto("/pay/history")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text(MERCHANT)
    page.set_viewport_size(DESKTOP)
    shot(page, "journey-history-desktop")
