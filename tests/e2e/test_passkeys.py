"""Passkeys with Chromium's virtual authenticator: register one, then pay with it, no PIN typed.

WebAuthn refuses IP addresses as relying parties, so these pages are opened on
http://localhost:<port> (the harness serves on 127.0.0.1, the same server)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, sign_up
from tests.e2e.test_foundation import shot
from tests.e2e.test_payments import (
    buy_now_from_instagram,
    expect_history_starts_with,
    fill_new_card,
    paid_entry,
    pay_button,
)

PIN = "4826"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, base_url):
    return {**browser_context_args, "base_url": base_url.replace("://127.0.0.1", "://localhost")}


def add_virtual_authenticator(page):
    """A platform authenticator (like a phone's fingerprint reader) that always says yes."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, authenticator["authenticatorId"]


def fill_address(page):
    page.get_by_label("Address").fill("Via Garibaldi 3")
    page.get_by_label("Postal code").fill("09124")
    page.get_by_label("City").fill("Cagliari")


def test_register_a_passkey_and_pay_with_it_instead_of_the_pin(phone_page):
    page = phone_page
    sign_up(page, name="Paola Passkey", email=f"paola-{uuid.uuid4().hex[:8]}@example.com", password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()

    page.goto("/pay/security")
    expect(page.get_by_test_id("session-row")).to_have_count(1)  # the page has loaded
    page.get_by_label("New PIN (4 to 6 digits)").fill(PIN)
    page.get_by_label("Repeat the new PIN").fill(PIN)
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()

    # The card is added by a first purchase, confirmed with the PIN.
    buy_now_from_instagram(page)
    expect(page.get_by_role("button", name="Confirm with passkey")).to_have_count(0)
    fill_address(page)
    fill_new_card(page, number="4242 4242 4242 4242", expiry="11/38", cvc="321")
    page.get_by_label("Pay PIN").fill(PIN)
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()

    cdp, authenticator_id = add_virtual_authenticator(page)
    page.goto("/pay/security")
    expect(page.get_by_text("No passkeys yet.")).to_be_visible()
    page.get_by_label("Passkey name").fill("My test phone")
    page.get_by_label("Your PIN", exact=True).fill("9999")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong PIN")
    expect(page.get_by_test_id("passkey-row")).to_have_count(0)
    page.get_by_label("Your PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey added: you can now confirm payments with it.")).to_be_visible()
    rows = page.get_by_test_id("passkey-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("My test phone")
    expect(rows.first).to_contain_text("never used")
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1
    shot(page, "pay-security-passkey-phone")

    buy_now_from_instagram(page)
    expect(page.get_by_role("radio", name=re.compile(r"Visa •••• 4242"))).to_be_checked()
    fill_address(page)
    confirm = page.get_by_role("button", name="Confirm with passkey")
    expect(confirm).to_be_visible()
    confirm.scroll_into_view_if_needed()
    shot(page, "checkout-passkey-phone")
    # The person cancels the device prompt: told so, nothing paid, the PIN still works.
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator_id, "isUserVerified": False})
    confirm.click()
    expect(page.get_by_text(re.compile(r"The passkey was not used"))).to_be_visible()
    expect(pay_button(page)).to_be_enabled()
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator_id, "isUserVerified": True})
    expect(page.get_by_label("Pay PIN")).to_have_value("")
    confirm.click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    paid = paid_entry(page)
    expect_history_starts_with(page, paid)
    page.goto("/pay/history")
    first = page.get_by_test_id("history-entry").first
    expect(first).to_have_attribute("data-entry", paid)
    expect(first).to_contain_text("•••• 4242")

    page.goto("/pay/security")
    expect(rows.first).not_to_contain_text("never used")
    page.set_viewport_size(DESKTOP)
    shot(page, "pay-security-passkey-desktop")
    page.get_by_role("button", name="Remove passkey My test phone").click()
    expect(page.get_by_text("Passkey removed.")).to_be_visible()
    expect(rows).to_have_count(0)


def test_only_above_an_amount_skips_the_pin_for_small_payments(page):
    sign_up(page, name="Piero Soglia", email=f"piero-{uuid.uuid4().hex[:8]}@example.com", password="a-good-pass-42")
    expect(page.get_by_role("article").first).to_be_visible()
    page.goto("/pay/security")
    expect(page.get_by_test_id("session-row")).to_have_count(1)  # the page has loaded
    page.get_by_label("New PIN (4 to 6 digits)").fill(PIN)
    page.get_by_label("Repeat the new PIN").fill(PIN)
    page.get_by_role("button", name="Save PIN").click()
    expect(page.get_by_text("Your PIN is set. You can pay now.")).to_be_visible()

    page.goto("/pay/security")
    # "Change your PIN" shows once the page's on_load events have all run (the policy's first).
    expect(page.get_by_role("heading", name="Change your PIN")).to_be_visible()
    expect(page.get_by_test_id("pin-policy-now")).to_have_text("Now: the PIN is asked for every payment.")
    # The choice is the server's: click, then wait for its answer (check() would demand it at once).
    page.get_by_role("radio", name="Only above an amount").click()
    expect(page.get_by_role("radio", name="Only above an amount")).to_be_checked()
    page.get_by_label("Amount (€)").fill("-5")
    page.get_by_label("Your PIN, to ask less often").fill(PIN)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("more than zero")
    expect(page.get_by_test_id("pin-policy-now")).to_have_text("Now: the PIN is asked for every payment.")
    page.get_by_label("Amount (€)").fill("1000")
    page.get_by_label("Your PIN, to ask less often").fill(PIN)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("at most €100.00")
    page.get_by_label("Amount (€)").fill("100")
    page.get_by_label("Your PIN, to ask less often").fill(PIN)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_test_id("pin-policy-now")).to_contain_text("only above €100.00")
    shot(page, "pay-security-policy-desktop")

    buy_now_from_instagram(page)
    expect(page.get_by_text("Not needed for payments up to €100.00")).to_be_visible()
    fill_address(page)
    fill_new_card(page, number="4242 4242 4242 4242", expiry="11/38", cvc="321")
    # No PIN typed: the amount is within the threshold.
    pay_button(page).click()
    expect(page.get_by_role("heading", name="Already paid — thank you!")).to_be_visible()
    expect_history_starts_with(page, paid_entry(page))
